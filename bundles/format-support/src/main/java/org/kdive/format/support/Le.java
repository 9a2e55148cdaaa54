package org.kdive.format.support;

/** Little- and big-endian field access in byte arrays. */
public final class Le {
    private Le() {
    }

    public static int u8(byte[] b, int off) { return b[off] & 0xff; }

    public static int u16(byte[] b, int off) { return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8; }

    public static int i32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    public static long u32(byte[] b, int off) { return i32(b, off) & 0xffffffffL; }

    public static long i64(byte[] b, int off) { return u32(b, off) | u32(b, off + 4) << 32; }

    public static long be64(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) v = v << 8 | (b[off + i] & 0xff);
        return v;
    }

    public static void put32(byte[] b, int off, int v) {
        for (int i = 0; i < 4; i++) b[off + i] = (byte) (v >>> (8 * i));
    }

    public static void put64(byte[] b, int off, long v) {
        for (int i = 0; i < 8; i++) b[off + i] = (byte) (v >>> (8 * i));
    }

    /** A NUL-terminated string in a fixed-size field. */
    public static String cstring(byte[] b, int off, int max) {
        int end = off;
        int limit = Math.min(b.length, off + max);
        while (end < limit && b[end] != 0) end++;
        return new String(b, off, end - off, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
