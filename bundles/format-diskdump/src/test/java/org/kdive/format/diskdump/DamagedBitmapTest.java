package org.kdive.format.diskdump;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.api.dump.MemoryAccessException.Reason;
import org.kdive.api.dump.PhysicalMemory;
import org.kdive.format.diskdump.reader.KdumpReader;
import org.kdive.test.Corpus;

/**
 * Issue 14 §5: one bit more or less in the 2nd bitmap moves every later page onto another page's data.
 * The reader compares the bitmap with the descriptor table, names the first pfn it cannot trust,
 * serves the pages before it unchanged and refuses the rest.
 */
class DamagedBitmapTest {
    /** The corpus dump's layout, read from its header (block size, sub-header and bitmap blocks). */
    private static byte[] original;
    private static int bitmap1, bitmap2;
    private static Dump good;

    @TempDir
    Path dir;

    @BeforeAll
    static void read() throws IOException {
        Path f = Corpus.file("vmcore.kdump-zlib");
        original = Files.readAllBytes(f);
        ByteBuffer h = ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN);
        int block = h.getInt(428);
        int half = h.getInt(436) * block / 2;
        bitmap1 = (1 + h.getInt(432)) * block;
        bitmap2 = bitmap1 + half;
        assertEquals(45056, bitmap2, "the issue's byte is the first of bitmap 2");
        good = new DiskdumpFormat().open(List.of(f));
    }

    @AfterAll
    static void close() {
        good.close();
    }

    @Test
    void theIssuesClearedBitNamesPfnOneAndReadsNothingAfterIt() throws IOException {
        byte[] b = original.clone();
        assertEquals((byte) 0xfe, b[45056], "pfns 1-7 dumped, pfn 0 not RAM");
        b[45056] &= ~2; // pfn 1
        try (Dump d = open(b)) {
            String w = onlyWarning(d);
            assertTrue(w.contains("the 2nd bitmap marks 21922 pages dumped, the page-descriptor table holds 21923"), w);
            assertTrue(w.contains("pages from pfn 0x1 (physical 0x1000;"), w);
            assertTrue(w.contains("the 0 dumped pages before it are trusted"), w);
            assertEquals("0", d.info().details().get("pages.present"));
            assertEquals("21922", d.info().details().get(KdumpReader.PAGES_UNTRUSTED));
            var e = assertThrows(MemoryAccessException.class, () -> d.memory().read(0x2000, 8));
            assertEquals(Reason.CORRUPT, e.reason());
            assertTrue(e.getMessage().contains("disagrees with its page descriptors from pfn 0x1"), e.getMessage());
            assertEquals(-1, d.memory().nextPresent(0), "no page is offered");
        }
    }

    @Test
    void aClearedBitFurtherOnLeavesThePagesBeforeItAsTheyWere() throws IOException {
        long pfn = dumpedPfnNear(0x20000);
        byte[] b = original.clone();
        b[bitmap2 + (int) (pfn >>> 3)] &= (byte) ~(1 << (pfn & 7));
        try (Dump d = open(b)) {
            String w = onlyWarning(d);
            // the first page the bitmaps cannot vouch for is the first present page not dumped
            long from = firstPresentNotDumped(b);
            assertTrue(from <= pfn, from + " " + pfn);
            assertTrue(w.contains(String.format("pages from pfn 0x%x ", from)), w);
            int same = samePagesBelow(good.memory(), d.memory(), from);
            assertEquals(dumpedBelow(from), same, "every page the bitmap marks dumped below the first untrusted pfn");
            assertEquals(Long.toString(same), d.info().details().get("pages.present"));
            assertFalse(d.memory().isPresent(pfn * 4096 + 4096 * 16));
        }
    }

    @Test
    void anAddedBitIsDamageNotTruncation() throws IOException {
        byte[] b = original.clone();
        b[45056] |= 1; // pfn 0: not RAM in bitmap 1
        try (Dump d = open(b)) {
            String w = onlyWarning(d);
            assertTrue(w.contains("the 2nd bitmap marks 21924 pages dumped, the page-descriptor table holds 21923"), w);
            assertTrue(w.contains("pages from pfn 0x0 (physical 0x0; marked dumped but not RAM in the 1st bitmap)"), w);
            assertFalse(w.contains("truncated"), w);
        }
        // further on, at a pfn that is not RAM: the pages before it stay readable
        long notRam = firstNotRamAfter(0x10000);
        b = original.clone();
        b[bitmap2 + (int) (notRam >>> 3)] |= (byte) (1 << (notRam & 7));
        try (Dump d = open(b)) {
            String w = onlyWarning(d);
            assertTrue(w.contains(String.format("pages from pfn 0x%x ", notRam)), w);
            int same = samePagesBelow(good.memory(), d.memory(), notRam);
            assertEquals(dumpedBelow(notRam), same, "every page the bitmap marks dumped below the added bit");
            assertEquals(Long.toString(same), d.info().details().get("pages.present"));
        }
    }

    @Test
    void theWholeDumpAgreesWithItself() throws IOException {
        try (Dump d = open(original.clone())) {
            assertEquals(List.of(), d.warnings());
            assertEquals("21923", d.info().details().get("pages.present"));
            assertEquals(null, d.info().details().get(KdumpReader.PAGES_UNTRUSTED));
        }
    }

    private Dump open(byte[] image) throws IOException {
        Path f = dir.resolve("vmcore.kdump");
        Files.write(f, image);
        return new DiskdumpFormat().open(List.of(f));
    }

    private static String onlyWarning(Dump d) {
        assertEquals(1, d.warnings().size(), d.warnings().toString());
        return d.warnings().get(0);
    }

    private static boolean bit(byte[] b, int base, long pfn) {
        return (b[base + (int) (pfn >>> 3)] >> (pfn & 7) & 1) != 0;
    }

    private static long dumpedPfnNear(long pfn) {
        while (!bit(original, bitmap2, pfn)) pfn++;
        return pfn;
    }

    /** Pages the undamaged 2nd bitmap marks dumped below {@code pfn}. */
    private static int dumpedBelow(long pfn) {
        int n = 0;
        for (long p = 0; p < pfn; p++) if (bit(original, bitmap2, p)) n++;
        return n;
    }

    private static long firstNotRamAfter(long pfn) {
        while (bit(original, bitmap1, pfn)) pfn++;
        return pfn;
    }

    private static long firstPresentNotDumped(byte[] b) {
        long p = 0;
        while (!bit(b, bitmap1, p) || bit(b, bitmap2, p)) p++;
        return p;
    }

    /** Every page below {@code pfn} reads as in the undamaged dump; returns how many are present. */
    private static int samePagesBelow(PhysicalMemory expected, PhysicalMemory actual, long pfn) {
        int same = 0;
        for (long p = 0; p < pfn; p++) {
            long pa = p * 4096;
            assertEquals(expected.isPresent(pa), actual.isPresent(pa), String.format("presence of 0x%x", pa));
            if (expected.isPresent(pa)) {
                assertArrayEquals(expected.read(pa, 4096), actual.read(pa, 4096), String.format("page 0x%x", pa));
                same++;
            }
        }
        return same;
    }
}
