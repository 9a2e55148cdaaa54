package org.kdive.symbols.dwarf.dwarf;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Sequential little-endian reads over a section with an int position. Bounds are checked by the
 * buffer itself: an IndexOutOfBoundsException means truncated data, turned into a format error by
 * the caller that knows the unit.
 */
public final class Reader {
    public final ByteBuffer buf;
    public int pos;

    public Reader(ByteBuffer buf, int pos) {
        this.buf = buf;
        this.pos = pos;
    }

    public int u8() { return buf.get(pos++) & 0xff; }

    public int u16() {
        int v = Short.toUnsignedInt(buf.getShort(pos));
        pos += 2;
        return v;
    }

    public int u24() { return u16() | (u8() << 16); }

    public long u32() {
        long v = Integer.toUnsignedLong(buf.getInt(pos));
        pos += 4;
        return v;
    }

    public long u64() {
        long v = buf.getLong(pos);
        pos += 8;
        return v;
    }

    public long uN(int n) {
        switch (n) {
            case 1: return u8();
            case 2: return u16();
            case 3: return u24();
            case 4: return u32();
            case 8: return u64();
            default: throw new IndexOutOfBoundsException("unsupported size " + n);
        }
    }

    public long uleb() {
        long result = 0;
        int shift = 0;
        while (true) {
            int b = buf.get(pos++);
            if (shift < 64) result |= (long) (b & 0x7f) << shift;
            if (b >= 0) return result;
            shift += 7;
        }
    }

    public long sleb() {
        long result = 0;
        int shift = 0;
        int b;
        do {
            b = buf.get(pos++);
            if (shift < 64) result |= (long) (b & 0x7f) << shift;
            shift += 7;
        } while (b < 0);
        if (shift < 64 && (b & 0x40) != 0) result |= -1L << shift;
        return result;
    }

    public void skipUleb() {
        while (buf.get(pos++) < 0) {
            // continuation bytes
        }
    }

    /** Skips a NUL-terminated string. */
    public void skipCString() {
        while (buf.get(pos++) != 0) {
            // string bytes
        }
    }

    public String cString() {
        int start = pos;
        skipCString();
        return string(buf, start);
    }

    public int remaining() { return buf.limit() - pos; }

    /** The NUL-terminated string at {@code off}; truncated data ends the string. */
    public static String string(ByteBuffer b, long off) {
        if (off < 0 || off >= b.limit()) throw new IndexOutOfBoundsException("string offset 0x" + Long.toHexString(off));
        int o = (int) off, end = o;
        int lim = b.limit();
        while (end < lim && b.get(end) != 0) end++;
        byte[] bytes = new byte[end - o];
        b.get(o, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** FNV-1a 64 of the NUL-terminated bytes at {@code off}. */
    public static long hashCString(ByteBuffer b, int off) {
        long h = 0xcbf29ce484222325L;
        int lim = b.limit();
        for (int i = off; i < lim; i++) {
            byte c = b.get(i);
            if (c == 0) break;
            h = (h ^ (c & 0xff)) * 0x100000001b3L;
        }
        return h;
    }

    public static long hash(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        long h = 0xcbf29ce484222325L;
        for (byte c : bytes) h = (h ^ (c & 0xff)) * 0x100000001b3L;
        return h;
    }
}
