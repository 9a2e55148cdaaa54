package org.kdive.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** grep, head and tail after a pipe, on lines like crash's output. */
class LineFiltersTest {
    private static final String BT = String.join("\n",
            "PID: 41       TASK: ff228398a8b7a0c0  CPU: 1    COMMAND: \"kworker/1:1H\"",
            " #0 [ff61e9284036bbf8] machine_kexec at ffffffffbca6c53f",
            " #1 [ff61e9284036bc50] __crash_kexec at ffffffffbcb5f8e1",
            " #2 [ff61e9284036bd10] crash_kexec at ffffffffbcb60a5d",
            " #3 [ff61e9284036bd18] oops_end at ffffffffbca2f2a1",
            " #4 [ff61e9284036bd38] do_trap at ffffffffbca2b6e8",
            "    [exception RIP: vqb_virtqueue_add+125]") + "\n";

    private static String run(String input, String fn, String... args) throws Exception {
        InputStream in = System.in;
        PrintStream out = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            LineFilters f = new LineFilters();
            switch (fn) {
                case "grep" -> f.grep(args);
                case "head" -> f.head(args);
                default -> f.tail(args);
            }
        } finally {
            System.setIn(in);
            System.setOut(out);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void grepCountsInvertsIgnoresCaseAndNumbersLines() throws Exception {
        assertEquals("3\n", run(BT, "grep", "-c", "kexec"));
        assertEquals("4\n", run(BT, "grep", "-vc", "kexec"));
        assertEquals(" #3 [ff61e9284036bd18] oops_end at ffffffffbca2f2a1\n", run(BT, "grep", "-i", "OOPS"));
        assertEquals("7:    [exception RIP: vqb_virtqueue_add+125]\n", run(BT, "grep", "-n", "RIP"));
        assertEquals("0\n", run(BT, "grep", "-c", "nothing-like-this"));
        assertEquals("", run(BT, "grep", "-q", "kexec"));
    }

    @Test
    void basicExtendedFixedAndWordPatternsMeanWhatGnuGrepMeans() throws Exception {
        // basic: \| alternates, a bare + is literal; extended: | alternates
        assertEquals("2\n", run(BT, "grep", "-c", "oops_end\\|do_trap"));
        assertEquals("1\n", run(BT, "grep", "-c", "add+125"));
        assertEquals("2\n", run(BT, "grep", "-Ec", "oops_end|do_trap"));
        assertEquals("1\n", run(BT, "grep", "-Fc", "[exception RIP:"));
        // -w: crash_kexec as a word, not inside __crash_kexec
        assertEquals(" #2 [ff61e9284036bd10] crash_kexec at ffffffffbcb60a5d\n", run(BT, "grep", "-w", "crash_kexec"));
        assertEquals("2\n", run(BT, "grep", "-c", "-e", "oops", "-e", "trap"));
        assertThrows(IllegalArgumentException.class, () -> run(BT, "grep", "-z", "x"));
        assertThrows(IllegalArgumentException.class, () -> run(BT, "grep"));
    }

    @Test
    void headAndTailTakeCrashStyleCounts() throws Exception {
        assertEquals(2, run(BT, "head", "-2").lines().count());
        assertEquals("    [exception RIP: vqb_virtqueue_add+125]\n", run(BT, "tail", "-n", "1"));
    }
}
