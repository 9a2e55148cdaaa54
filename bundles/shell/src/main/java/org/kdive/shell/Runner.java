package org.kdive.shell;

import java.io.PrintStream;
import java.util.List;
import org.apache.felix.service.command.CommandSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Executes command lines (crash syntax or Gogo) in one Gogo session. */
final class Runner {
    private static final Logger LOG = LoggerFactory.getLogger(Runner.class);
    private final CommandSession session;
    private final CommandRegistry registry;
    private final PrintStream out;
    private final PrintStream err;

    Runner(CommandSession session, CommandRegistry registry, PrintStream out, PrintStream err) {
        this.session = session;
        this.registry = registry;
        this.out = out;
        this.err = err;
    }

    /** Runs every line; true if none failed. */
    boolean runAll(List<String> lines) {
        boolean ok = true;
        for (String line : lines) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) continue;
            ok &= run(t);
        }
        return ok;
    }

    /** Runs one line, which may hold several ';'-separated statements. */
    boolean run(String line) {
        boolean ok = true;
        for (String statement : CrashSyntax.statements(line)) {
            session.put(CommandFunction.FAILED, Boolean.FALSE);
            String program = CrashSyntax.toGogo(statement, registry::has);
            try {
                Object result = session.execute(program);
                if (result != null) {
                    out.println(KdiveShell.format(session, result));
                }
            } catch (Exception e) {
                ok = false;
                out.flush();
                err.println(describe(statement, e));
                LOG.debug("'{}' failed", statement, e);
            }
            out.flush();
            if (Boolean.TRUE.equals(session.get(CommandFunction.FAILED))) ok = false;
        }
        return ok;
    }

    static String describe(String statement, Exception e) {
        String name = CrashSyntax.commandName(statement);
        String type = e.getClass().getSimpleName();
        if (type.equals("CommandNotFoundException")) {
            return "kdive: " + name + ": command not found (try: help)";
        }
        String msg = e.getMessage();
        return "kdive: " + name + ": " + (msg == null ? type : msg);
    }

    CommandSession session() { return session; }
}
