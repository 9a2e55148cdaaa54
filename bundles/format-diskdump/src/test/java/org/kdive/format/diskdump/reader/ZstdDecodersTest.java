package org.kdive.format.diskdump.reader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.api.dump.MemoryAccessException.Reason;
import org.kdive.api.dump.PhysicalMemory;
import org.kdive.format.diskdump.DiskdumpFormat;
import org.kdive.format.diskdump.fixture.KdumpWriter;
import org.kdive.test.Corpus;

/**
 * zstd pages through both decoders: the system's libzstd (via JNA) and aircompressor's Java one,
 * which -Dkdive.codecs.java=true forces. Same bytes, same typed error on a corrupt page.
 */
class ZstdDecodersTest {
    static final Path DIR = Paths.get("target", "fixtures");
    static final Path FIXTURE = DIR.resolve("zstd-decoders.kdump");
    static final long MAPNR = 0x2000;
    static Dump corpus;

    @BeforeAll
    static void write() throws Exception {
        Files.createDirectories(DIR);
        corpus = new DiskdumpFormat().open(List.of(Corpus.file("vmcore.kdump-zlib")));
        new KdumpWriter(corpus, MAPNR).compression(KdumpWriter.ZSTD).write(FIXTURE);
    }

    @AfterAll
    static void close() {
        corpus.close();
    }

    /** Runs {@code body} on a fresh thread (a fresh per-thread decoder), with the Java decoders forced or not. */
    static <T> T onThread(boolean javaOnly, Callable<T> body) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                result.set(body.call());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        String old = System.getProperty(NativeCodecs.JAVA_ONLY_PROPERTY);
        System.setProperty(NativeCodecs.JAVA_ONLY_PROPERTY, Boolean.toString(javaOnly));
        try {
            t.start();
            t.join();
        } finally {
            if (old == null) System.clearProperty(NativeCodecs.JAVA_ONLY_PROPERTY);
            else System.setProperty(NativeCodecs.JAVA_ONLY_PROPERTY, old);
        }
        if (failure.get() instanceof Exception e) throw e;
        if (failure.get() != null) throw new AssertionError(failure.get());
        return result.get();
    }

    /** Every present page, read whole (decoded into the caller's array) and in two halves (through the cache). */
    static List<byte[]> readAll(Path file) throws Exception {
        List<byte[]> pages = new ArrayList<>();
        try (Dump d = new DiskdumpFormat().open(List.of(file))) {
            PhysicalMemory m = d.memory();
            for (long p = m.nextPresent(0); p >= 0; p = m.nextPresent(p + 4096)) {
                byte[] whole = new byte[4096];
                m.read(p, whole, 0, 4096);
                byte[] halves = new byte[4096];
                m.read(p + 2048, halves, 2048, 2048);
                m.read(p, halves, 0, 2048);
                assertArrayEquals(whole, halves, String.format("page 0x%x whole and in halves", p));
                pages.add(whole);
            }
        }
        return pages;
    }

    @Test
    void nativeDecoderLoadsOnCi() throws Exception {
        String lib = NativeCodecs.awaitZstd();
        if (lib == null && "true".equals(System.getenv("CI"))) {
            fail("libzstd via JNA must load on CI (Debian package libzstd1): " + NativeCodecs.zstdProblem());
        }
        Assumptions.assumeTrue(lib != null, () -> "libzstd not usable here: " + NativeCodecs.zstdProblem());
        assertTrue(lib.startsWith("libzstd 1."), lib);
    }

    @Test
    void nativeAndJavaDecodersReadTheSamePagesAsTheCorpus() throws Exception {
        String lib = NativeCodecs.awaitZstd();
        if (lib == null && "true".equals(System.getenv("CI"))) fail("libzstd must load on CI: " + NativeCodecs.zstdProblem());
        List<byte[]> java = onThread(true, () -> {
            List<byte[]> pages = readAll(FIXTURE);
            assertFalse(PageDecoder.forThread().usesNativeZstd(), "the property forces the Java decoder");
            return pages;
        });
        try (Dump d = new DiskdumpFormat().open(List.of(FIXTURE))) {
            assertEquals(lib != null ? lib : NativeCodecs.AIRCOMPRESSOR, d.info().details().get("compression.decoder"));
        }
        List<byte[]> expected = new ArrayList<>();
        PhysicalMemory m = corpus.memory();
        for (long p = m.nextPresent(0); p >= 0 && p < MAPNR * 4096; p = m.nextPresent(p + 4096)) expected.add(m.read(p, 4096));
        // the corpus file's dumpable bitmap has 3609 bits set below pfn 0x2000 (counted from the file itself)
        assertEquals(3609, expected.size(), "pages");
        assertEquals(expected.size(), java.size());
        for (int i = 0; i < expected.size(); i++) assertArrayEquals(expected.get(i), java.get(i), "java, page #" + i);

        Assumptions.assumeTrue(lib != null, () -> "libzstd not usable here: " + NativeCodecs.zstdProblem());
        List<byte[]> nat = onThread(false, () -> {
            List<byte[]> pages = readAll(FIXTURE);
            assertTrue(PageDecoder.forThread().usesNativeZstd(), "libzstd decodes when it loaded");
            return pages;
        });
        assertEquals(expected.size(), nat.size());
        for (int i = 0; i < expected.size(); i++) assertArrayEquals(expected.get(i), nat.get(i), "libzstd, page #" + i);
    }

    @Test
    void corruptZstdPageIsTheSameTypedErrorOnBothDecoders() throws Exception {
        Path bad = DIR.resolve("zstd-corrupt.kdump");
        byte[] file = Files.readAllBytes(FIXTURE);
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int block = b.getInt(428);
        long descs = (1L + b.getInt(432) + (b.getInt(436) & 0xffffffffL)) * block;
        // the first two pages stored as zstd: garble the frame magic of one, the body of the other
        List<Long> offsets = new ArrayList<>();
        List<Integer> ordinals = new ArrayList<>();
        for (int i = 0; offsets.size() < 2; i++) {
            int d = (int) (descs + 24L * i);
            if ((b.getInt(d + 12) & KdumpWriter.ZSTD) == 0) continue;
            long off = b.getLong(d);
            int size = b.getInt(d + 8);
            if (offsets.isEmpty()) {
                b.putInt((int) off, 0x12345678);
            } else {
                for (int k = 8; k < size; k++) file[(int) off + k] = (byte) (k * 37);
            }
            offsets.add(off);
            ordinals.add(i);
        }
        Files.write(bad, file);

        String lib = NativeCodecs.awaitZstd();
        for (boolean javaOnly : new boolean[] {true, false}) {
            if (!javaOnly && lib == null) {
                if ("true".equals(System.getenv("CI"))) fail("libzstd must load on CI: " + NativeCodecs.zstdProblem());
                continue;
            }
            List<String> messages = onThread(javaOnly, () -> {
                List<String> out = new ArrayList<>();
                try (Dump d = new DiskdumpFormat().open(List.of(bad))) {
                    PhysicalMemory m = d.memory();
                    for (int k = 0; k < 2; k++) {
                        long p = m.nextPresent(0);
                        for (int j = 0; j < ordinals.get(k); j++) p = m.nextPresent(p + 4096);
                        long at = p;
                        // a whole page and a small read take different paths to the decoder
                        for (int len : new int[] {4096, 8}) {
                            var e = assertThrows(MemoryAccessException.class, () -> m.read(at, new byte[len], 0, len));
                            assertEquals(Reason.CORRUPT, e.reason(), e.getMessage());
                            assertTrue(e.getMessage().contains(String.format("zstd data does not decode: ")), e.getMessage());
                            assertTrue(e.getMessage().contains(String.format("at file offset 0x%x", offsets.get(k))), e.getMessage());
                            assertTrue(e.getMessage().contains(String.format("physical 0x%x", at)), e.getMessage());
                            out.add(e.getMessage());
                        }
                    }
                    // the pages around still read
                    long next = m.nextPresent(0);
                    while (next >= 0 && (next == nth(m, ordinals.get(0)) || next == nth(m, ordinals.get(1)))) next = m.nextPresent(next + 4096);
                    assertArrayEquals(corpus.memory().read(next, 4096), m.read(next, 4096), "the page after the garbled ones");
                }
                return out;
            });
            assertEquals(4, messages.size(), messages.toString());
        }
    }

    static long nth(PhysicalMemory m, int ordinal) {
        long p = m.nextPresent(0);
        for (int j = 0; j < ordinal; j++) p = m.nextPresent(p + 4096);
        return p;
    }
}
