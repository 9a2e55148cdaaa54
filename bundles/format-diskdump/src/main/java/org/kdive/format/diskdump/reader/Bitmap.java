package org.kdive.format.diskdump.reader;

/** A page bitmap (bit n = pfn n, little-endian bytes) with rank support for descriptor lookup. */
final class Bitmap {
    private static final int BLOCK_WORDS = 8;
    private final long[] words;
    private final long bits;
    /** Set bits before each block of {@link #BLOCK_WORDS} words. */
    private final long[] blockRank;

    Bitmap(byte[] bytes, int off, int len) {
        int nwords = (len + 7) / 8;
        this.words = new long[nwords];
        this.bits = (long) len * 8;
        for (int i = 0; i < len; i++) {
            words[i >>> 3] |= (bytes[off + i] & 0xffL) << ((i & 7) * 8);
        }
        this.blockRank = new long[nwords / BLOCK_WORDS + 1];
        long r = 0;
        for (int w = 0; w < nwords; w++) {
            if (w % BLOCK_WORDS == 0) blockRank[w / BLOCK_WORDS] = r;
            r += Long.bitCount(words[w]);
        }
        if (nwords % BLOCK_WORDS == 0) blockRank[nwords / BLOCK_WORDS] = r;
    }

    long bits() { return bits; }

    boolean get(long pfn) {
        if (pfn < 0 || pfn >= bits) return false;
        return (words[(int) (pfn >>> 6)] >>> (pfn & 63) & 1) != 0;
    }

    /** Set bits in [0, pfn). */
    long rank(long pfn) {
        if (pfn <= 0) return 0;
        if (pfn >= bits) pfn = bits;
        int w = (int) (pfn >>> 6);
        int block = w / BLOCK_WORDS;
        long r = blockRank[block];
        for (int i = block * BLOCK_WORDS; i < w; i++) r += Long.bitCount(words[i]);
        if ((pfn & 63) != 0) r += Long.bitCount(words[w] & ((1L << (pfn & 63)) - 1));
        return r;
    }

    /** The first set bit at or after pfn, or -1. */
    long next(long pfn) {
        if (pfn < 0) pfn = 0;
        if (pfn >= bits) return -1;
        int w = (int) (pfn >>> 6);
        long cur = words[w] & (-1L << (pfn & 63));
        while (true) {
            if (cur != 0) {
                long r = ((long) w << 6) + Long.numberOfTrailingZeros(cur);
                return r < bits ? r : -1;
            }
            if (++w >= words.length) return -1;
            cur = words[w];
        }
    }

    /** The pfn of the k-th set bit (0-based), or -1. */
    long select(long k) {
        if (k < 0) return -1;
        int lo = 0;
        int hi = blockRank.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (blockRank[mid] <= k && mid * BLOCK_WORDS < words.length) lo = mid;
            else hi = mid - 1;
        }
        long r = blockRank[lo];
        for (int w = lo * BLOCK_WORDS; w < words.length; w++) {
            int c = Long.bitCount(words[w]);
            if (r + c > k) {
                long word = words[w];
                for (long i = k - r; i > 0; i--) word &= word - 1;
                return ((long) w << 6) + Long.numberOfTrailingZeros(word);
            }
            r += c;
        }
        return -1;
    }
}
