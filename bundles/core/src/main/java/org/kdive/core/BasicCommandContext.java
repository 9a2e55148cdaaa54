package org.kdive.core;

import java.util.Optional;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.Progress;
import org.kdive.api.session.Session;
import org.kdive.api.session.SessionService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A command context over a session service: warnings to stderr, progress on stderr. */
public class BasicCommandContext implements CommandContext {
    private static final Logger LOG = LoggerFactory.getLogger(BasicCommandContext.class);
    private final SessionService sessions;
    private final boolean json;

    public BasicCommandContext(SessionService sessions) {
        this(sessions, false);
    }

    public BasicCommandContext(SessionService sessions, boolean json) {
        this.sessions = sessions;
        this.json = json;
    }

    @Override
    public Session session() { return sessions.require(); }

    @Override
    public Optional<Session> maybeSession() { return sessions.current(); }

    @Override
    public SessionService sessions() { return sessions; }

    @Override
    public void warn(String message) {
        LOG.debug("warning shown: {}", message);
        System.err.println("WARNING: " + message);
    }

    @Override
    public Progress progress(String task, long total) { return new org.kdive.api.util.TextProgress(task, total); }

    @Override
    public boolean json() { return json; }
}
