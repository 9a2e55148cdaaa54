package org.kdive.format.diskdump;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.DumpFormatException;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.api.dump.MemoryAccessException.Reason;
import org.kdive.api.dump.PhysicalMemory;
import org.kdive.format.diskdump.fixture.KdumpWriter;
import org.kdive.test.Corpus;

/**
 * Layouts the corpus lacks, as fixtures written from the format definition with real corpus pages
 * (first 64 MiB of physical memory), plus split and truncated files.
 */
class FixtureTest {
    static final long MAPNR = 0x4000;
    static final Path DIR = Paths.get("target", "fixtures");
    static Dump corpus;

    @BeforeAll
    static void open() throws Exception {
        Files.createDirectories(DIR);
        corpus = new DiskdumpFormat().open(List.of(Corpus.file("vmcore.kdump-zlib")));
    }

    @AfterAll
    static void close() {
        corpus.close();
    }

    /** Every page below {@code mapnr}: same presence, same bytes, same reason when absent. */
    static int assertSamePages(PhysicalMemory expected, PhysicalMemory actual, long mapnr) {
        byte[] a = new byte[4096];
        byte[] b = new byte[4096];
        int present = 0;
        for (long pfn = 0; pfn < mapnr; pfn++) {
            long pa = pfn * 4096;
            assertEquals(expected.isPresent(pa), actual.isPresent(pa), String.format("presence of 0x%x", pa));
            if (expected.isPresent(pa)) {
                expected.read(pa, a, 0, 4096);
                actual.read(pa, b, 0, 4096);
                assertArrayEquals(a, b, String.format("page 0x%x", pa));
                present++;
            } else {
                assertEquals(reason(expected, pa), reason(actual, pa), String.format("reason for 0x%x", pa));
            }
        }
        return present;
    }

    static Reason reason(PhysicalMemory m, long pa) {
        try {
            m.read(pa, 1);
            return null;
        } catch (MemoryAccessException e) {
            return e.reason();
        }
    }

    @ParameterizedTest
    @CsvSource({"zstd,32", "snappy,4", "lzo,2", "zlib,1", "none,0"})
    void compressionFixtureWrittenFromSpecReadsLikeTheCorpus(String name, int flag) throws Exception {
        Path f = DIR.resolve("spec-" + name + ".kdump");
        new KdumpWriter(corpus, MAPNR).compression(flag).write(f);
        try (Dump d = new DiskdumpFormat().open(List.of(f))) {
            assertEquals(name, d.info().compression());
            assertTrue(d.warnings().isEmpty(), d.warnings().toString());
            int present = assertSamePages(corpus.memory(), d.memory(), MAPNR);
            // the corpus file's dumpable bitmap has 5789 bits set below pfn 0x4000 (counted from the file itself)
            assertEquals(5789, present, "present");
            assertEquals(corpus.vmcoreinfo().orElseThrow().entries(), d.vmcoreinfo().orElseThrow().entries());
            assertEquals(2, d.notes().stream().filter(n -> n.type() == 1).count());
            var e = assertThrows(MemoryAccessException.class, () -> d.memory().read(0x100000 + 0x20000, 8));
            assertEquals("page excluded (dump level 31): physical 0x120000", e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void olderHeaderVersionFixtureWrittenFromSpec(int version) throws Exception {
        Path f = DIR.resolve("spec-v" + version + ".kdump");
        new KdumpWriter(corpus, MAPNR).version(version).write(f);
        try (Dump d = new DiskdumpFormat().open(List.of(f))) {
            assertEquals(Integer.toString(version), d.info().formatVersion());
            assertSamePages(corpus.memory(), d.memory(), MAPNR);
            // VMCOREINFO came with v3, the ELF notes with v4
            assertEquals(version >= 3, d.vmcoreinfo().isPresent());
            assertEquals(version >= 4 ? 3 : version == 3 ? 1 : 0, d.notes().size());
        }
    }

    @Test
    void splitFixtureWrittenFromSpecOpensAsOneDumpInAnyOrder() throws Exception {
        List<Path> parts = List.of(DIR.resolve("spec-split.1"), DIR.resolve("spec-split.2"), DIR.resolve("spec-split.3"));
        new KdumpWriter(corpus, MAPNR).compression(KdumpWriter.ZSTD).writeSplit(parts, new long[] {0, 0x1000, 0x2345, MAPNR});
        List<Path> shuffled = new ArrayList<>(parts);
        Collections.reverse(shuffled);
        try (Dump d = new DiskdumpFormat().open(shuffled)) {
            assertEquals(parts, d.files());
            assertEquals("3", d.info().details().get("split.files"));
            assertTrue(d.warnings().isEmpty(), d.warnings().toString());
            assertSamePages(corpus.memory(), d.memory(), MAPNR);
        }
        // one part alone: its pages only, and a warning saying so
        try (Dump d = new DiskdumpFormat().open(List.of(parts.get(1)))) {
            assertTrue(d.warnings().get(0).contains("one file of a split dump"), d.warnings().toString());
            long p = d.memory().nextPresent(0);
            assertTrue(p >= 0x1000L * 4096 && p < 0x2345L * 4096, Long.toHexString(p));
            assertEquals(Reason.NOT_IN_DUMP, reason(d.memory(), 0x1000));
        }
    }

    /**
     * Debian's makedumpfile 1.7.2 (lzo enabled; snappy and zstd disabled in its build) converting
     * the corpus ELF dump with --split. For this 6.1 kernel it says "The kernel version is not
     * supported" and puts every page in the first file, leaving the others empty (start = end):
     * that must open too.
     */
    @Test
    void splitDumpWrittenByMakedumpfile() throws Exception {
        Path mdf = Paths.get("/usr/sbin/makedumpfile");
        if (!Files.isExecutable(mdf)) mdf = Paths.get("/usr/bin/makedumpfile");
        assertTrue(Files.isExecutable(mdf), "makedumpfile is required (Debian package makedumpfile)");
        List<Path> parts = List.of(DIR.resolve("mdf-split.1"), DIR.resolve("mdf-split.2"));
        for (Path p : parts) Files.deleteIfExists(p);
        List<String> cmd = new ArrayList<>(List.of(mdf.toString(), "-l", "--split", "-d", "31",
                Corpus.file("vmcore.elf-d31").toString()));
        parts.forEach(p -> cmd.add(p.toString()));
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(DIR.resolve("mdf.log").toFile()).start();
        assertTrue(proc.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, proc.exitValue(), Files.readString(DIR.resolve("mdf.log")));
        try (Dump d = new DiskdumpFormat().open(parts)) {
            assertEquals("lzo", d.info().compression());
            assertEquals("2", d.info().details().get("split.files"));
            PhysicalMemory m = d.memory();
            byte[] a = new byte[4096];
            byte[] b = new byte[4096];
            int compared = 0;
            for (long p = m.nextPresent(0); p >= 0; p = m.nextPresent(p + 4096)) {
                if (!corpus.memory().isPresent(p)) continue;
                m.read(p, a, 0, 4096);
                corpus.memory().read(p, b, 0, 4096);
                assertArrayEquals(b, a, String.format("page 0x%x", p));
                compared++;
            }
            // the ELF dump's pages that the kdump corpus file holds too (CrossFormatTest: 21923 - 1180 in common)
            assertEquals(21923 - 1180, compared, "compared " + compared);
            assertEquals(corpus.vmcoreinfo().orElseThrow().osRelease(), d.vmcoreinfo().orElseThrow().osRelease());
        }
    }

    @Test
    void truncatedCopyOpensWithWarningAndServesEarlierPages() throws Exception {
        Path src = Corpus.file("vmcore.kdump-zlib");
        Path cut = DIR.resolve("truncated.kdump-zlib");
        long size = Files.size(src);
        try (var in = Files.newInputStream(src); var out = Files.newOutputStream(cut)) {
            byte[] buf = new byte[1 << 16];
            long left = size / 2;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                out.write(buf, 0, n);
                left -= n;
            }
        }
        try (Dump d = new DiskdumpFormat().open(List.of(cut))) {
            assertEquals(1, d.warnings().size(), d.warnings().toString());
            String w = d.warnings().get(0);
            assertTrue(w.contains("truncated") && w.contains("pages from physical 0x"), w);
            PhysicalMemory m = d.memory();
            byte[] a = new byte[4096];
            byte[] b = new byte[4096];
            int ok = 0;
            int truncated = 0;
            for (long p = corpus.memory().nextPresent(0); p >= 0; p = corpus.memory().nextPresent(p + 4096)) {
                corpus.memory().read(p, b, 0, 4096);
                if (m.isPresent(p)) {
                    m.read(p, a, 0, 4096);
                    assertArrayEquals(b, a);
                    ok++;
                } else {
                    long at = p;
                    var e = assertThrows(MemoryAccessException.class, () -> m.read(at, 8));
                    assertEquals(Reason.TRUNCATED, e.reason(), e.getMessage());
                    truncated++;
                }
            }
            assertTrue(ok > 5000 && truncated > 5000, ok + " / " + truncated);
            assertEquals(Long.toString(ok), d.info().details().get("pages.present"));
        }
        // cut inside the bitmaps: nothing to serve, a format error naming the file
        try (var ch = java.nio.channels.FileChannel.open(cut, StandardOpenOption.WRITE)) {
            ch.truncate(3 * 4096 + 100);
        }
        var e = assertThrows(DumpFormatException.class, () -> new DiskdumpFormat().open(List.of(cut)));
        assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
        assertFalse(e.getMessage().isEmpty());
    }
}
