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
        assertNothingFetched(cache);
    }

    /**
     * Zero-download analysis is lazy: opening a dump without a vmlinux and running the everyday
     * commands (which the dump's BTF, kallsyms and VMCOREINFO answer) starts no download. The fetchers
     * point at a dead mirror, so a regression shows as a failed fetch instead of a 270 MB download;
     * the output must equal the --no-fetch run's.
     */
    @Test
    void everydayCommandsWithoutAVmlinuxFetchNothing(@TempDir Path tmp) throws Exception {
        Path config = tmp.resolve("kdive.properties");
        Files.writeString(config, "org.kdive.fetch.debian.mirrors=http://127.0.0.1:1/debian\n"
                + "org.kdive.fetch.ubuntu.mirrors=http://127.0.0.1:1/ubuntu\n"
                + "org.kdive.fetch.debuginfod.urls=http://127.0.0.1:1\n");
        String commands = "sys; bt; bt -a; ps; log; mod; kmem -i; runq; files; mount; foreach bt; p runqueues";
        String dump = Corpus.file("vmcore.kdump-zlib").toString();
        List<String> env = List.of("KDIVE_CACHE=" + tmp.resolve("cache"), "HOME=" + tmp, "KDIVE_CONFIG=" + config,
                "DEBUGINFOD_URLS=http://127.0.0.1:1");
        Kdive.Run lazy = Kdive.run(Kdive.distro(), env, dump, "-c", commands);
        Kdive.Run none = Kdive.run(Kdive.distro(), env, "--no-fetch", dump, "-c", commands);
        assertEquals(0, lazy.status(), lazy.err());
        assertFalse(lazy.err().matches("(?s).*(download|unpack|127\\.0\\.0\\.1).*"), lazy.err());
        assertEquals(none.out(), lazy.out());
        assertNothingFetched(tmp.resolve("cache"));
    }

    private static void assertNothingFetched(Path cache) throws Exception {
        Path fetched = cache.resolve("debuginfo");
        if (Files.isDirectory(fetched)) {
            try (Stream<Path> s = Files.walk(fetched)) {
                assertEquals(List.of(), s.filter(Files::isRegularFile).toList(), "nothing may be downloaded");
            }
        }
    }
}
