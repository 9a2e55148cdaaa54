package org.kdive.cmd.symbols.format;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** gdb 10.2's rules for char arrays under crash's settings: the final NUL dropped, no repeat counts, 256 at most. */
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
    void runsAreNeverRepeatCounts() {
        // crash sets gdb's repeat threshold to 0x7fffffff
        assertEquals("\"" + "\\000".repeat(63) + "\"", print(new byte[64]));
        byte[] mixed = "xxxxxxxxxxxxyz\0".getBytes(StandardCharsets.US_ASCII);
        assertEquals("\"xxxxxxxxxxxxyz\"", print(mixed));
    }

    @Test
    void escapesAndEllipsis() {
        assertEquals("\"a\\\"b\\n\\033\\377\"", print(new byte[] {'a', '"', 'b', '\n', 27, (byte) 0xff}));
        // gdb (print_wchar's need_escape) writes a digit that follows an octal escape in octal too, so it
        // cannot be read as part of the escape, and so on while digits follow: crash 8.0.6's task on the
        // made dumps prints the FPU state's __padding as "...\000\066.12.1"... (refs/crash-8.0.6/09-task.txt)
        assertEquals("\"a\\000\\061b\"", print(new byte[] {'a', 0, '1', 'b'}));
        assertEquals("\"a\\000\\061\\062\\062b\"", print(new byte[] {'a', 0, '1', '2', '2', 'b'}));
        // a non-digit ends it: the next digit is plain again
        assertEquals("\"\\000\\061x1\"", print(new byte[] {0, '1', 'x', '1'}));
        byte[] longer = new byte[300];
        for (int i = 0; i < 300; i++) longer[i] = (byte) (i % 2 == 0 ? 'p' : 'q');
        String s = ValueFormatter.printString(longer, 300, false);
        assertEquals("\"" + "pq".repeat(128) + "\"...", s); // crash's print elements: 256
    }

    @Test
    void aRunIsTakenWholeAcrossTheLimit() {
        // gdb 10.2 counts whole runs: a run that starts before 256 is printed to its end
        byte[] b = new byte[4096];
        b[0] = 'a';
        String s = print(b);
        assertEquals("\"a" + "\\000".repeat(4094) + "\"", s);
    }

    @Test
    void doublesLikeGdb() {
        assertEquals("1.5", ValueFormatter.formatDouble(1.5, 17));
        assertEquals("0.10000000000000001", ValueFormatter.formatDouble(0.1, 17));
        assertEquals("3", ValueFormatter.formatDouble(3.0, 17));
        assertEquals("1e+20", ValueFormatter.formatDouble(1e20, 17));
    }
}
