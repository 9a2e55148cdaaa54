package org.kdive.fetch.debuginfod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.kdive.api.fetch.FetchException;
import org.kdive.api.fetch.FetchResult;
import org.kdive.api.fetch.KernelIdentity;
import org.kdive.fetch.support.Elf;
import org.kdive.fetch.testing.MirrorTest;
import org.kdive.fetch.testing.TinyElf;

/** The debuginfod fetcher against a real HTTP server (the mirror) laid out as debuginfod answers. */
class DebuginfodFetcherTest extends MirrorTest {
    static final String ID = "aa".repeat(20);
    static final String MOD = "bb".repeat(20);
    static final KernelIdentity K = new KernelIdentity("6.8.0-1-generic", "#1 SMP", "x86_64", Optional.of(ID), "",
            Map.of("virtio_blk", MOD, "absent_mod", "cc".repeat(20)));

    DebuginfodFetcher fetcher(String env) {
        return new DebuginfodFetcher(Map.of("retryDelayMs", "10", "retries", "1"), env);
    }

    @Test
    void vmlinuxAndModulesByBuildIdFromDebuginfodUrls() throws Exception {
        TinyElf.write(tmp.resolve("www/buildid/" + ID + "/debuginfo"), ID, "vmlinux");
        TinyElf.write(tmp.resolve("www/buildid/" + MOD + "/debuginfo"), MOD, "virtio_blk");
        mirror.failNext("/buildid/" + ID + "/debuginfo", 1);
        // the first server is down: the second one has it
        DebuginfodFetcher f = fetcher("http://127.0.0.1:1/ " + mirror.url());
        assertTrue(f.plan(K).isPresent());
        FetchResult r = f.fetch(K, ctx);
        assertEquals(ID, Elf.buildId(r.vmlinux()).orElseThrow());
        assertEquals(MOD, Elf.buildId(r.modules().get("virtio_blk")).orElseThrow());
        assertEquals(1, r.modules().size());
        assertEquals(r.vmlinux(), f.cached(K, ctx).orElseThrow().vmlinux());
    }

    @Test
    void wrongFileIsRejectedAndMissingIsExplained() throws Exception {
        TinyElf.write(tmp.resolve("www/buildid/" + ID + "/debuginfo"), "dd".repeat(20), "other kernel");
        DebuginfodFetcher f = fetcher(mirror.url());
        FetchException e = assertThrows(FetchException.class, () -> f.fetch(K, ctx));
        assertTrue(e.getMessage().contains("build-id mismatch"), e.getMessage());
        assertTrue(f.cached(K, ctx).isEmpty());

        Files.delete(tmp.resolve("www/buildid/" + ID + "/debuginfo"));
        e = assertThrows(FetchException.class, () -> f.fetch(K, ctx));
        assertTrue(e.getMessage().contains(mirror.url() + "buildid/" + ID + "/debuginfo"), e.getMessage());
        assertTrue(e.getMessage().contains(tmp.resolve("cache/debuginfod/6.8.0-1-generic/" + ID + "/vmlinux").toString()), e.getMessage());
    }

    @Test
    void noBuildIdOrNoServerMeansNotApplicable() {
        assertTrue(fetcher(null).plan(K).isEmpty());
        KernelIdentity old = new KernelIdentity("3.10.0-1.el7.x86_64", "#1", "x86_64", Optional.empty(), "", Map.of());
        assertTrue(fetcher(mirror.url()).plan(old).isEmpty());
    }
}
