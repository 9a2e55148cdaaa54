package org.kdive.shell;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.kdive.api.command.Output;
import org.kdive.api.util.Json;

/**
 * A streamed result's output on the shell's stdout: text as it comes, or one JSON line per record
 * in the envelope; flushed at once for the first line and then at least every few milliseconds,
 * so a terminal or a pipe sees the output while the command still works. In between it is gathered
 * and written in one piece: each write to Gogo's stream goes through its encoder into a pipe
 * channel, ~15 us a line before the JIT (half of a first `log`, bench/). What a command printed
 * before working on quietly is written at its next cancellation check once it has waited that long:
 * long work checks for Ctrl-C, so sparse output (`search` hits) still shows as it is found.
 */
final class StreamOutput implements Output {
    private static final long FLUSH_NANOS = 20_000_000L;
    private static final int GATHER_CHARS = 32 * 1024;
    private final StringBuilder pending = new StringBuilder();
    private final PrintStream out;
    private final boolean json;
    private final String command;
    private final Cancellation cancellation;
    private final org.apache.felix.service.command.CommandSession session;
    private long records;
    private long lastFlush;
    private boolean flushedOnce;

    StreamOutput(org.apache.felix.service.command.CommandSession session, PrintStream out, boolean json, String command,
            Cancellation cancellation) {
        this.session = session;
        this.out = out;
        this.json = json;
        this.command = command;
        this.cancellation = cancellation;
        cancellation.onCheck(this::flushIfDue);
    }

    @Override public boolean json() { return json; }

    @Override
    public void text(CharSequence text) {
        cancellation.check();
        if (json) return;
        pending.append(text);
        maybeFlush();
    }

    @Override
    public void record(Object record) {
        cancellation.check();
        if (!json) return;
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("command", command);
        doc.put("record", record);
        pending.append(Json.compact(doc)).append(System.lineSeparator());
        records++;
        maybeFlush();
    }

    @Override
    public void error(String code, CharSequence text) {
        cancellation.check();
        finish();
        String message = text.toString().stripTrailing();
        CommandFunction.fail(session, json, command, code, message);
    }

    long records() { return records; }

    /** Writes what is gathered: when the result ends, and before anything else is printed. */
    void finish() {
        if (pending.length() > 0) {
            out.append(pending);
            pending.setLength(0);
        }
        out.flush();
    }

    /** A cancellation check: what waited longer than the flush interval goes out. */
    private void flushIfDue() {
        if (pending.length() > 0 && System.nanoTime() - lastFlush > FLUSH_NANOS) {
            finish();
            lastFlush = System.nanoTime();
        }
    }

    private void maybeFlush() {
        long now = System.nanoTime();
        if (!flushedOnce || pending.length() >= GATHER_CHARS || now - lastFlush > FLUSH_NANOS) {
            finish();
            lastFlush = now;
            flushedOnce = true;
        }
    }
}
