package org.kdive.cmd.memory;

/** crash's mkstring justification. */
final class Cols {
    private Cols() {
    }

    static String right(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }

    /** CENTER|LJUST (rightJustified false) or CENTER|RJUST: an odd extra space goes right or left. */
    static String center(String s, int width, boolean rightJustified) {
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
}
