package org.kdive.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.kdive.test.Corpus;

/**
 * Batch runs (issue 14 items 4 and 7): errors go to stderr with a non-zero exit status (docs/json.md
 * lists them), an unbalanced quote is an error, large outputs stream, {@code -i /dev/zero} is
 * refused instead of filling the memory, SIGINT ends a run with 130, {@code clear} needs no terminal.
 */
class BatchContractTest {
    private static Kdive.Run kdive(String commands) throws Exception {
        return Kdive.run(Kdive.distro(), Corpus.file("vmcore.kdump-zlib").toString(), Corpus.vmlinux().toString(), "-c", commands);
    }

    @Test
    void aSymbolNotFoundIsAnErrorOnStderr() throws Exception {
        Kdive.Run r = kdive("sym NO_SUCH_SYMBOL");
        assertEquals(1, r.status(), r.all());
        assertEquals("", r.out());
        // crash's words, on stderr
        assertTrue(r.err().contains("symbol not found: NO_SUCH_SYMBOL\npossible alternatives:\n  (none found)"), r.err());

        Kdive.Run both = kdive("sym jiffies NO_SUCH_SYMBOL");
        assertEquals(1, both.status(), both.all());
        assertTrue(both.out().contains("(D) jiffies"), "what was found is output: " + both.out());
        assertFalse(both.out().contains("NO_SUCH_SYMBOL"), both.out());
    }

    @Test
    void readingIntoAnExcludedPageFailsAfterWhatCouldBeRead() throws Exception {
        // makedumpfile left the page at ffffffffbe334000 out of the corpus dump (dump level 31)
        Kdive.Run r = kdive("rd -64 ffffffffbe333ff0 4");
        assertEquals(1, r.status(), r.all());
        assertEquals(1, r.out().lines().count(), "the two readable words: " + r.out());
        assertTrue(r.out().startsWith("ffffffffbe333ff0:  "), r.out());
        assertTrue(r.err().contains("rd: page excluded: kernel virtual address: ffffffffbe334000"), r.err());
        Kdive.Run first = kdive("rd -64 ffffffffbe334000 4");
        assertEquals(1, first.status(), first.all());
        assertEquals("", first.out());
        assertTrue(first.err().contains("page excluded"), first.err());
    }

    @Test
    void unbalancedQuotesAreAnError() throws Exception {
        Kdive.Run r = kdive("p \"abc; sys");
        assertEquals(1, r.status(), r.all());
        assertTrue(r.err().contains("unbalanced quote"), r.err());
        assertEquals("", r.out(), "nothing of the line runs");
    }

    @Test
    void unknownCommandsAndOptionsSuggestTheNearest() throws Exception {
        Kdive.Run r = kdive("btt; rd -63 jiffies; ps");
        assertEquals(1, r.status(), r.all());
        assertTrue(r.err().contains("btt: command not found (did you mean bt?)"), r.err());
        assertTrue(r.err().contains("rd: unknown option: -63 (did you mean -64?)"), r.err());
        assertTrue(r.out().contains("PID    PPID  CPU"), "the run goes on: " + r.out());
    }

    @Test
    void aCommandFileThatIsNotTextIsRefused() throws Exception {
        Kdive.Run r = Kdive.run(Kdive.distro(), Corpus.file("vmcore.kdump-zlib").toString(), Corpus.vmlinux().toString(),
                "-i", "/dev/zero");
        assertEquals(2, r.status(), r.all());
        assertTrue(r.err().contains("cannot read /dev/zero: not a command file"), r.err());
    }

    @Test
    void clearNeedsNoTerminal() throws Exception {
        Kdive.Run r = kdive("clear; sym jiffies");
        assertEquals(0, r.status(), r.all());
        assertFalse(r.all().contains("Exception"), r.all());
        assertTrue(r.out().contains("jiffies"), r.out());
    }

    /**
     * 4 Mi words print while they are read: the first line arrives while kdive is still running
     * (it would only come at the end if the output were built first), and SIGINT then ends the run
     * with status 130.
     */
    @Test
    void largeOutputStreamsAndSigintEndsTheRunWith130() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("setsid", Kdive.distro().toAbsolutePath().resolve("bin/kdive").toString(),
                Corpus.file("vmcore.kdump-zlib").toString(), Corpus.vmlinux().toString(), "-c", "rd -64 ffffffffbca00000 4194304");
        pb.environment().put("KDIVE_SERVER", "off");
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String first = out.readLine();
            assertTrue(first != null && first.startsWith("ffffffffbca00000:  "), String.valueOf(first));
            assertTrue(p.isAlive(), "the first line came before the end");
            new ProcessBuilder("kill", "-INT", "--", "-" + p.pid()).start().waitFor();
            Thread drain = new Thread(() -> {
                try {
                    while (out.readLine() != null) {
                        // the rest of what was printed before the signal
                    }
                } catch (java.io.IOException e) {
                    // gone
                }
            });
            drain.start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "SIGINT ends the run");
            assertEquals(130, p.exitValue());
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void exitStatusesAreDocumented() throws Exception {
        String json = java.nio.file.Files.readString(java.nio.file.Path.of(System.getProperty("kdive.docs", "../docs")).resolve("json.md"));
        for (String s : List.of("| 0 |", "| 1 |", "| 2 |", "| 3 |", "| 130 |")) assertTrue(json.contains(s), s);
    }
}
