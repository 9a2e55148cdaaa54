package org.kdive.cmd.kernel.mem;

/** crash's column helpers (mkstring): centring that leans right or left when it cannot be exact. */
public final class Columns {
    private Columns() {
    }

    /** {@code s} centred in {@code width}; an odd spare blank goes left when {@code rjust}, else right. */
    public static String center(String s, int width, boolean rjust) {
        int extra = width - s.length();
        if (extra <= 0) return s;
        int left = extra / 2 + (extra % 2 == 1 && rjust ? 1 : 0);
        return " ".repeat(left) + s + " ".repeat(extra - left);
    }

    public static String right(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }

    public static String left(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}
