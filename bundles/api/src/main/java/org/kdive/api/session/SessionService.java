package org.kdive.api.session;

import java.io.IOException;
import java.util.Optional;

/** Opens dumps and holds the current session for the shell's commands. */
public interface SessionService {
    /** Opens a dump (and its debuginfo) and makes it current, closing the previous one. */
    Session open(OpenRequest request) throws IOException;

    Optional<Session> current();

    /** The current session, or a user-facing error saying how to open one. */
    Session require();

    void close();

    /**
     * Opens a dump as a session of the caller's own: it does not become {@link #current()} and
     * the next {@link #open} does not close it; the caller closes it with {@link #close(Session)}.
     * For batch work over many dumps (triage), also on several threads at once.
     */
    default Session openDetached(OpenRequest request) throws IOException {
        throw new UnsupportedOperationException("this session service opens only the current session");
    }

    /** Closes a session opened with {@link #openDetached}; the current one closes with {@link #close()}. */
    default void close(Session session) {
    }
}
