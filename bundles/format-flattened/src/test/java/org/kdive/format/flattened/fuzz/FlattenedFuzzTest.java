package org.kdive.format.flattened.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.kdive.api.dump.DumpFormatException;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.format.flattened.FlattenedFuzz;

/**
 * Coverage-guided fuzzing (Jazzer) of the flattened-stream indexer and the kdump reader behind it. Seeds (made
 * by {@link FuzzSeeds}): small kdump files of real pages as makedumpfile -F streams, records in file order and
 * shuffled. Only the typed errors may escape.
 */
class FlattenedFuzzTest {
    /** The unmutated seeds read as the kdump files they were made from: page for page, nothing to warn about. */
    @org.junit.jupiter.api.Test
    void seedsReadAsTheirKdumpFiles() throws Exception {
        java.nio.file.Path dir = java.nio.file.Path.of("src/test/resources/org/kdive/format/flattened/fuzz/FlattenedFuzzTestInputs/flattened");
        for (String name : new String[] {"seed-zlib", "seed-zstd-shuffled"}) {
            byte[] flat = java.nio.file.Files.readAllBytes(dir.resolve(name));
            byte[] kdump = unflatten(flat);
            try (var a = org.kdive.format.flattened.FlattenedFormat.open(new org.kdive.format.support.ByteArraySource(
                         java.nio.file.Path.of(name), flat));
                 var b = org.kdive.format.diskdump.reader.KdumpReader.open("kdump-compressed", java.util.List.of(
                         new org.kdive.format.support.ByteArraySource(java.nio.file.Path.of("k"), kdump)), java.util.List.of())) {
                org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of(), a.warnings());
                int pages = 0;
                for (long p = b.memory().nextPresent(0); p >= 0; p = b.memory().nextPresent(p + 4096)) {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(b.memory().read(p, 4096), a.memory().read(p, 4096));
                    pages++;
                }
                org.junit.jupiter.api.Assertions.assertEquals(31, pages, name);
            }
        }
    }

    /**
     * Found by the fuzzer (the slow-unit-* inputs, 4 to 11 s each): a record far out gives the stream a huge
     * logical size, and the kdump header's bitmap size, checked only against that size, had 512 MiB of zeros
     * read for a 9 KiB input. The bitmaps are now bounded by the bytes the records hold.
     */
    @org.junit.jupiter.api.Test
    void bitmapsBeyondWhatTheRecordsHoldAreRefusedAtOnce() throws Exception {
        java.nio.file.Path dir = java.nio.file.Path.of("src/test/resources/org/kdive/format/flattened/fuzz/FlattenedFuzzTestInputs/flattened");
        int found = 0;
        try (var inputs = java.nio.file.Files.newDirectoryStream(dir, "slow-unit-*")) {
            for (java.nio.file.Path p : inputs) {
                byte[] b = java.nio.file.Files.readAllBytes(p);
                var e = org.junit.jupiter.api.Assertions.assertThrows(org.kdive.api.dump.DumpFormatException.class,
                        () -> org.kdive.format.flattened.FlattenedFormat.open(new org.kdive.format.support.ByteArraySource(p, b)));
                org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("expected bitmaps that the file holds"), e.getMessage());
                found++;
            }
        }
        org.junit.jupiter.api.Assertions.assertEquals(3, found);
    }

    /** The file a flattened stream describes (records applied in stream order). */
    private static byte[] unflatten(byte[] flat) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(flat);
        byte[] out = new byte[0];
        for (int at = 4096; ; ) {
            long off = b.getLong(at), len = b.getLong(at + 8);
            if (off == -1) return out;
            if (off + len > out.length) out = java.util.Arrays.copyOf(out, (int) (off + len));
            System.arraycopy(flat, at + 16, out, (int) off, (int) len);
            at += 16 + (int) len;
        }
    }

    @FuzzTest(maxDuration = "10m")
    void flattened(byte[] input) {
        try {
            FlattenedFuzz.fuzz(input);
        } catch (DumpFormatException | MemoryAccessException e) {
            // the reader said what is wrong
        }
    }
}
