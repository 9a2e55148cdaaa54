package org.kdive.api.command;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Optional;
import org.kdive.api.session.Session;
import org.kdive.api.session.SessionService;

/**
 * What a running command may use besides its arguments.
 *
 * <h2>Cancellation contract</h2>
 * <ul>
 * <li>A command runs on one thread: {@link Command#execute} and, for a
 *     {@linkplain Result#stream streamed} result, its producer, on the same thread.</li>
 * <li>Whoever cancels (the interactive shell on Ctrl-C, a kdive server whose client went away)
 *     <em>interrupts that thread</em>. An implementation may also keep a flag of its own and
 *     answer {@link #checkCancelled()} from it.</li>
 * <li>Long loops (per task, per page, per struct, per instruction) call {@link #checkCancelled()},
 *     which throws {@link CommandCancelledException}; every write to an {@link Output} does the
 *     same. Nobody catches that exception but the runner of the command, which prints nothing
 *     more for it than "cancelled" (interactive: back to the prompt; batch: exit status 130).</li>
 * <li>Code that waits (locks, queues, sleeps) lets {@link InterruptedException} end the command
 *     (re-interrupt and throw {@link CommandCancelledException}).</li>
 * <li>Beware: a {@link java.nio.channels.FileChannel} is <em>closed</em> when a thread whose
 *     interrupt flag is set reads through it. Readers of dumps and debuginfo that may run on a
 *     command's thread read through mapped buffers, or reopen a channel closed this way.</li>
 * <li>After the command ended, the runner clears the thread's interrupt flag.</li>
 * </ul>
 */
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
     * Throws {@link CommandCancelledException} if the command was cancelled (its thread
     * interrupted); cheap, call it in every long loop.
     */
    default void checkCancelled() {
        if (Thread.currentThread().isInterrupted()) throw new CommandCancelledException();
    }

    /**
     * Whether this run may download debuginfo: false when the user said {@code --no-fetch} when
     * starting kdive, so that a command opening a dump (e.g. {@code open}) respects it too.
     */
    default boolean fetchAllowed() {
        return true;
    }

    /**
     * A file name the user typed, resolved against the user's working directory: the shell's, or
     * the calling program's when a kdive server runs the command (a JVM cannot change directory).
     */
    default Path path(String name) {
        return Paths.get(name);
    }
}
