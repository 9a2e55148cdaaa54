package org.kdive.api.util;

/**
 * printf's column forms, appended to a StringBuilder. String.format parses its pattern with a
 * regular expression at every call: ~10 us a line before the JIT has compiled it, ~1 us after,
 * which is most of printing a `log` or `ps` of thousands of lines (bench/). Per-line formats use
 * these; one-off lines keep String.format.
 */
public final class Columns {
    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private Columns() {
    }

    /** {@code %<width>d}: right-aligned in blanks. */
    public static StringBuilder right(StringBuilder sb, long v, int width) {
        return blanks(sb, width - decimalLength(v)).append(v);
    }

    /** {@code %<width>s}: right-aligned in blanks. */
    public static StringBuilder right(StringBuilder sb, String s, int width) {
        return blanks(sb, width - s.length()).append(s);
    }

    /** {@code %-<width>d}: left-aligned, blanks after. */
    public static StringBuilder left(StringBuilder sb, long v, int width) {
        return blanks(sb.append(v), width - decimalLength(v));
    }

    /** {@code %-<width>s}: left-aligned, blanks after. */
    public static StringBuilder left(StringBuilder sb, String s, int width) {
        return blanks(sb.append(s), width - s.length());
    }

    /** {@code %0<width>d}: right-aligned in zeros, after the sign of a negative number. */
    public static StringBuilder zeros(StringBuilder sb, long v, int width) {
        int len = decimalLength(v);
        if (v < 0) {
            sb.append('-');
            width--;
            len--;
            for (int i = len; i < width; i++) sb.append('0');
            return v == Long.MIN_VALUE ? sb.append(Long.toString(v).substring(1)) : sb.append(-v);
        }
        for (int i = len; i < width; i++) sb.append('0');
        return sb.append(v);
    }

    /** {@code %016x}: an address's 16 hex digits. */
    public static StringBuilder hex16(StringBuilder sb, long v) {
        for (int shift = 60; shift >= 0; shift -= 4) sb.append(DIGITS[(int) (v >>> shift) & 0xf]);
        return sb;
    }

    /** {@code %x}: hex digits, no leading zeros. */
    public static StringBuilder hex(StringBuilder sb, long v) {
        int shift = v == 0 ? 0 : (63 - Long.numberOfLeadingZeros(v)) & ~3;
        for (; shift >= 0; shift -= 4) sb.append(DIGITS[(int) (v >>> shift) & 0xf]);
        return sb;
    }

    private static StringBuilder blanks(StringBuilder sb, int n) {
        for (int i = 0; i < n; i++) sb.append(' ');
        return sb;
    }

    /** Characters of {@code v} in decimal, with its sign. */
    private static int decimalLength(long v) {
        if (v == Long.MIN_VALUE) return 20;
        int len = v < 0 ? 2 : 1;
        long a = Math.abs(v);
        while (a >= 10) {
            a /= 10;
            len++;
        }
        return len;
    }
}
