package org.kdive.cmd.symbols.search;

import java.util.Arrays;

/**
 * crash's string search: every byte position of a page is compared with each string; a match shows
 * up to {@value #SHOWN} bytes from its start, cut at the end of the page. A string that starts near
 * the end of a page and goes on at the start of the next one counts only when the next page searched
 * is the one right after it; then the string is shown followed by what follows it in that page.
 */
public final class StringMatcher implements PageSink {
    static final int SHOWN = 56;

    private final byte[][] targets;
    private final Hits hits;
    /** Per string: which of the last len-1 positions of the previous page began a partial match. */
    private final boolean[][] partial;
    private final long[] partialBase;
    private long previousEnd = -1;
    private boolean started;

    public StringMatcher(byte[][] targets, Hits hits) {
        this.targets = targets;
        this.hits = hits;
        this.partial = new boolean[targets.length][];
        this.partialBase = new long[targets.length];
        for (int j = 0; j < targets.length; j++) partial[j] = new boolean[Math.max(0, targets[j].length - 1)];
    }

    @Override
    public boolean chunk(long address, byte[] page, int from, int to) {
        if (started && previousEnd == address && !finishPartials(page, from, to)) return false;
        started = true;
        int count = to - from;
        previousEnd = address + count;
        for (int j = 0; j < targets.length; j++) {
            Arrays.fill(partial[j], false);
            partialBase[j] = address + count - (targets[j].length - 1);
        }
        for (int i = 0; i < count; i++) {
            byte b = page[from + i];
            for (int j = 0; j < targets.length; j++) {
                byte[] t = targets[j];
                if (t[0] != b) continue;
                int len = t.length;
                if (i + len > count) {
                    if (equal(t, 0, page, from + i, count - i)) partial[j][len + i - count - 1] = true;
                } else if (equal(t, 0, page, from + i, len)) {
                    int shown = Math.min(SHOWN, count - i);
                    if (!hits.string(address + i, Arrays.copyOfRange(page, from + i, from + i + shown), j)) return false;
                }
            }
        }
        return true;
    }

    /** Strings begun at the end of the previous page and completed at the start of this one. */
    private boolean finishPartials(byte[] page, int from, int to) {
        for (int j = 0; j < targets.length; j++) {
            byte[] t = targets[j];
            int len = t.length;
            for (int h = 0; h < len - 1; h++) {
                if (!partial[j][h] || h + 1 > to - from || !equal(t, len - 1 - h, page, from, h + 1)) continue;
                byte[] shown = new byte[SHOWN];
                System.arraycopy(t, 0, shown, 0, Math.min(len, SHOWN));
                int rest = Math.max(0, Math.min(SHOWN - len, page.length - (from + h + 1)));
                System.arraycopy(page, from + h + 1, shown, Math.min(len, SHOWN), rest);
                if (!hits.string(partialBase[j] + h, Arrays.copyOf(shown, Math.min(len, SHOWN) + rest), j)) return false;
            }
        }
        return true;
    }

    private static boolean equal(byte[] a, int aFrom, byte[] b, int bFrom, int n) {
        return Arrays.equals(a, aFrom, aFrom + n, b, bFrom, bFrom + n);
    }
}
