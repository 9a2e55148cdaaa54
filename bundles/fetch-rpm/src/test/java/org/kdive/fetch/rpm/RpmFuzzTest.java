package org.kdive.fetch.rpm;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.kdive.fetch.support.Decompress;
import org.kdive.fetch.support.DebugFileCollector;
import org.kdive.fetch.support.FetchSettings;

/**
 * Coverage-guided fuzzing (Jazzer) of what a downloaded rpm goes through: the rpm reader (lead, signature and
 * header, payload compressor, cpio) and the xz decoder. Seeds (made by {@link RpmFuzzSeeds}): debuginfo rpms
 * built by rpmbuild with xz, gzip and zstd payloads, and xz streams. Only I/O errors (FetchException and the
 * decoders' IOExceptions) may escape; nothing is written beyond the limits.
 */
class RpmFuzzTest {
    static final FetchSettings.Limits LIMITS = new FetchSettings.Limits(1 << 20, 8 << 20);
    private static Path staging;

    /**
     * Found by the fuzzer (crash-dd30… in the inputs): aircompressor reports damaged zstd data with an unchecked
     * MalformedInputException, which escaped the reader; now a FetchException naming the package.
     */
    @org.junit.jupiter.api.Test
    void aDamagedZstdPayloadIsAFetchError() throws IOException {
        byte[] in = Files.readAllBytes(Path.of("src/test/resources/org/kdive/fetch/rpm/RpmFuzzTestInputs/rpm/"
                + "crash-dd30fe8ed2f6a635ba6bc3763f509dbd5a5241de"));
        Path dir = staging();
        try {
            var e = org.junit.jupiter.api.Assertions.assertThrows(org.kdive.api.fetch.FetchException.class, () ->
                    RpmReader.unpack(new ByteArrayInputStream(in), "fuzz.rpm", LIMITS, new DebugFileCollector("6.1.0", dir, LIMITS)));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("fuzz.rpm: damaged zstd data: "), e.getMessage());
        } finally {
            clear(dir);
        }
    }

    @FuzzTest(maxDuration = "10m")
    void rpm(byte[] input) throws IOException {
        Path dir = staging();
        try {
            RpmReader.unpack(new ByteArrayInputStream(input), "fuzz.rpm", LIMITS, new DebugFileCollector("6.1.0", dir, LIMITS));
        } catch (IOException | org.kdive.api.fetch.FetchException e) {
            // said what is wrong
        } finally {
            clear(dir);
        }
    }

    @FuzzTest(maxDuration = "10m")
    void xz(byte[] input) {
        try (InputStream in = Decompress.open(new ByteArrayInputStream(input), "xz", "fuzz.xz")) {
            byte[] buf = new byte[1 << 16];
            long total = 0;
            for (int n; (n = in.read(buf)) >= 0 && total < LIMITS.maxUnpacked(); ) total += n;
        } catch (IOException | org.kdive.api.fetch.FetchException e) {
            // said what is wrong
        }
    }

    static synchronized Path staging() {
        try {
            if (staging == null) {
                staging = Files.createTempDirectory("kdive-fuzz-rpm");
                staging.toFile().deleteOnExit(); // emptied after each input
            }
            return staging;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Empties the staging folder for the next input. */
    static void clear(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!p.equals(dir)) Files.delete(p);
            }
        }
    }
}
