package org.kdive.fetch.support;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.kdive.api.fetch.FetchException;

/** Fails once more than {@code limit} bytes came through: the guard against decompression bombs. */
public final class BoundedInputStream extends FilterInputStream {
    private final long limit;
    private final String what;
    private long count;

    public BoundedInputStream(InputStream in, long limit, String what) {
        super(in);
        this.limit = limit;
        this.what = what;
    }

    public long count() { return count; }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) add(1);
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) add(n);
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long s = super.skip(n);
        if (s > 0) add(s);
        return s;
    }

    private void add(long n) {
        count += n;
        if (count > limit) {
            throw new FetchException(what + ": unpacks to more than " + limit
                    + " bytes; refusing it (a decompression bomb, or raise the maxUnpacked setting)");
        }
    }
}
