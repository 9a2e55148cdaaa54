package org.kdive.cmd.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.kdive.api.command.Result;
import org.kdive.test.Corpus;
import org.kdive.test.session.CorpusSession;

/**
 * mod -d, -D, -r, -g, -o and -t on the corpus, in the order crash 8.0.6 ran them in one session
 * (src/test/resources/refs/crash-8.0.6/modseq-*.txt): dropping and reloading vqbug's debuginfo
 * changes what the next reference sees, so they run in sequence. crash names the object file as
 * typed ("vqbug.ko.debug" in the corpus folder); the test passes the corpus file's path and shows it
 * under that name. The session ends with vqbug's debuginfo loaded, as the other tests expect.
 */
@Order(4)
class ModOptionsTest {
    @Test
    void modOptionsInCrashsOrder() throws IOException, URISyntaxException {
        CrashAuditTest.onlyVqbugDebuginfo();
        Path dir = Path.of(ModOptionsTest.class.getResource("/refs/crash-8.0.6").toURI());
        List<Path> files;
        try (Stream<Path> all = Files.list(dir)) {
            files = all.filter(p -> p.getFileName().toString().startsWith("modseq-")).sorted().toList();
        }
        assertEquals(12, files.size(), "modseq references");
        String path = Corpus.file("vqbug.ko.debug").toString();
        for (Path f : files) {
            List<String> lines = List.of(Files.readString(f, StandardCharsets.UTF_8).split("\n", -1));
            String line = lines.get(0).substring("crash> ".length());
            String expected = String.join("\n", lines.subList(1, lines.size()));
            String actual = CrashAuditTest.run(line.replace(" vqbug.ko.debug", " " + path), CrashAuditTest.PANIC_PID).replace(path, "vqbug.ko.debug");
            assertEquals(CrashAuditTest.comparable(expected), CrashAuditTest.comparable(actual), f.getFileName() + ": " + line);
        }
        assertTrue(CorpusSession.get().modules().stream().anyMatch(m -> "vqbug".equals(m.module())), "vqbug's debuginfo is loaded again");
    }

    /** -d and -D report what they dropped in JSON; -t its rows with the taint bits. */
    @Test
    @SuppressWarnings("unchecked")
    void typedData() {
        CrashAuditTest.onlyVqbugDebuginfo();
        Result t = CorpusSession.result(new ModCommand(), "-t");
        List<Map<String, Object>> rows = (List<Map<String, Object>>) ((Map<String, Object>) t.data()).get("modules");
        assertEquals(1, rows.size());
        assertEquals("vqbug", rows.get(0).get("name"));
        assertEquals("OE", rows.get(0).get("letters"));
        // O = TAINT_OOT_MODULE (12), E = TAINT_UNSIGNED_MODULE (13)
        assertEquals((1L << 12) | (1L << 13), rows.get(0).get("taints"));
        Result d = CorpusSession.result(new ModCommand(), "-d", "vqbug");
        assertEquals(List.of("vqbug"), ((Map<String, Object>) d.data()).get("unloaded"));
        assertTrue(CorpusSession.get().modules().stream().noneMatch(m -> "vqbug".equals(m.module())));
        CorpusSession.result(new ModCommand(), "-s", "vqbug", Corpus.file("vqbug.ko.debug").toString());
    }
}
