package org.kdive.format.lkcd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.zip.Deflater;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.DumpFormat;
import org.kdive.api.dump.DumpFormatException;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.api.dump.PhysicalMemory;
import org.kdive.format.diskdump.DiskdumpFormat;
import org.kdive.test.Corpus;
import org.kdive.test.Fuzzing;

/**
 * The corpus has no LKCD dump (LKCD predates kdump): fixtures are written from the v8 layout in
 * crash's lkcd_dump_v8.h (x86_64), filled with real corpus pages from the first 64 MiB.
 */
class LkcdFixtureTest {
    static final long LIMIT = 64L << 20;
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

    /** A v8/v9 LKCD file: header, padding to the first page, page records, end marker. */
    static byte[] write(int version, int compress, boolean cut) throws Exception {
        PhysicalMemory m = corpus.memory();
        byte[] h = new byte[LkcdReader.HEADER_SIZE + 8];
        ByteBuffer b = ByteBuffer.wrap(h).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, LkcdReader.MAGIC).putInt(8, version).putInt(12, LkcdReader.HEADER_SIZE).putInt(16, 0x2)
                .putInt(20, 4096).putLong(24, LIMIT >> 12).putLong(32, 0).putLong(40, LIMIT);
        put(h, 52, "kernel BUG at /usr/src/vqbug-1.0/vqbug.c:63!");
        b.putLong(308, corpus.vmcoreinfo().orElseThrow().crashTime().orElseThrow());
        String[] uts = {"Linux", "(none)", "6.1.0-50-cloud-amd64", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.176-1 (2026-07-02)", "x86_64", "(none)"};
        for (int i = 0; i < 6; i++) put(h, 324 + 65 * i, uts[i]);
        b.putLong(714, 0xff228398a8b7a0c0L).putInt(722, compress);
        long first = version == 9 ? 8192 : LkcdReader.FIRST_PAGE;
        if (version == 9) b.putLong(734, first);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(h);
        out.write(new byte[(int) first - h.length]);
        byte[] page = new byte[4096];
        for (long p = m.nextPresent(0); p >= 0 && p < LIMIT; p = m.nextPresent(p + 4096)) {
            m.read(p, page, 0, 4096);
            byte[] data = page;
            int flags = LkcdReader.DH_RAW;
            byte[] c = compress == LkcdReader.COMPRESS_RLE ? Rle.encode(page) : compress == LkcdReader.COMPRESS_GZIP ? deflate(page) : null;
            if (c != null && c.length < 4096) {
                data = c;
                flags = LkcdReader.DH_COMPRESSED;
            }
            out.write(record(p, data.length, flags));
            out.write(data);
        }
        out.write(record(0, 0, LkcdReader.DH_END));
        byte[] all = out.toByteArray();
        return cut ? java.util.Arrays.copyOf(all, all.length / 2) : all;
    }

    static byte[] record(long addr, int size, int flags) {
        return ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(addr).putInt(size).putInt(flags).array();
    }

    static byte[] deflate(byte[] page) {
        Deflater d = new Deflater();
        d.setInput(page);
        d.finish();
        byte[] o = new byte[8192];
        int n = d.deflate(o);
        d.end();
        return java.util.Arrays.copyOf(o, n);
    }

    static void put(byte[] h, int off, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, off, b.length);
    }

    @ParameterizedTest
    @ValueSource(strings = {"v8-rle", "v8-gzip", "v8-raw", "v9-rle"})
    void lkcdFixtureWrittenFromSpecReadsLikeTheCorpus(String kind) throws Exception {
        int version = kind.startsWith("v9") ? 9 : 8;
        int compress = kind.endsWith("rle") ? 1 : kind.endsWith("gzip") ? 2 : 0;
        Path f = DIR.resolve("spec-" + kind + ".lkcd");
        Files.write(f, write(version, compress, false));
        assertEquals(100, new LkcdFormat().probe(f, ByteBuffer.wrap(Files.readAllBytes(f), 0, DumpFormat.PROBE_SIZE)));
        try (Dump d = new LkcdFormat().open(List.of(f))) {
            assertTrue(d.warnings().isEmpty(), d.warnings().toString());
            assertEquals("lkcd", d.info().format());
            assertEquals(Integer.toString(version), d.info().formatVersion());
            assertEquals("6.1.0-50-cloud-amd64", d.info().details().get("utsname.release"));
            assertEquals("x86_64", d.info().machine());
            byte[] a = new byte[4096];
            byte[] b = new byte[4096];
            int n = 0;
            for (long p = 0; p < LIMIT; p += 4096) {
                assertEquals(corpus.memory().isPresent(p), d.memory().isPresent(p));
                if (corpus.memory().isPresent(p)) {
                    corpus.memory().read(p, a, 0, 4096);
                    d.memory().read(p, b, 0, 4096);
                    assertArrayEquals(a, b);
                    n++;
                }
            }
            assertEquals(Long.toString(n), d.info().details().get("pages.present"));
            assertEquals(MemoryAccessException.Reason.EXCLUDED,
                    assertThrows(MemoryAccessException.class, () -> d.memory().read(0x120000, 1)).reason());
        }
    }

    @Test
    void truncatedLkcdFixtureKeepsEarlierPages() throws Exception {
        Path f = DIR.resolve("spec-truncated.lkcd");
        Files.write(f, write(8, 1, true));
        try (Dump d = new LkcdFormat().open(List.of(f))) {
            assertEquals(1, d.warnings().size());
            assertTrue(d.warnings().get(0).contains("truncated"), d.warnings().get(0));
            long first = d.memory().nextPresent(0);
            assertArrayEquals(corpus.memory().read(first, 4096), d.memory().read(first, 4096));
        }
    }

    @Test
    void lkcdHeaderParserSurvivesMutations() throws Exception {
        byte[] seed = java.util.Arrays.copyOf(write(9, 1, false), 0x20000);
        // 1 to 6 byte edits, two in three within the header and first page record, then maybe a cut
        Fuzzing.Mutation edits = (b, r) -> {
            for (int e = 1 + r.nextInt(6); e > 0; e--) {
                int at = r.nextInt(3) > 0 ? r.nextInt(0x2100) : r.nextInt(b.length);
                b[at] = r.nextBoolean() ? (byte) r.nextInt(256) : (byte) (b[at] ^ (1 << r.nextInt(8)));
            }
            return r.nextInt(5) == 0 ? java.util.Arrays.copyOf(b, r.nextInt(b.length)) : b;
        };
        Fuzzing.of("lkcd", seed).mutation(edits).rounds(3000)
                .allow(DumpFormatException.class, MemoryAccessException.class)
                .within(Duration.ofSeconds(60)).run(LkcdFuzz::fuzz);
    }
}
