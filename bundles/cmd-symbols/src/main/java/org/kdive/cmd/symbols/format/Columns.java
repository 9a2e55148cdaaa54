package org.kdive.cmd.symbols.format;

/** crash's column padding (its mkstring CENTER with LJUST or RJUST). */
public final class Columns {
    private Columns() {
    }

    /** Centred in {@code width}; an odd leftover space goes to the right (crash's CENTER|LJUST, CENTER). */
    public static String center(String s, int width) {
        int extra = width - s.length();
        if (extra <= 0) return s;
        int left = extra / 2;
        return " ".repeat(left) + s + " ".repeat(extra - left);
    }

    /** Centred in {@code width}; an odd leftover space goes to the left (crash's CENTER|RJUST). */
    public static String centerRight(String s, int width) {
        int extra = width - s.length();
        if (extra <= 0) return s;
        int left = extra - extra / 2;
        return " ".repeat(left) + s + " ".repeat(extra - left);
    }

    /** Left-justified in {@code width}. */
    public static String left(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}
