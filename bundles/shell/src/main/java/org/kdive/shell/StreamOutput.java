package org.kdive.shell;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.kdive.api.command.Output;
import org.kdive.api.util.Json;

/**
 * A streamed result's output on the shell's stdout: text as it comes, or one JSON line per record
 * in the envelope; flushed at once for the first line and then at least every few milliseconds,
 * so a terminal or a pipe sees the output while the command still works.
 */
final class StreamOutput implements Output {
    private static final long FLUSH_NANOS = 20_000_000L;
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
    }

    @Override public boolean json() { return json; }

    @Override
    public void text(CharSequence text) {
        cancellation.check();
        if (json) return;
        out.append(text);
        maybeFlush();
    }

    @Override
    public void record(Object record) {
        cancellation.check();
        if (!json) return;
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("command", command);
        doc.put("record", record);
        out.println(Json.compact(doc));
        records++;
        maybeFlush();
    }

    @Override
    public void error(String code, CharSequence text) {
        cancellation.check();
        out.flush();
        String message = text.toString().stripTrailing();
        CommandFunction.fail(session, json, command, code, message);
    }

    long records() { return records; }

    private void maybeFlush() {
        long now = System.nanoTime();
        if (!flushedOnce || now - lastFlush > FLUSH_NANOS) {
            out.flush();
            lastFlush = now;
            flushedOnce = true;
        }
    }
}
