package org.kdive.shell;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.kdive.api.KdiveException;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandCancelledException;
import org.kdive.api.command.Result;
import org.kdive.api.util.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one kdive command inside Gogo and prints its result to the (pipe-aware) System.out in
 * the session's output mode: crash text, or JSON Lines in kdive's envelope (docs/json.md), the
 * same for {@code --json} and {@code json CMD}. Streamed results are printed while they are
 * produced. Errors become one line on stderr (and a JSON error document), never a stack trace.
 */
final class CommandFunction implements Function {
    private static final Logger LOG = LoggerFactory.getLogger(CommandFunction.class);
    /** Session variable: "json" for JSON Lines, anything else for crash text. */
    static final String OUTPUT = "kdive.output";
    /** Session variable: the worst exit status of the statement's commands (an Integer, see {@link Failures}). */
    static final String STATUS = "kdive.status";
    /** Session variable: the shell's {@link Cancellation}. */
    static final String CANCELLATION = "kdive.cancellation";

    private final java.util.function.Supplier<Command> command;
    private final CommandRegistry registry;

    CommandFunction(java.util.function.Supplier<Command> command, CommandRegistry registry) {
        this.command = command;
        this.registry = registry;
    }

    @Override
    public Object execute(CommandSession session, List<Object> arguments) {
        List<String> args = new ArrayList<>();
        for (Object o : arguments) args.add(String.valueOf(o));
        boolean json = "json".equals(session.get(OUTPUT));
        Command c;
        try {
            c = command.get();
        } catch (KdiveException e) {
            fail(session, json, "?", "failed", "kdive: " + e.getMessage());
            return null;
        }
        run(session, c, args, json);
        return null;
    }

    static Cancellation cancellation(CommandSession session) {
        Object c = session.get(CANCELLATION);
        if (c instanceof Cancellation k) return k;
        Cancellation k = new Cancellation();
        session.put(CANCELLATION, k);
        return k;
    }

    /** Runs a command and prints its result; returns false if it failed. */
    boolean run(CommandSession session, Command cmd, List<String> args, boolean json) {
        PrintStream out = System.out;
        Cancellation cancellation = cancellation(session);
        ShellContext ctx = new ShellContext(registry.sessions(), json, session, cancellation);
        String line = cmd.name() + (args.isEmpty() ? "" : " " + String.join(" ", args));
        cancellation.begin();
        try {
            long t0 = System.nanoTime();
            Result r = cmd.execute(ctx, args);
            if (r instanceof Result.Streamed s) {
                StreamOutput so = new StreamOutput(session, out, json, line, cancellation);
                Object summary;
                try {
                    summary = s.writeTo(so);
                } finally {
                    so.finish(); // what was gathered goes out before any error about it
                }
                if (json) {
                    Map<String, Object> doc = new LinkedHashMap<>();
                    doc.put("command", line);
                    doc.put("result", summary);
                    doc.put("records", so.records());
                    out.println(Json.compact(doc));
                }
            } else if (r != null) {
                if (json) {
                    Map<String, Object> doc = new LinkedHashMap<>();
                    doc.put("command", line);
                    doc.put("result", r.data());
                    out.println(Json.compact(doc));
                } else {
                    out.print(r.text());
                }
            }
            out.flush();
            LOG.debug("{} took {} ms", line, (System.nanoTime() - t0) / 1_000_000);
            return !(session.get(STATUS) instanceof Integer st && st != 0);
        } catch (CommandCancelledException e) {
            out.flush();
            fail(session, json, line, "cancelled", cmd.name() + ": cancelled");
        } catch (KdiveException e) {
            out.flush();
            // crash prints its synopsis ("Usage:\n  cmd ...") without the command's name before it
            String m = String.valueOf(e.getMessage());
            fail(session, json, line, Failures.code(e), m.startsWith("Usage:\n") ? m : cmd.name() + ": " + m);
        } catch (RuntimeException | LinkageError | StackOverflowError e) {
            out.flush();
            if (cancellation.cancelled()) {
                // interrupted in the middle of something that did not expect it
                LOG.debug("{} ended by its cancellation", line, e);
                fail(session, json, line, "cancelled", cmd.name() + ": cancelled");
            } else {
                LOG.error("{} failed", line, e);
                fail(session, json, line, "internal", cmd.name() + ": internal error: " + e + " (details in the log file)");
            }
        } finally {
            cancellation.end();
        }
        return false;
    }

    static void fail(CommandSession session, boolean json, String line, String code, String message) {
        int status = Failures.status(code);
        Object before = session.get(STATUS);
        int worst = before instanceof Integer i ? i : 0;
        session.put(STATUS, worst == Failures.CANCELLED || status == Failures.CANCELLED ? Failures.CANCELLED : Math.max(worst, status));
        if (json) {
            System.out.println(Failures.jsonError(line, code, message));
            System.out.flush();
        }
        System.err.println(message);
        System.err.flush();
    }
}
