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
import org.kdive.api.command.Result;
import org.kdive.api.util.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one kdive command inside Gogo and prints its result to the (pipe-aware) System.out in
 * the session's output mode. Errors become one line on stderr, never a stack trace.
 */
final class CommandFunction implements Function {
    private static final Logger LOG = LoggerFactory.getLogger(CommandFunction.class);
    /** Session variable: "json" for JSON Lines, anything else for crash text. */
    static final String OUTPUT = "kdive.output";
    /** Session variable set to Boolean.TRUE when a command failed (batch exit status). */
    static final String FAILED = "kdive.failed";

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
            System.err.println("kdive: " + e.getMessage());
            session.put(FAILED, Boolean.TRUE);
            return null;
        }
        run(session, c, args, json ? Mode.JSON_LINES : Mode.TEXT);
        return null;
    }

    enum Mode { TEXT, JSON_LINES, JSON_PRETTY }

    /** Runs a command and prints its result; returns false if it failed. */
    boolean run(CommandSession session, Command cmd, List<String> args, Mode mode) {
        PrintStream out = System.out;
        ShellContext ctx = new ShellContext(registry.sessions(), mode != Mode.TEXT, session);
        String line = cmd.name() + (args.isEmpty() ? "" : " " + String.join(" ", args));
        try {
            long t0 = System.nanoTime();
            Result r = cmd.execute(ctx, args);
            LOG.debug("{} took {} ms", line, (System.nanoTime() - t0) / 1_000_000);
            if (r == null) return true;
            switch (mode) {
                case TEXT -> out.print(r.text());
                case JSON_PRETTY -> out.println(Json.write(r.data()));
                case JSON_LINES -> {
                    Map<String, Object> doc = new LinkedHashMap<>();
                    doc.put("command", line);
                    doc.put("result", r.data());
                    out.println(Json.compact(doc));
                }
            }
            out.flush();
            return true;
        } catch (KdiveException e) {
            fail(session, mode, line, cmd.name() + ": " + e.getMessage());
        } catch (RuntimeException | LinkageError | StackOverflowError e) {
            LOG.error("{} failed", line, e);
            fail(session, mode, line, cmd.name() + ": internal error: " + e + " (details in the log file)");
        }
        return false;
    }

    private static void fail(CommandSession session, Mode mode, String line, String message) {
        session.put(FAILED, Boolean.TRUE);
        if (mode == Mode.JSON_LINES) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("command", line);
            doc.put("error", message);
            System.out.println(Json.compact(doc));
        }
        System.err.println(message);
        System.err.flush();
    }
}
