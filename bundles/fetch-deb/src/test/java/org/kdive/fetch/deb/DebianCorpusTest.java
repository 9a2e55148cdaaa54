package org.kdive.fetch.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kdive.api.fetch.FetchResult;
import org.kdive.api.fetch.KernelIdentity;
import org.kdive.fetch.support.DebuginfoCache;
import org.kdive.fetch.support.Elf;
import org.kdive.fetch.testing.CorpusDeb;
import org.kdive.fetch.testing.TestContext;
import org.kdive.fetch.testing.TestMirror;
import org.kdive.test.Corpus;

/**
 * The corpus kernel's real debuginfo (561 MiB) served from a Debian-layout mirror as
 * linux-image-6.1.0-50-cloud-amd64-dbg (built once with dpkg-deb, data.tar uncompressed), fetched
 * for what vmcore.kdump-zlib says about its kernel, and verified against the dump's BUILD-ID.
 */
class DebianCorpusTest {
    static final Path WORK = Paths.get("target/corpus-mirror").toAbsolutePath();
    static TestMirror mirror;

    @BeforeAll
    static void buildMirror() throws Exception {
        DebuginfoCache.deleteTree(WORK);
        Path deb = CorpusDeb.build(WORK, WORK.resolve(CorpusDeb.PACKAGE + ".deb"));
        DebFetcherTest.publish(WORK.resolve("www"), deb, CorpusDeb.PACKAGE, CorpusDeb.VERSION, null);
        Files.delete(deb);
        mirror = new TestMirror(WORK.resolve("www"));
    }

    @AfterAll
    static void cleanUp() {
        if (mirror != null) mirror.close();
        DebuginfoCache.deleteTree(WORK);
    }

    /** What the kdump header and VMCOREINFO of the dump say (read here without the format bundle). */
    static KernelIdentity identityOfDump(Path dump) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(dump)) {
            head = in.readNBytes(8 << 20);
        }
        String s = new String(head, StandardCharsets.ISO_8859_1);
        // struct disk_dump_header: signature[8], header_version, then new_utsname (6 × 65 bytes)
        String release = cstring(head, 12 + 65 * 2);
        String version = cstring(head, 12 + 65 * 3);
        String machine = cstring(head, 12 + 65 * 4);
        Matcher id = Pattern.compile("BUILD-ID=([0-9a-f]+)").matcher(s);
        assertTrue(id.find(), "the dump's VMCOREINFO has a BUILD-ID");
        return new KernelIdentity(release, version, machine, Optional.of(id.group(1)), "", Map.of());
    }

    private static String cstring(byte[] b, int off) {
        int e = off;
        while (b[e] != 0) e++;
        return new String(b, off, e - off, StandardCharsets.US_ASCII);
    }

    @Test
    void fetchesTheCorpusKernelForTheDump() throws Exception {
        KernelIdentity k = identityOfDump(Corpus.file("vmcore.kdump-zlib"));
        assertEquals("6.1.0-50-cloud-amd64", k.release());
        TestContext ctx = new TestContext(WORK.resolve("cache"));
        DebianFetcher f = new DebianFetcher(Map.of("mirrors", mirror.url(), "suites", "bookworm", "retryDelayMs", "10"));
        assertEquals("6.1.176-1", f.packageVersion(k));
        long t0 = System.nanoTime();
        FetchResult r = f.fetch(k, ctx);
        System.out.printf("fetched and verified %d MiB in %d ms%n", Files.size(r.vmlinux()) >> 20, (System.nanoTime() - t0) / 1_000_000);
        assertEquals(k.buildId().get(), Elf.buildId(r.vmlinux()).orElseThrow());
        assertEquals(-1L, Files.mismatch(Corpus.vmlinux(), r.vmlinux()), "the fetched vmlinux is the corpus one, byte for byte");
        assertEquals(r.vmlinux(), f.cached(k, ctx).orElseThrow().vmlinux());
    }
}
