package org.kdive.symbols.dwarf.dwarf;

import java.nio.ByteBuffer;

/**
 * {@link Reader} over a heap byte array, for the index scan. Plain array indexing stays cheap even
 * before the JIT has compiled the loop, where each ByteBuffer.get of a mapping is a chain of calls
 * (bounds, scope, Unsafe) — and a cold index build runs mostly in that state. Bounds are the
 * array's: an ArrayIndexOutOfBoundsException (an IndexOutOfBoundsException) means truncated data.
 */
public final class ArrayReader {
    public final byte[] b;
    public int pos;

    public ArrayReader(byte[] b, int pos) {
        this.b = b;
        this.pos = pos;
    }

    /** A heap copy of a section's bytes (position 0 to limit). */
    public static byte[] copy(ByteBuffer section) {
        byte[] out = new byte[section.limit()];
        section.get(0, out);
        return out;
    }

    public int u8() { return b[pos++] & 0xff; }

    public int u16() {
        int p = pos;
        pos = p + 2;
        return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8;
    }

    public int u24() {
        int p = pos;
        pos = p + 3;
        return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16;
    }

    public long u32() {
        int p = pos;
        pos = p + 4;
        return Integer.toUnsignedLong(int32(b, p));
    }

    public long u64() {
        int p = pos;
        pos = p + 8;
        return Integer.toUnsignedLong(int32(b, p)) | (long) int32(b, p + 4) << 32;
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

    public static int int32(byte[] b, int p) {
        return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16 | b[p + 3] << 24;
    }

    public long uleb() {
        int p = pos;
        int c = b[p++];
        if (c >= 0) { // one byte: abbreviation codes, attribute names and forms almost always
            pos = p;
            return c;
        }
        long result = c & 0x7f;
        int shift = 7;
        while (true) {
            c = b[p++];
            if (shift < 64) result |= (long) (c & 0x7f) << shift;
            if (c >= 0) {
                pos = p;
                return result;
            }
            shift += 7;
        }
    }

    public long sleb() {
        long result = 0;
        int shift = 0;
        int c;
        do {
            c = b[pos++];
            if (shift < 64) result |= (long) (c & 0x7f) << shift;
            shift += 7;
        } while (c < 0);
        if (shift < 64 && (c & 0x40) != 0) result |= -1L << shift;
        return result;
    }

    public void skipUleb() {
        while (b[pos++] < 0) {
            // continuation bytes
        }
    }

    public void skipCString() {
        while (b[pos++] != 0) {
            // string bytes
        }
    }

    /** FNV-1a 64 of the NUL-terminated bytes at {@code off} (the same hash as {@link Reader#hash}). */
    public static long hashCString(byte[] b, int off, int limit) {
        long h = 0xcbf29ce484222325L;
        for (int i = off; i < limit; i++) {
            byte c = b[i];
            if (c == 0) break;
            h = (h ^ (c & 0xff)) * 0x100000001b3L;
        }
        return h;
    }
}
