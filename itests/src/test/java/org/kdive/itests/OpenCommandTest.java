package org.kdive.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdive.test.Corpus;

/**
 * `open` inside a run started with --no-fetch downloads nothing: it once ignored the launcher's
 * setting and fetched the 270 MB debuginfo package (its own "opened … with" line then triggered the
 * on-demand fetch).
 */
class OpenCommandTest {
    @Test
    void openRespectsTheLaunchersNoFetch(@TempDir Path tmp) throws Exception {
        Path cache = tmp.resolve("cache");
        Kdive.Run r = Kdive.run(Kdive.distro(), List.of("KDIVE_CACHE=" + cache, "HOME=" + tmp),
                "--no-fetch", "-c", "open " + Corpus.file("vmcore.kdump-zlib") + "; p runqueues");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("opened vmcore.kdump-zlib (kdump-compressed) without a vmlinux"), r.out());
        assertTrue(r.out().contains("struct rq runqueues;"), r.out());
        assertFalse(r.err().matches("(?s).*(download|unpack|fetch(ed|ing) ).*"), r.err());
        Path fetched = cache.resolve("debuginfo");
        if (Files.isDirectory(fetched)) {
            try (Stream<Path> s = Files.walk(fetched)) {
                assertEquals(List.of(), s.filter(Files::isRegularFile).toList(), "nothing may be downloaded");
            }
        }
    }
}
