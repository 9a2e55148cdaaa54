package org.kdive.format.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file read through memory-mapped windows (lazily mapped, 1 GiB each), so page reads cost no
 * system call; falls back to positional reads if mapping fails. Never loads the file; thread-safe.
 */
public final class FileSource implements Source {
    private static final int WINDOW_SHIFT = 30;
    private static final long WINDOW = 1L << WINDOW_SHIFT;
    private final Path path;
    private final FileChannel channel;
    private final long size;
    private final MappedByteBuffer[] windows;
    private volatile boolean mapFailed;

    public FileSource(Path path) throws IOException {
        this.path = path;
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
        this.size = channel.size();
        this.windows = new MappedByteBuffer[(int) ((size + WINDOW - 1) >>> WINDOW_SHIFT)];
    }

    @Override public Path path() { return path; }

    @Override public long size() { return size; }

    @Override
    public int read(long pos, byte[] dst, int off, int len) throws IOException {
        if (pos < 0 || pos >= size || len <= 0) return 0;
        int n = (int) Math.min(len, size - pos);
        int done = 0;
        while (done < n) {
            long p = pos + done;
            ByteBuffer w = window((int) (p >>> WINDOW_SHIFT));
            if (w == null) return done + channelRead(p, dst, off + done, n - done);
            int inWin = (int) (p & (WINDOW - 1));
            int chunk = Math.min(n - done, w.capacity() - inWin);
            w.get(inWin, dst, off + done, chunk);
            done += chunk;
        }
        return done;
    }

    private ByteBuffer window(int i) {
        if (mapFailed) return null;
        MappedByteBuffer w = windows[i];
        if (w == null) {
            synchronized (windows) {
                w = windows[i];
                if (w == null) {
                    long start = (long) i << WINDOW_SHIFT;
                    try {
                        w = channel.map(FileChannel.MapMode.READ_ONLY, start, Math.min(WINDOW, size - start));
                    } catch (IOException | UnsupportedOperationException e) {
                        mapFailed = true;
                        return null;
                    }
                    windows[i] = w;
                }
            }
        }
        return w;
    }

    private int channelRead(long pos, byte[] dst, int off, int len) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(dst, off, len);
        int total = 0;
        while (b.hasRemaining()) {
            int n = channel.read(b, pos + total);
            if (n <= 0) break;
            total += n;
        }
        return total;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
