package org.kdive.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdive.test.Corpus;
import org.kdive.test.CrashText;

/** The default distribution, run as bin/kdive on the corpus: real Felix, Gogo and bundles. */
class DistroTest {
    private static final String DUMP = Corpus.file("vmcore.kdump-zlib").toString();
    private static final String VMLINUX = Corpus.vmlinux().toString();

    @Test
    void batchRunsCrashCommandsOnTheCorpusDump() throws Exception {
        Kdive.Run r = Kdive.run(Kdive.distro(), DUMP, VMLINUX, "-c", "sys; bt");
        assertEquals(0, r.status(), r.all());
        assertTrue(r.out().contains("RELEASE: 6.1.0-50-cloud-amd64"), r.out());
        assertTrue(r.out().contains("PANIC: \"kernel BUG at /usr/src/vqbug-1.0/vqbug.c:63!\""), r.out());
        assertTrue(r.out().contains("[exception RIP: vqb_virtqueue_add+77]"), r.out());
        assertFalse(r.err().contains("\tat "), "no stack trace for the user: " + r.err());
    }

    @Test
    void crashExpressionSyntaxPassesThroughGogo() throws Exception {
        // '->', '(' and '*' mean something else to Gogo; kdive passes them to the command untouched.
        Kdive.Run r = Kdive.run(Kdive.distro(), DUMP, VMLINUX, "-c",
                "p jiffies; mod -s vqbug " + Corpus.file("vqbug.ko.debug") + "; p ((struct vqb_vring_virtqueue *)0xff228398826f8000)->vring.num");
        assertEquals(0, r.status(), r.all());
        assertTrue(r.out().contains(CrashText.layout(Corpus.crashRef("20-p-jiffies")) + "\n"), r.out());
        // value history goes on across commands: crash's reference was its first value, ours the second
        assertTrue(r.out().contains("$2 = 128"), r.out());
    }

    @Test
    void pipesIntoGogoCommands() throws Exception {
        Kdive.Run r = Kdive.run(Kdive.distro(), DUMP, VMLINUX, "-c", "bt | grep machine_kexec");
        assertEquals(0, r.status(), r.all());
        List<String> lines = Arrays.stream(r.out().split("\n")).filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), r.out());
        assertTrue(lines.get(0).contains("machine_kexec at ffffffffbca6c53f"), r.out());
    }

    @Test
    void infoDescribesTheDumpWithoutDebuginfo() throws Exception {
        Kdive.Run r = Kdive.run(Kdive.distro(), "--info", DUMP);
        assertEquals(0, r.status(), r.all());
        assertTrue(r.out().contains("6.1.0-50-cloud-amd64"), r.out());
        assertTrue(r.out().toLowerCase().contains("zlib"), r.out());
    }

    @Test
    void jsonGivesOneDocumentPerCommand() throws Exception {
        Kdive.Run r = Kdive.run(Kdive.distro(), "--json", DUMP, VMLINUX, "-c", "sys; nosuchcommand; help");
        List<String> lines = Arrays.stream(r.out().split("\n")).filter(l -> !l.isBlank()).toList();
        assertEquals(3, lines.size(), r.out()); // errors are JSON documents too (docs/json.md)
        assertTrue(lines.get(0).startsWith("{\"command\":\"sys\",\"result\":{"), lines.get(0));
        assertTrue(lines.get(0).contains("\"6.1.0-50-cloud-amd64\""), lines.get(0));
        assertTrue(lines.get(1).startsWith("{\"command\":\"nosuchcommand\",\"error\":{\"code\":\"unknown-command\""), lines.get(1));
        assertTrue(lines.get(2).startsWith("{\"command\":\"help\",\"result\":["), lines.get(2));
        assertTrue(r.err().contains("nosuchcommand: command not found"), r.err());
        assertEquals(1, r.status(), "a failed command makes the batch fail");
    }

    @Test
    void badInputGetsOneClearLine(@TempDir Path tmp) throws Exception {
        Path junk = tmp.resolve("junk.img");
        Files.write(junk, new byte[8192]);
        Kdive.Run r = Kdive.run(Kdive.distro(), junk.toString(), "-c", "sys");
        assertEquals(2, r.status(), r.all());
        assertTrue(r.err().contains(junk + ": not a dump format kdive knows"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());

        Kdive.Run missing = Kdive.run(Kdive.distro(), tmp.resolve("nope").toString(), "-c", "sys");
        assertEquals(2, missing.status(), missing.all());
        assertTrue(missing.err().contains("no such file"), missing.err());
    }
}
