package org.kdive.triage;

/** The kernel's taint flags (include/linux/panic.h TAINT_* bits) as the letters the kernel prints. */
final class Taint {
    /** Letter of bit N, as kernel/panic.c's taint_flags print it when set. */
    private static final String LETTERS = "PFSRMBUDAWCIOELKXTN";

    private Taint() {
    }

    /** The letters of the set bits in bit order ("OE"); "" when untainted. */
    static String letters(long mask) {
        StringBuilder sb = new StringBuilder();
        for (int bit = 0; bit < LETTERS.length(); bit++) {
            if ((mask & (1L << bit)) != 0) sb.append(LETTERS.charAt(bit));
        }
        return sb.toString();
    }
}
