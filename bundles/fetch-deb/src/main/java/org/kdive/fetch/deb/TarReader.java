package org.kdive.fetch.deb;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.kdive.api.fetch.FetchException;
import org.kdive.fetch.support.DebugFileCollector;

/** A tar stream (ustar, GNU long names 'L', pax 'x' path/size), entry by entry. */
final class TarReader {
    private static final long MAX_META = 1 << 20;

    /** One entry; data valid until the next call of {@link TarReader#next()}. */
    record Entry(String name, DebugFileCollector.Kind kind, long size, InputStream data) {
    }

    private final InputStream in;
    private final String what;
    private long remaining;
    private long padding;

    TarReader(InputStream in, String what) {
        this.in = in;
        this.what = what;
    }

    Entry next() throws IOException {
        skipFully(remaining + padding);
        remaining = 0;
        padding = 0;
        String longName = null;
        Long paxSize = null;
        while (true) {
            byte[] h = in.readNBytes(512);
            if (h.length == 0) return null;
            if (h.length < 512) throw new EOFException(what + ": truncated tar header");
            if (allZero(h)) return null;
            checkSum(h);
            char type = (char) h[156];
            long size = number(h, 124, 12);
            if (size < 0) throw new FetchException(what + ": negative tar entry size");
            if (type == 'L' || type == 'x' || type == 'K' || type == 'g') {
                if (size > MAX_META) throw new FetchException(what + ": oversized tar metadata entry");
                byte[] data = in.readNBytes((int) size);
                if (data.length < size) throw new EOFException(what + ": truncated tar");
                skipFully(pad(size));
                if (type == 'L') {
                    longName = cstring(data, 0, data.length);
                } else if (type == 'x') {
                    String[] pax = parsePax(data);
                    if (pax[0] != null) longName = pax[0];
                    if (pax[1] != null) paxSize = Long.parseLong(pax[1]);
                }
                continue;
            }
            String name = longName;
            if (name == null) {
                String prefix = h[257] == 'u' && h[258] == 's' && h[259] == 't' ? cstring(h, 345, 155) : "";
                name = cstring(h, 0, 100);
                if (!prefix.isEmpty()) name = prefix + "/" + name;
            }
            if (paxSize != null) size = paxSize;
            DebugFileCollector.Kind kind = switch (type) {
                case '0', '\0', '7' -> DebugFileCollector.Kind.FILE;
                case '1' -> DebugFileCollector.Kind.HARDLINK;
                case '2' -> DebugFileCollector.Kind.SYMLINK;
                case '5' -> DebugFileCollector.Kind.DIRECTORY;
                default -> DebugFileCollector.Kind.OTHER;
            };
            if (kind == DebugFileCollector.Kind.HARDLINK || kind == DebugFileCollector.Kind.SYMLINK
                    || kind == DebugFileCollector.Kind.DIRECTORY) {
                size = 0;
            }
            remaining = size;
            padding = pad(size);
            return new Entry(name, kind, size, new InputStream() {
                @Override public int read() throws IOException {
                    if (remaining <= 0) return -1;
                    int b = in.read();
                    if (b < 0) throw new EOFException(what + ": truncated tar entry");
                    remaining--;
                    return b;
                }

                @Override public int read(byte[] b, int off, int len) throws IOException {
                    if (remaining <= 0) return -1;
                    int n = in.read(b, off, (int) Math.min(len, remaining));
                    if (n < 0) throw new EOFException(what + ": truncated tar entry");
                    remaining -= n;
                    return n;
                }
            });
        }
    }

    private String[] parsePax(byte[] data) {
        String[] out = new String[2];
        int p = 0;
        while (p < data.length) {
            int sp = p;
            while (sp < data.length && data[sp] != ' ') sp++;
            if (sp >= data.length) break;
            int len;
            try {
                len = Integer.parseInt(new String(data, p, sp - p, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new FetchException(what + ": damaged pax header");
            }
            if (len <= 0 || p + len > data.length) throw new FetchException(what + ": damaged pax header");
            String rec = new String(data, sp + 1, p + len - sp - 2, StandardCharsets.UTF_8);
            int eq = rec.indexOf('=');
            if (eq > 0) {
                String k = rec.substring(0, eq);
                if (k.equals("path")) out[0] = rec.substring(eq + 1);
                if (k.equals("size")) out[1] = rec.substring(eq + 1);
            }
            p += len;
        }
        return out;
    }

    private void checkSum(byte[] h) {
        long stored = number(h, 148, 8);
        long sum = 0;
        for (int i = 0; i < 512; i++) sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
        if (sum != stored) throw new FetchException(what + ": damaged tar header (checksum)");
    }

    private long number(byte[] h, int off, int len) {
        if ((h[off] & 0x80) != 0) { // GNU base-256
            long v = h[off] & 0x7f;
            for (int i = 1; i < len; i++) {
                if (v > (Long.MAX_VALUE >> 8)) throw new FetchException(what + ": tar size out of range");
                v = (v << 8) | (h[off + i] & 0xff);
            }
            return v;
        }
        String s = cstring(h, off, len).trim();
        if (s.isEmpty()) return 0;
        try {
            return Long.parseLong(s, 8);
        } catch (NumberFormatException e) {
            throw new FetchException(what + ": damaged tar number '" + s + "'");
        }
    }

    private static String cstring(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) end++;
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) if (x != 0) return false;
        return true;
    }

    private static long pad(long size) {
        return (512 - (size % 512)) % 512;
    }

    private void skipFully(long n) throws IOException {
        byte[] buf = new byte[8192];
        while (n > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n));
            if (r < 0) throw new EOFException(what + ": truncated tar");
            n -= r;
        }
    }
}
