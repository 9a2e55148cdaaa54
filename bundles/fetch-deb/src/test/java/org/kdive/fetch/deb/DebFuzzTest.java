package org.kdive.fetch.deb;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.kdive.api.fetch.FetchException;
import org.kdive.fetch.support.DebugFileCollector;
import org.kdive.fetch.support.FetchSettings;

/**
 * Coverage-guided fuzzing (Jazzer) of what a downloaded .deb goes through: the whole unpacker (ar, the
 * data.tar decompressors, tar, the debug-file filter) and the ar and tar readers alone. Seeds (made by
 * {@link DebFuzzSeeds}): packages built by dpkg-deb with xz, gzip, zstd and no compression, and their ar
 * members and tar. Only I/O errors may escape; nothing is written beyond the limits.
 */
class DebFuzzTest {
    static final FetchSettings.Limits LIMITS = new FetchSettings.Limits(1 << 20, 8 << 20);
    private static Path staging;

    /** Found by the fuzzer (crash-5525… in the inputs): damaged zstd data in data.tar.zst escaped unchecked. */
    @org.junit.jupiter.api.Test
    void aDamagedZstdDataTarIsAFetchError() throws IOException {
        byte[] in = Files.readAllBytes(Path.of("src/test/resources/org/kdive/fetch/deb/DebFuzzTestInputs/deb/"
                + "crash-5525d5e563517f707951dc045ae1a6f4452f523d"));
        var e = org.junit.jupiter.api.Assertions.assertThrows(FetchException.class, () -> new DebUnpacker(LIMITS)
                .unpack(Path.of("fuzz.deb"), "fuzz.deb", new ByteArrayInputStream(in), new DebugFileCollector("6.1.0", staging(), LIMITS)));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("fuzz.deb: damaged zstd data: "), e.getMessage());
    }

    @FuzzTest(maxDuration = "10m")
    void deb(byte[] input) throws IOException {
        Path dir = staging();
        try {
            new DebUnpacker(LIMITS).unpack(Path.of("fuzz.deb"), "fuzz.deb", new ByteArrayInputStream(input),
                    new DebugFileCollector("6.1.0", dir, LIMITS));
        } catch (IOException | FetchException e) {
            // said what is wrong
        } finally {
            try (var s = Files.walk(dir)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) if (!p.equals(dir)) Files.delete(p);
            }
        }
    }

    @FuzzTest(maxDuration = "10m")
    void ar(byte[] input) {
        try {
            ArReader ar = new ArReader(new ByteArrayInputStream(input), "fuzz.ar");
            for (ArReader.Member m; (m = ar.next()) != null; ) drain(m.data());
        } catch (IOException | FetchException e) {
            // said what is wrong
        }
    }

    @FuzzTest(maxDuration = "10m")
    void tar(byte[] input) {
        try {
            TarReader tar = new TarReader(new ByteArrayInputStream(input), "fuzz.tar");
            for (TarReader.Entry e; (e = tar.next()) != null; ) {
                DebugFileCollector.checkName("fuzz.tar", e.name());
                drain(e.data());
            }
        } catch (IOException | FetchException e) {
            // said what is wrong
        }
    }

    private static void drain(InputStream in) throws IOException {
        byte[] buf = new byte[8192];
        long total = 0;
        for (int n; (n = in.read(buf)) >= 0 && total < LIMITS.maxUnpacked(); ) total += n;
    }

    static synchronized Path staging() {
        try {
            if (staging == null) {
                staging = Files.createTempDirectory("kdive-fuzz-deb");
                staging.toFile().deleteOnExit(); // emptied after each input
            }
            return staging;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
