package org.kdive.format.lkcd;

/**
 * LKCD's run-length encoding: a non-zero byte is itself; 0 followed by 0 is one zero byte;
 * 0, n (n > 0), v is n + 1 copies of v.
 */
public final class Rle {
    private Rle() {
    }

    /** Decodes into {@code out} (one page); null on success, else what is wrong. */
    public static String decode(byte[] in, byte[] out) {
        int r = 0;
        int w = 0;
        while (r < in.length) {
            int b = in[r++] & 0xff;
            if (b != 0) {
                if (w >= out.length) return "RLE data longer than a page";
                out[w++] = (byte) b;
                continue;
            }
            if (r >= in.length) return "RLE data ends inside a run";
            int count = in[r++] & 0xff;
            if (count == 0) {
                if (w >= out.length) return "RLE data longer than a page";
                out[w++] = 0;
                continue;
            }
            if (r >= in.length) return "RLE data ends inside a run";
            byte v = in[r++];
            if (w + count + 1 > out.length) return "RLE data longer than a page";
            for (int i = 0; i <= count; i++) out[w++] = v;
        }
        return w == out.length ? null : "RLE page decoded to " + w + " bytes";
    }

    /** Encodes a page (for writing fixtures and for round-trip tests). */
    public static byte[] encode(byte[] page) {
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream(page.length + 64);
        int i = 0;
        while (i < page.length) {
            int v = page[i] & 0xff;
            int run = 1;
            while (i + run < page.length && run < 256 && (page[i + run] & 0xff) == v) run++;
            if (run >= 3 || v == 0 && run >= 2) {
                o.write(0);
                o.write(run - 1);
                o.write(v);
                i += run;
            } else {
                if (v == 0) {
                    o.write(0);
                    o.write(0);
                } else {
                    o.write(v);
                }
                i++;
            }
        }
        return o.toByteArray();
    }
}
