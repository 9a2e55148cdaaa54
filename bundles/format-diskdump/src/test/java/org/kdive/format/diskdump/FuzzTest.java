package org.kdive.format.diskdump;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.kdive.api.dump.DumpFormatException;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.format.diskdump.reader.KdumpFuzz;
import org.kdive.test.Corpus;

/** Seeded random mutations of real headers: only the typed exceptions escape, quickly. */
class FuzzTest {
    /** The mutation loop the format modules share (copied per module: tests do not depend on each other). */
    static void mutate(byte[] seed, int iterations, int hot, long randomSeed, Consumer<byte[]> target) {
        Random r = new Random(randomSeed);
        for (int i = 0; i < iterations; i++) {
            byte[] b = seed.clone();
            int edits = 1 + r.nextInt(8);
            for (int e = 0; e < edits; e++) {
                int at = r.nextInt(4) > 0 ? r.nextInt(Math.min(hot, b.length)) : r.nextInt(b.length);
                switch (r.nextInt(4)) {
                    case 0 -> b[at] = (byte) r.nextInt(256);
                    case 1 -> b[at] ^= (byte) (1 << r.nextInt(8));
                    case 2 -> { // a boundary value into a 4- or 8-byte field
                        long[] v = {0, 1, -1, 0x7fffffffL, 0x80000000L, Long.MAX_VALUE, Long.MIN_VALUE, b.length};
                        long x = v[r.nextInt(v.length)];
                        for (int k = 0; k < 8 && (at & ~7) + k < b.length; k++) b[(at & ~7) + k] = (byte) (x >>> (8 * k));
                    }
                    default -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length + 1));
                }
                if (b.length == 0) break;
            }
            try {
                target.accept(b);
            } catch (DumpFormatException | MemoryAccessException expected) {
                // the parser said what is wrong
            }
        }
    }

    static byte[] head(Path file, int n) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(n);
        }
    }

    @Test
    void kdumpHeaderParserSurvivesMutations() throws Exception {
        // header, sub-header, both bitmaps, the first descriptors and pages
        byte[] seed = head(Corpus.file("vmcore.kdump-zlib"), 0x40000);
        KdumpFuzz.fuzz(seed); // the seed itself opens
        assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> mutate(seed, 3000, 0x1100, 31, KdumpFuzz::fuzz));
    }
}
