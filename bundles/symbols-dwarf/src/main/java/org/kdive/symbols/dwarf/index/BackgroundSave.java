package org.kdive.symbols.dwarf.index;

/**
 * A cache file written on a low-priority daemon thread while the run goes on, and waited for
 * (bounded) before its source closes, so that the next run finds it: the name index's and the
 * symbol table's.
 */
public final class BackgroundSave {
    private volatile Thread thread;

    /** Starts {@code save} (a class rather than a lambda: a cold JVM bootstraps its first lambda in ~20 ms). */
    public void start(Runnable save, String threadName) {
        Thread t = new Thread(save, threadName);
        t.setDaemon(true); // never keeps a JVM alive; a cut-off save leaves only a temporary file
        t.setPriority(Thread.MIN_PRIORITY);
        thread = t;
        t.start();
    }

    /** Waits at most {@code millis} for the save started last, if any. */
    public void await(long millis) {
        Thread t = thread;
        if (t == null) return;
        try {
            t.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
