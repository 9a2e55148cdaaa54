package org.kdive.api.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Each column form prints what String.format's does, to the character, also past its width. */
class ColumnsTest {
    private static final long[] VALUES = {0, 1, 9, 10, 99, 100, 12345, 999999, 1000000, 1234567890123L, -1, -9, -10,
        -12345, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1, 0xffffffff81000000L, 0xdeadbeefL};
    private static final int[] WIDTHS = {0, 1, 3, 5, 6, 7, 8, 16, 22};

    @Test
    void decimalsAsStringFormat() {
        for (long v : VALUES) {
            for (int w : WIDTHS) {
                if (w > 0) {
                    assertEquals(String.format("%" + w + "d", v), Columns.right(new StringBuilder(), v, w).toString(), v + " " + w);
                    assertEquals(String.format("%-" + w + "d", v), Columns.left(new StringBuilder(), v, w).toString(), v + " " + w);
                    assertEquals(String.format("%0" + w + "d", v), Columns.zeros(new StringBuilder(), v, w).toString(), v + " " + w);
                }
            }
        }
    }

    @Test
    void stringsAndHexAsStringFormat() {
        for (String s : new String[] {"", "R", "RU", "ID", "swapper/0", "a-rather-long-command-name"}) {
            for (int w : WIDTHS) {
                if (w > 0) {
                    assertEquals(String.format("%" + w + "s", s), Columns.right(new StringBuilder(), s, w).toString());
                    assertEquals(String.format("%-" + w + "s", s), Columns.left(new StringBuilder(), s, w).toString());
                }
            }
        }
        for (long v : VALUES) {
            assertEquals(String.format("%016x", v), Columns.hex16(new StringBuilder("x"), v).substring(1));
            assertEquals(String.format("%x", v), Columns.hex(new StringBuilder(), v).toString());
            assertEquals(String.format("%016x", v), Hex.addr(v));
        }
    }
}
