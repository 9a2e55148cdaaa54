package org.kdive.fetch.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.kdive.api.command.Progress;
import org.kdive.api.fetch.FetchException;
import org.kdive.fetch.testing.MirrorTest;
import org.kdive.fetch.testing.TinyElf;

class DownloaderTest extends MirrorTest {
    byte[] data;
    Downloader dl;

    @BeforeEach
    void setUp() throws Exception {
        data = new byte[300_000];
        new Random(1).nextBytes(data);
        Files.write(tmp.resolve("www/pkg.bin"), data);
        dl = new Downloader(new Downloader.Options(2, Duration.ofMillis(10), Duration.ofSeconds(5), Duration.ofSeconds(1), 1L << 30));
    }

    private boolean get(Downloader.Expect e) throws Exception {
        return dl.download(URI.create(mirror.url() + "pkg.bin"), tmp.resolve("out/pkg.bin"), e, (t, n) -> Progress.NONE);
    }

    @Test
    void downloadsAndChecksTheSha256() throws Exception {
        assertTrue(get(new Downloader.Expect(Downloader.sha256(data), data.length)));
        assertArrayEquals(data, Files.readAllBytes(tmp.resolve("out/pkg.bin")));
        assertFalse(Files.exists(tmp.resolve("out/pkg.bin.part")));
    }

    @Test
    void notFoundIsFalse() throws Exception {
        assertFalse(dl.download(URI.create(mirror.url() + "nope.bin"), tmp.resolve("out/nope.bin"), Downloader.Expect.NOTHING,
                (t, n) -> Progress.NONE));
        assertFalse(Files.exists(tmp.resolve("out/nope.bin")));
    }

    @Test
    void retriesServerErrors() throws Exception {
        mirror.failNext("/pkg.bin", 2);
        assertTrue(get(Downloader.Expect.NOTHING));
        assertEquals(3, mirror.log().size());
        mirror.failNext("/pkg.bin", 5);
        Files.delete(tmp.resolve("out/pkg.bin"));
        FetchException e = assertThrows(FetchException.class, () -> get(Downloader.Expect.NOTHING));
        assertTrue(e.getMessage().contains("HTTP 500"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("out/pkg.bin")));
    }

    @Test
    void resumesATruncatedTransferWithRange() throws Exception {
        mirror.truncateOnce("/pkg.bin", 100_000);
        assertTrue(get(new Downloader.Expect(Downloader.sha256(data), data.length)));
        assertArrayEquals(data, Files.readAllBytes(tmp.resolve("out/pkg.bin")));
        assertTrue(mirror.log().stream().anyMatch(l -> l.matches("GET /pkg.bin bytes=\\d+-")), mirror.log().toString());
    }

    @Test
    void resumesAnInterruptedEarlierRun() throws Exception {
        // an earlier run died: its .part (with the server's validator) is there
        mirror.truncateOnce("/pkg.bin", 120_000);
        Downloader once = new Downloader(new Downloader.Options(0, Duration.ofMillis(10), Duration.ofSeconds(5), Duration.ofSeconds(1), 1L << 30));
        assertThrows(FetchException.class, () -> once.download(URI.create(mirror.url() + "pkg.bin"), tmp.resolve("out/pkg.bin"),
                Downloader.Expect.NOTHING, (t, n) -> Progress.NONE));
        assertFalse(Files.exists(tmp.resolve("out/pkg.bin")), "a broken download must not look complete");
        long part = Files.size(tmp.resolve("out/pkg.bin.part"));
        assertTrue(part > 0 && part < data.length);
        assertTrue(get(Downloader.Expect.NOTHING));
        assertArrayEquals(data, Files.readAllBytes(tmp.resolve("out/pkg.bin")));
        assertEquals("GET /pkg.bin bytes=" + part + "-", mirror.log().get(mirror.log().size() - 1));
    }

    @Test
    void checksumMismatchDiscardsTheFile() throws Exception {
        FetchException e = assertThrows(FetchException.class, () -> get(new Downloader.Expect("00".repeat(32), -1)));
        assertTrue(e.getMessage().contains("SHA256 mismatch"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("out/pkg.bin")));
        assertFalse(Files.exists(tmp.resolve("out/pkg.bin.part")));
    }

    @Test
    void buildIdOfATinyElf() throws Exception {
        Path f = TinyElf.write(tmp.resolve("x.elf"), "0123456789abcdef0123456789abcdef01234567", "Linux version x");
        assertEquals("0123456789abcdef0123456789abcdef01234567", Elf.buildId(f).orElseThrow());
        assertTrue(Verify.contains(f, "Linux version x".getBytes()));
        assertFalse(Verify.contains(f, "Linux version y".getBytes()));
    }
}
