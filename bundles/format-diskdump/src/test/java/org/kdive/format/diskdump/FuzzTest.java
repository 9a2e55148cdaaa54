package org.kdive.format.diskdump;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.DumpFormatException;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.format.diskdump.reader.KdumpFuzz;
import org.kdive.format.diskdump.reader.KdumpReader;
import org.kdive.format.support.ByteArraySource;
import org.kdive.test.Corpus;
import org.kdive.test.Fuzzing;

/**
 * Random mutations of the corpus dump and of small dumps in each compression (a fresh random seed each run,
 * named on failure): only the typed exceptions escape, quickly, and pages whose data a mutation did not touch
 * read as in the unmutated dump.
 */
class FuzzTest {
    /** The corpus file through its first compressed pages: the page data begins at 0x93748. */
    private static final int CORPUS_SEED = 0x93748 + 0x10000;

    @Test
    void kdumpHeadersAndFirstPagesSurviveMutations() {
        byte[] seed = Fuzzing.head(Corpus.file("vmcore.kdump-zlib"), CORPUS_SEED);
        KdumpFuzz.fuzz(seed); // the seed itself opens
        Fuzzing.of("kdump", seed).mutation(Fuzzing.fieldEdits(0x1100)).rounds(1000)
                .allow(DumpFormatException.class, MemoryAccessException.class)
                .within(Duration.ofSeconds(60)).run(KdumpFuzz::fuzz);
    }

    /** Edits in the page data only (zlib, and the fuzz seeds' lzo, snappy, zstd): the other pages read as before. */
    @Test
    void pageDataEditsStayInTheirPages() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(Fuzzing.head(Corpus.file("vmcore.kdump-zlib"), CORPUS_SEED));
        Path dir = Path.of("src/test/resources/org/kdive/format/diskdump/fuzz/KdumpFuzzTestInputs/kdump");
        for (String c : new String[] {"lzo", "snappy", "zstd"}) seeds.add(Files.readAllBytes(dir.resolve("seed-" + c)));
        for (byte[] seed : seeds) {
            Layout l = new Layout(seed);
            List<byte[]> pages = l.pages(seed);
            assertTrue(pages.stream().filter(p -> p != null).count() >= 20, "pages with data in the seed");
            Fuzzing.of("page data", seed).rounds(100).allow(DumpFormatException.class)
                    .mutation((m, r) -> {
                        for (int i = 1 + r.nextInt(8); i > 0; i--) m[(int) (l.dataStart + r.nextInt((int) (l.dataEnd - l.dataStart)))] ^= (byte) (1 << r.nextInt(8));
                        return m;
                    })
                    .run(m -> l.compare(seed, m, pages));
        }
    }

    /**
     * Found by pageDataEditsStayInTheirPages: the zlib decoder stopped when the page was full, before the
     * stream's Adler-32, so a damaged stream read as a page of other data. Each zlib page of the corpus seed,
     * its checksum's last byte flipped, is now reported corrupt.
     */
    @Test
    void aZlibPageWhoseChecksumDisagreesIsCorruptNotData() throws Exception {
        byte[] seed = Fuzzing.head(Corpus.file("vmcore.kdump-zlib"), CORPUS_SEED);
        Layout l = new Layout(seed);
        int checked = 0;
        for (int i = 0; i < l.pfn.length; i++) {
            if (l.flags[i] != 1 || l.off[i] + l.size[i] > seed.length) continue;
            byte[] m = seed.clone();
            m[(int) (l.off[i] + l.size[i] - 1)] ^= 1;
            try (Dump d = Layout.open(m)) {
                long pa = l.pfn[i] * 4096;
                MemoryAccessException e = org.junit.jupiter.api.Assertions.assertThrows(MemoryAccessException.class,
                        () -> d.memory().read(pa, 4096));
                assertEquals(MemoryAccessException.Reason.CORRUPT, e.reason());
                assertTrue(e.getMessage().contains("zlib data does not decode: incorrect data check"), e.getMessage());
            }
            checked++;
        }
        assertEquals(84, checked, "zlib pages with their data inside the seed");
    }

    /** The descriptor table of a kdump seed whose header and bitmaps are whole. */
    private static final class Layout {
        final long[] pfn, off;
        final int[] size, flags;
        final long dataStart, dataEnd;

        Layout(byte[] f) {
            ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
            int block = b.getInt(428);
            int bitmapBytes = b.getInt(436) * block;
            int bitmap2 = (1 + b.getInt(432)) * block + bitmapBytes / 2;
            long desc = (1L + b.getInt(432)) * block + bitmapBytes;
            List<Long> dumped = new ArrayList<>();
            for (long p = 0; p < bitmapBytes / 2 * 8L; p++) {
                if ((f[bitmap2 + (int) (p >>> 3)] >> (p & 7) & 1) != 0) dumped.add(p);
            }
            int n = dumped.size();
            pfn = new long[n];
            off = new long[n];
            size = new int[n];
            flags = new int[n];
            long lo = Long.MAX_VALUE, hi = 0;
            for (int i = 0; i < n; i++) {
                int at = (int) (desc + 24L * i);
                pfn[i] = dumped.get(i);
                if (at + 24 > f.length) break;
                off[i] = b.getLong(at);
                size[i] = b.getInt(at + 8);
                flags[i] = b.getInt(at + 12);
                if (off[i] + size[i] <= f.length) {
                    lo = Math.min(lo, off[i]);
                    hi = Math.max(hi, off[i] + size[i]);
                }
            }
            dataStart = lo;
            dataEnd = hi;
        }

        /** The pages of the unmutated file (null where the file ends before a page's data). */
        List<byte[]> pages(byte[] f) throws Exception {
            List<byte[]> out = new ArrayList<>();
            try (Dump d = open(f)) {
                for (int i = 0; i < pfn.length; i++) {
                    out.add(off[i] > 0 && off[i] + size[i] <= f.length ? d.memory().read(pfn[i] * 4096, 4096) : null);
                }
            }
            return out;
        }

        void compare(byte[] seed, byte[] mutant, List<byte[]> pages) {
            try (Dump d = open(mutant)) {
                for (int i = 0; i < pfn.length; i++) {
                    if (pages.get(i) == null) continue;
                    boolean touched = false;
                    for (long a = off[i]; a < off[i] + size[i] && !touched; a++) touched = seed[(int) a] != mutant[(int) a];
                    try {
                        byte[] page = d.memory().read(pfn[i] * 4096, 4096);
                        if (!touched || flags[i] == 1) { // zlib's checksum: a changed stream never reads as data
                            assertArrayEquals(pages.get(i), page, String.format("pfn 0x%x (data %s)", pfn[i], touched ? "edited" : "untouched"));
                        }
                    } catch (MemoryAccessException e) {
                        assertTrue(touched, "an untouched page fails: " + e.getMessage());
                        assertEquals(MemoryAccessException.Reason.CORRUPT, e.reason(), e.getMessage());
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        static Dump open(byte[] f) throws java.io.IOException {
            return KdumpReader.open("kdump-compressed", List.of(new ByteArraySource(Path.of("fuzz.kdump"), f)), List.of());
        }
    }
}
