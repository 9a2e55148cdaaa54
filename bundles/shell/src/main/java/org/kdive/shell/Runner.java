package org.kdive.shell;

import java.io.PrintStream;
import java.util.List;
import org.apache.felix.service.command.CommandSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes command lines (crash syntax or Gogo) in one Gogo session and keeps the run's exit
 * status: the worst of its statements' (see {@link Failures}).
 */
final class Runner {
    private static final Logger LOG = LoggerFactory.getLogger(Runner.class);
    private final CommandSession session;
    private final CommandRegistry registry;
    private final PrintStream out;
    private final PrintStream err;
    private int status;

    Runner(CommandSession session, CommandRegistry registry, PrintStream out, PrintStream err) {
        this.session = session;
        this.registry = registry;
        this.out = out;
        this.err = err;
        CommandFunction.cancellation(session);
    }

    /** Runs every line, stopping after a cancelled one; the worst exit status. */
    int runAll(List<String> lines) {
        for (String line : lines) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) continue;
            run(t);
            if (status == Failures.CANCELLED) break;
        }
        return status;
    }

    /** Runs one line, which may hold several ';'-separated statements; false if one failed. */
    boolean run(String line) {
        boolean json = "json".equals(session.get(CommandFunction.OUTPUT));
        List<String> statements;
        try {
            statements = CrashSyntax.statements(line);
        } catch (IllegalArgumentException e) {
            record(Failures.COMMAND_FAILED);
            if (json) out.println(Failures.jsonError(line, "syntax", e.getMessage()));
            out.flush();
            err.println("kdive: " + e.getMessage());
            return false;
        }
        boolean ok = true;
        for (String statement : statements) {
            session.put(CommandFunction.STATUS, 0);
            String program = CrashSyntax.toGogo(statement, registry::has);
            Cancellation cancellation = CommandFunction.cancellation(session);
            try {
                Object result = session.execute(program);
                if (result != null) {
                    out.println(KdiveShell.format(session, result));
                }
            } catch (Exception e) {
                out.flush();
                boolean notFound = e.getClass().getSimpleName().equals("CommandNotFoundException");
                String code = notFound ? "unknown-command" : cancellation.cancelled() ? "cancelled" : "failed";
                String message = describe(statement, e);
                if (json) out.println(Failures.jsonError(statement, code, message));
                err.println(message);
                record(Failures.status(code));
                ok = false;
                LOG.debug("'{}' failed", statement, e);
            } finally {
                Thread.interrupted(); // a cancellation that came between commands ends here
            }
            out.flush();
            Object s = session.get(CommandFunction.STATUS);
            if (s instanceof Integer i && i != 0) {
                record(i);
                ok = false;
            }
            if (status == Failures.CANCELLED) break;
        }
        return ok;
    }

    private void record(int s) {
        if (status == Failures.CANCELLED || s == Failures.CANCELLED) status = Failures.CANCELLED;
        else status = Math.max(status, s);
    }

    int status() { return status; }

    /** Forgets earlier failures (the interactive shell reports per line, not per session). */
    void resetStatus() { status = 0; }

    String describe(String statement, Exception e) {
        String name = CrashSyntax.commandName(statement);
        String type = e.getClass().getSimpleName();
        if (type.equals("CommandNotFoundException")) {
            return "kdive: " + CommandRegistry.notFound(registry, name);
        }
        String msg = e.getMessage();
        return "kdive: " + name + ": " + (msg == null ? type : msg);
    }

    CommandSession session() { return session; }
}
