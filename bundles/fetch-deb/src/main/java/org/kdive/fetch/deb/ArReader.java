package org.kdive.fetch.deb;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.kdive.api.fetch.FetchException;

/** The ar container of a .deb/.ddeb: "!&lt;arch&gt;\n" then members with 60-byte headers. */
final class ArReader {
    /** One member; its data is {@link #data()} until the next call to {@link ArReader#next()}. */
    record Member(String name, long size, InputStream data) {
    }

    private final InputStream in;
    private final String what;
    private long remaining;
    private boolean pad;

    ArReader(InputStream in, String what) throws IOException {
        this.in = in;
        this.what = what;
        byte[] magic = in.readNBytes(8);
        if (!new String(magic, StandardCharsets.US_ASCII).equals("!<arch>\n")) {
            throw new FetchException(what + ": not a Debian package (no ar header)");
        }
    }

    Member next() throws IOException {
        skipFully(remaining + (pad ? 1 : 0));
        remaining = 0;
        byte[] h = in.readNBytes(60);
        if (h.length == 0) return null;
        if (h.length < 60 || h[58] != '`' || h[59] != '\n') {
            throw new FetchException(what + ": damaged ar member header");
        }
        String name = new String(h, 0, 16, StandardCharsets.US_ASCII).trim();
        if (name.endsWith("/")) name = name.substring(0, name.length() - 1);
        long size;
        try {
            size = Long.parseLong(new String(h, 48, 10, StandardCharsets.US_ASCII).trim());
        } catch (NumberFormatException e) {
            throw new FetchException(what + ": damaged ar member size for " + name);
        }
        if (size < 0) throw new FetchException(what + ": negative ar member size");
        remaining = size;
        pad = (size & 1) == 1;
        return new Member(name, size, new InputStream() {
            @Override public int read() throws IOException {
                if (remaining <= 0) return -1;
                int b = in.read();
                if (b < 0) throw new EOFException(what + ": truncated in " + "ar member");
                remaining--;
                return b;
            }

            @Override public int read(byte[] b, int off, int len) throws IOException {
                if (remaining <= 0) return -1;
                int n = in.read(b, off, (int) Math.min(len, remaining));
                if (n < 0) throw new EOFException(what + ": truncated in ar member");
                remaining -= n;
                return n;
            }

            @Override public void close() {
                // the container stays open
            }
        });
    }

    private void skipFully(long n) throws IOException {
        while (n > 0) {
            long s = in.skip(n);
            if (s <= 0) {
                if (in.read() < 0) throw new EOFException(what + ": truncated");
                s = 1;
            }
            n -= s;
        }
    }
}
