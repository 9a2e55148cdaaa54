package org.kdive.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What makes later starts short, on a cache that starts empty: the first run leaves one complete
 * class-data-sharing archive (no temporary file) and Felix SCR's component-metadata cache; later
 * runs print the same and leave the same, and KDIVE_CDS=off runs without an archive.
 */
class StartupCachesTest {

    @Test
    void firstRunLeavesTheArchiveAndScrCacheLaterRunsReuseThem(@TempDir Path cache) throws Exception {
        List<String> env = List.of("KDIVE_CACHE=" + cache);
        Kdive.Run first = Kdive.run(Kdive.distro(), env, "-c", "help");
        assertEquals(0, first.status(), first.all());
        assertEquals("", first.err());
        List<Path> archives = files(cache.resolve("cds"));
        assertEquals(1, archives.size(), archives.toString());
        assertTrue(archives.get(0).getFileName().toString().endsWith(".jsa"), archives.toString());
        assertTrue(Files.size(archives.get(0)) > 1_000_000, "archive size " + Files.size(archives.get(0)));
        assertEquals(1, files(cache.resolve("felix")).stream()
                .filter(p -> p.getFileName().toString().equals("componentMetadataStore")).count(),
                "SCR's metadata cache is written when the framework stops after a bundle change");

        Kdive.Run second = Kdive.run(Kdive.distro(), env, "-c", "help");
        assertEquals(0, second.status(), second.all());
        assertEquals(first.out(), second.out());
        assertEquals("", second.err());
        assertEquals(archives, files(cache.resolve("cds")), "the archive is reused, not made again");

        Kdive.Run off = Kdive.run(Kdive.distro(), List.of("KDIVE_CACHE=" + cache.resolve("off"), "KDIVE_CDS=off"), "-c", "help");
        assertEquals(0, off.status(), off.all());
        assertEquals(first.out(), off.out());
        assertTrue(!Files.exists(cache.resolve("off").resolve("cds")), "KDIVE_CDS=off makes no archive");
    }

    private static List<Path> files(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
        }
    }
}
