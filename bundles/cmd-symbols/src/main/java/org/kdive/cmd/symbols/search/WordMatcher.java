package org.kdive.cmd.symbols.search;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Compares every aligned 8-, 4- or 2-byte word of a page with the searched values, bits set in the
 * mask ignored (crash's SEARCHMASK: both sides ORed with it).
 */
public final class WordMatcher implements PageSink {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private final int width;
    private final long mask;
    private final long[] wanted;
    private final Hits hits;

    /** @param width 8, 4 or 2 bytes */
    public WordMatcher(int width, long[] values, long mask, Hits hits) {
        this.width = width;
        long widthMask = width == 8 ? -1L : (1L << (8 * width)) - 1;
        this.mask = mask & widthMask;
        this.wanted = new long[values.length];
        for (int i = 0; i < values.length; i++) wanted[i] = (values[i] | this.mask) & widthMask;
        this.hits = hits;
    }

    @Override
    public boolean chunk(long address, byte[] page, int from, int to) {
        return switch (width) {
            case 8 -> longs(address, page, from, to);
            case 4 -> ints(address, page, from, to);
            default -> shorts(address, page, from, to);
        };
    }

    private boolean longs(long address, byte[] page, int from, int to) {
        long m = mask;
        long[] w = wanted;
        for (int i = from; i < to; i += 8) {
            long v = (long) LONGS.get(page, i);
            long masked = v | m;
            for (int k = 0; k < w.length; k++) {
                if (masked == w[k] && !hits.value(address + (i - from), v, k)) return false;
            }
        }
        return true;
    }

    private boolean ints(long address, byte[] page, int from, int to) {
        int m = (int) mask;
        for (int i = from; i < to; i += 4) {
            int v = (int) INTS.get(page, i);
            long masked = (v | m) & 0xffffffffL;
            for (int k = 0; k < wanted.length; k++) {
                if (masked == wanted[k] && !hits.value(address + (i - from), v & 0xffffffffL, k)) return false;
            }
        }
        return true;
    }

    private boolean shorts(long address, byte[] page, int from, int to) {
        int m = (int) mask;
        for (int i = from; i < to; i += 2) {
            int v = (short) SHORTS.get(page, i) & 0xffff;
            long masked = (v | m) & 0xffff;
            for (int k = 0; k < wanted.length; k++) {
                if (masked == wanted[k] && !hits.value(address + (i - from), v, k)) return false;
            }
        }
        return true;
    }
}
