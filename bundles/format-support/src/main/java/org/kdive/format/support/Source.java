package org.kdive.format.support;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A random-access byte source: a plain file, or a logical view such as the kdump file a
 * flattened stream describes. Implementations are thread-safe.
 */
public interface Source extends Closeable {
    /** The file this source reads (for error messages). */
    Path path();

    /** Bytes available; reads beyond are short. */
    long size();

    /**
     * Bytes the source really holds: {@link #size()} for a file; less for a logical view with holes
     * (a flattened stream's records may place a few bytes far out). What a format allocates from
     * its fields is bounded by this, not by the size.
     */
    default long storedBytes() { return size(); }

    /**
     * Reads up to {@code len} bytes at {@code pos}; returns how many were read (fewer only at
     * the end of the source, 0 at or beyond it).
     */
    int read(long pos, byte[] dst, int off, int len) throws IOException;

    @Override
    void close();

    /** Reads exactly {@code len} bytes or throws a {@link java.io.EOFException}. */
    default void readFully(long pos, byte[] dst, int off, int len) throws IOException {
        int n = read(pos, dst, off, len);
        if (n < len) {
            throw new java.io.EOFException(path() + ": " + len + " bytes at offset 0x" + Long.toHexString(pos)
                    + " wanted, only " + Math.max(n, 0) + " present");
        }
    }

    default byte[] readFully(long pos, int len) throws IOException {
        byte[] b = new byte[len];
        readFully(pos, b, 0, len);
        return b;
    }
}
