package org.kdive.api.command;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a command produces. The shell prints {@link #text()} (crash-compatible) by default and
 * {@link #data()} as JSON when the user asks for JSON.
 *
 * <p>Small outputs are built whole ({@link #of}). Output that may be large (many structs, a long
 * memory dump, every task's backtrace) is a {@linkplain #stream streamed} result: the command checks
 * its arguments in {@link Command#execute}, then returns a producer that the shell runs on the same
 * thread, writing to an {@link Output} as it goes: the first lines show at once and memory stays
 * bounded whatever the size. {@code text()} and {@code data()} of a streamed result still work
 * (they run the producer into memory), for tests and small outputs.
 */
public interface Result {
    /** The crash-style rendering, lines separated by '\n', ending with '\n' unless empty. */
    String text();

    /**
     * The same content as a JSON-ready tree: {@code Map<String,?>} (insertion ordered), {@code List<?>},
     * String, Number, Boolean or null. Addresses are strings "0x…" (lower-case hex, no leading
     * zeros: {@link org.kdive.api.util.Hex#json}), other numbers are numbers, times ISO-8601 strings.
     */
    Object data();

    static Result of(String text, Object data) {
        return new Result() {
            @Override public String text() { return text; }
            @Override public Object data() { return data; }
        };
    }

    /** For commands whose output is only text: the JSON form is {"text": …}. */
    static Result text(String text) {
        return of(text, java.util.Map.of("text", text));
    }

    /** Writes a streamed result's output; returns a small summary (JSON-ready) or null. */
    @FunctionalInterface
    interface Producer {
        Object produce(Output out);
    }

    /**
     * A result produced while it is printed. The shell calls {@link Streamed#writeTo}; in JSON each
     * {@link Output#record record} becomes one line {@code {"command":…,"record":…}} and the
     * producer's summary the closing line {@code {"command":…,"result":SUMMARY,"records":N}}.
     * Errors thrown by the producer after some output are shown after that output.
     */
    static Streamed stream(Producer producer) {
        return new Streamed("records", producer);
    }

    /** As {@link #stream(Producer)}; {@link #data()} names the list of records {@code recordsKey}. */
    static Streamed stream(String recordsKey, Producer producer) {
        return new Streamed(recordsKey, producer);
    }

    /** See {@link #stream}. */
    final class Streamed implements Result {
        private final Producer producer;
        private final String recordsKey;

        private Streamed(String recordsKey, Producer producer) {
            this.recordsKey = recordsKey;
            this.producer = producer;
        }

        /** Runs the producer into {@code out}; returns its summary. */
        public Object writeTo(Output out) {
            return producer.produce(out);
        }

        /** Runs the producer into memory: for tests and small outputs only. */
        @Override
        public String text() {
            StringBuilder sb = new StringBuilder();
            writeTo(new Output() {
                @Override public boolean json() { return false; }
                @Override public void text(CharSequence text) { sb.append(text); }
                @Override public void record(Object record) { }
                @Override public void error(String code, CharSequence text) { sb.append(text); }
            });
            return sb.toString();
        }

        /**
         * {@code {"records":[…]}} (or the key given to {@link Result#stream(String, Producer)}) plus the summary's entries (a summary that is no Map: "summary"),
         * and "errors": [{code, message}…] if the producer reported any.
         */
        @Override
        public Object data() {
            List<Object> records = new ArrayList<>();
            List<Object> errors = new ArrayList<>();
            Object summary = writeTo(new Output() {
                @Override public boolean json() { return true; }
                @Override public void text(CharSequence text) { }
                @Override public void record(Object record) { records.add(record); }
                @Override public void error(String code, CharSequence text) {
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("code", code);
                    e.put("message", text.toString().strip());
                    errors.add(e);
                }
            });
            Map<String, Object> data = new LinkedHashMap<>();
            if (summary instanceof Map<?, ?> m) {
                m.forEach((k, v) -> data.put(String.valueOf(k), v));
            } else if (summary != null) {
                data.put("summary", summary);
            }
            data.put(recordsKey, records);
            if (!errors.isEmpty()) data.put("errors", errors);
            return data;
        }
    }
}
