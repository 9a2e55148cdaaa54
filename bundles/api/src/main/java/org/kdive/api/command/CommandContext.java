package org.kdive.api.command;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Optional;
import org.kdive.api.session.Session;
import org.kdive.api.session.SessionService;

/** What a running command may use besides its arguments. */
public interface CommandContext {
    /** The open dump, or a CommandException telling the user to open one. */
    Session session();

    Optional<Session> maybeSession();

    SessionService sessions();

    /** A warning shown to the user on stderr (and logged), output continues. */
    void warn(String message);

    /** Progress of long work (indexing, downloads); cheap to call often. */
    Progress progress(String task, long total);

    /** Whether the user asked for JSON (commands that stream may adapt). */
    boolean json();

    /**
     * A file name the user typed, resolved against the user's working directory: the shell's, or
     * the calling program's when a kdive server runs the command (a JVM cannot change directory).
     */
    default Path path(String name) {
        return Paths.get(name);
    }
}
