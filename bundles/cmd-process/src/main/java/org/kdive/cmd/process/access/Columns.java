package org.kdive.cmd.process.access;

/** crash's mkstring justification: a string padded to a width; longer strings are left as they are. */
public final class Columns {
    private Columns() {
    }

    public static String left(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    public static String right(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }

    /** CENTER|LJUST (rightJustified false) or CENTER|RJUST: an odd extra space goes right or left. */
    public static String center(String s, int width, boolean rightJustified) {
        if (s.length() >= width) return s;
        int extra = width - s.length();
        int left = extra / 2;
        int right = extra / 2;
        if (extra % 2 != 0) {
            if (rightJustified) left++;
            else right++;
        }
        return " ".repeat(left) + s + " ".repeat(right);
    }

    public static String hex(long v) {
        return Long.toHexString(v);
    }
}
