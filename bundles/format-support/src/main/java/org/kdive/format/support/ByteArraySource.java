package org.kdive.format.support;

import java.nio.file.Path;

/** Bytes in memory as a source: for fuzzing the parsers and for small fixtures. */
public final class ByteArraySource implements Source {
    private final Path path;
    private final byte[] data;

    public ByteArraySource(Path path, byte[] data) {
        this.path = path;
        this.data = data;
    }

    @Override public Path path() { return path; }

    @Override public long size() { return data.length; }

    @Override
    public int read(long pos, byte[] dst, int off, int len) {
        if (pos < 0 || pos >= data.length || len <= 0) return 0;
        int n = (int) Math.min(len, data.length - pos);
        System.arraycopy(data, (int) pos, dst, off, n);
        return n;
    }

    @Override
    public void close() {
    }
}
