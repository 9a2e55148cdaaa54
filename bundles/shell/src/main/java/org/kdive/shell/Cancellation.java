package org.kdive.shell;

import org.kdive.api.command.CommandCancelledException;

/**
 * Cancelling the command a shell runs (Ctrl-C). The command's thread finds out at its next
 * {@code checkCancelled()} or output write; one that does not get there soon (blocked, or in a loop
 * without checks) is interrupted after a grace period, as the API's cancellation contract says.
 */
final class Cancellation {
    private static final long GRACE_MILLIS = 1500;
    private volatile boolean cancelled;
    private volatile Thread thread;
    /** Run at each check on the command's thread: the streamed output writing what waited too long. */
    private volatile Runnable onCheck;

    /** The calling thread runs a command from now on. */
    void begin() {
        cancelled = false;
        onCheck = null;
        thread = Thread.currentThread();
    }

    /** What each check on the command's own thread runs as well, until the next command begins. */
    void onCheck(Runnable r) {
        onCheck = r;
    }

    /** The command ended; its thread's interrupt flag is cleared for the next one. */
    void end() {
        if (thread == Thread.currentThread()) {
            thread = null;
            onCheck = null;
        }
        Thread.interrupted();
    }

    boolean running() {
        return thread != null;
    }

    boolean cancelled() {
        return cancelled;
    }

    /** Ctrl-C: ask the running command to stop; interrupt it if it has not after the grace period. */
    void cancel() {
        Thread t = thread;
        if (t == null) return;
        if (cancelled) {
            t.interrupt(); // a second Ctrl-C does not wait
            return;
        }
        cancelled = true;
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(GRACE_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            if (thread == t && cancelled) t.interrupt();
        }, "kdive-cancel");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    void check() {
        if (cancelled || Thread.currentThread().isInterrupted()) throw new CommandCancelledException();
        Runnable r = onCheck;
        if (r != null && thread == Thread.currentThread()) r.run();
    }
}
