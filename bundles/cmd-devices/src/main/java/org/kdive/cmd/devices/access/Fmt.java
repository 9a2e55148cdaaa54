package org.kdive.cmd.devices.access;

/** crash's mkstring(): a string centred or justified in a field, never cut. */
public final class Fmt {
    public static final int CENTER = 1;
    public static final int LJUST = 2;
    public static final int RJUST = 4;

    private Fmt() {
    }

    public static String mk(String s, int size, int flags) {
        int len = s.length();
        if (size <= len) return s;
        int extra = size - len;
        if ((flags & CENTER) != 0) {
            int left;
            int right;
            if (extra % 2 != 0) {
                if ((flags & RJUST) != 0) {
                    right = extra / 2;
                    left = extra / 2 + 1;
                } else {
                    right = extra / 2 + 1;
                    left = extra / 2;
                }
            } else {
                left = right = extra / 2;
            }
            return " ".repeat(left) + s + " ".repeat(right);
        }
        if ((flags & RJUST) != 0) return " ".repeat(extra) + s;
        return s + " ".repeat(extra);
    }

    public static String hex(long v) {
        return Long.toHexString(v);
    }

    /** "%-Ns" */
    public static String left(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    /** "%Ns" */
    public static String right(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }
}
