package org.kdive.shell;

import java.util.List;
import org.apache.felix.service.command.CommandSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Executes command lines (crash syntax or Gogo) in one Gogo session. */
final class Runner {
    private static final Logger LOG = LoggerFactory.getLogger(Runner.class);
    private final CommandSession session;
    private final CommandRegistry registry;

    Runner(CommandSession session, CommandRegistry registry) {
        this.session = session;
        this.registry = registry;
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
                    System.out.println(KdiveShell.format(session, result));
                }
            } catch (Exception e) {
                ok = false;
                System.err.println(describe(statement, e));
                LOG.debug("'{}' failed", statement, e);
            }
            System.out.flush();
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
