package org.kdive.shell;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Optional;
import org.apache.felix.service.command.CommandSession;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.Progress;
import org.kdive.api.session.Session;
import org.kdive.api.session.SessionService;
import org.kdive.api.util.TextProgress;

/** What a command sees of the shell. */
final class ShellContext implements CommandContext {
    private final SessionService sessions;
    private final boolean json;
    private final CommandSession gogo;
    private final Cancellation cancellation;

    ShellContext(SessionService sessions, boolean json, CommandSession gogo, Cancellation cancellation) {
        this.sessions = sessions;
        this.json = json;
        this.gogo = gogo;
        this.cancellation = cancellation;
    }

    @Override public void checkCancelled() { cancellation.check(); }

    @Override public Session session() { return sessions.require(); }

    @Override public Optional<Session> maybeSession() { return sessions.current(); }

    @Override public SessionService sessions() { return sessions; }

    @Override
    public void warn(String message) {
        System.err.println("WARNING: " + message);
    }

    @Override
    public Progress progress(String task, long total) { return new TextProgress(task, total); }

    @Override public boolean json() { return json; }

    /** The launcher's --no-fetch, which KdiveShell keeps in the Gogo session for the whole run. */
    @Override
    public boolean fetchAllowed() {
        return !Boolean.FALSE.toString().equals(String.valueOf(gogo.get(FETCH)));
    }

    /** Gogo session variable: "false" when the run was started with --no-fetch. */
    static final String FETCH = "kdive.fetch";

    /** Relative to the session's directory when it is not the JVM's own (a server's client). */
    @Override
    public Path path(String name) {
        Path p = Paths.get(name);
        Path dir = gogo.currentDir();
        if (p.isAbsolute() || dir == null || dir.equals(Paths.get("").toAbsolutePath())) return p;
        return dir.resolve(p);
    }

    CommandSession gogo() { return gogo; }
}
