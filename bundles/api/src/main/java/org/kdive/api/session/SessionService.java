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
}
