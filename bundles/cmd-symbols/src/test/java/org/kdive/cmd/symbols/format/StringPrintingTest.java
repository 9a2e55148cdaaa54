package org.kdive.cmd.symbols.format;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** gdb's rules for char arrays: the final NUL is dropped, runs above 10 become repeats, 200 at most. */
class StringPrintingTest {
    private static String print(byte[] b) {
        return ValueFormatter.printString(b, b.length, false);
    }

    @Test
    void shortRunsStayInline() {
        byte[] comm = new byte[16];
        System.arraycopy("swapper/0".getBytes(StandardCharsets.US_ASCII), 0, comm, 0, 9);
        assertEquals("\"swapper/0\\000\\000\\000\\000\\000\\000\"", print(comm));
    }

    @Test
    void longRunsRepeat() {
        assertEquals("'\\000' <repeats 63 times>", print(new byte[64]));
        byte[] b = new byte[16];
        b[0] = 'a';
        b[1] = 'b';
        b[2] = 'c';
        assertEquals("\"abc\", '\\000' <repeats 12 times>", print(b));
        byte[] mixed = "xxxxxxxxxxxxyz\0".getBytes(StandardCharsets.US_ASCII);
        assertEquals("'x' <repeats 12 times>, \"yz\"", print(mixed));
    }

    @Test
    void escapesAndEllipsis() {
        assertEquals("\"a\\\"b\\n\\033\\377\"", print(new byte[] {'a', '"', 'b', '\n', 27, (byte) 0xff}));
        byte[] longer = new byte[300];
        java.util.Arrays.fill(longer, 0, 300, (byte) 'q');
        for (int i = 0; i < 300; i += 2) longer[i] = 'p';
        String s = ValueFormatter.printString(longer, 300, false);
        assertEquals(200 + 2 + 3, s.length(), s);
    }

    @Test
    void doublesLikeGdb() {
        assertEquals("1.5", ValueFormatter.formatDouble(1.5, 17));
        assertEquals("0.10000000000000001", ValueFormatter.formatDouble(0.1, 17));
        assertEquals("3", ValueFormatter.formatDouble(3.0, 17));
        assertEquals("1e+20", ValueFormatter.formatDouble(1e20, 17));
    }
}
