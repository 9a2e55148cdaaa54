package org.kdive.api.util;

import java.io.PrintStream;
import org.kdive.api.command.Progress;

/** A one-line progress display on stderr, redrawn at most a few times per second. */
public final class TextProgress implements Progress {
    private static final long REDRAW_NANOS = 250_000_000L;
    private final String task;
    private final long total;
    private final PrintStream out = System.err;
    private final boolean tty = System.console() != null;
    private long done;
    private long lastDraw;

    public TextProgress(String task, long total) {
        this.task = task;
        this.total = total;
        if (!tty) out.println(task + " ...");
    }

    @Override
    public synchronized void advance(long amount) {
        done += amount;
        long now = System.nanoTime();
        if (tty && now - lastDraw > REDRAW_NANOS) {
            lastDraw = now;
            draw();
        }
    }

    private void draw() {
        if (total > 0) {
            int pct = (int) Math.min(100, done * 100 / total);
            int bar = pct / 4;
            out.printf("\r%s [%s%s] %3d%% %s", task, "#".repeat(bar), " ".repeat(25 - bar), pct, human(done));
        } else {
            out.printf("\r%s %s", task, human(done));
        }
        out.flush();
    }

    @Override
    public synchronized void close() {
        if (tty) {
            draw();
            out.println();
        } else {
            out.println(task + " done (" + human(done) + ")");
        }
    }

    public static String human(long bytes) {
        if (bytes < 1024) return bytes + " B";
        if (bytes < 1024 * 1024) return String.format("%.1f KiB", bytes / 1024.0);
        if (bytes < 1024L * 1024 * 1024) return String.format("%.1f MiB", bytes / 1048576.0);
        return String.format("%.2f GiB", bytes / 1073741824.0);
    }
}
