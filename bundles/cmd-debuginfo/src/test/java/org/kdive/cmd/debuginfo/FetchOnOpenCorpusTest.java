package org.kdive.cmd.debuginfo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kdive.api.command.Result;
import org.kdive.api.fetch.DebuginfoFetcher;
import org.kdive.api.session.OpenRequest;
import org.kdive.api.session.Session;
import org.kdive.arch.x86.X86Architecture;
import org.kdive.cmd.kernel.commands.BtCommand;
import org.kdive.cmd.kernel.commands.SysCommand;
import org.kdive.core.BasicCommandContext;
import org.kdive.core.KdiveSessions;
import org.kdive.fetch.deb.DebianFetcher;
import org.kdive.fetch.testing.TestMirror;
import org.kdive.fetch.testing.CorpusDeb;
import org.kdive.format.diskdump.DiskdumpFormat;
import org.kdive.symbols.dwarf.DwarfDebugInfoProvider;
import org.kdive.test.Corpus;

/**
 * End to end: a Debian-layout mirror serves linux-image-6.1.0-50-cloud-amd64-dbg (built here with
 * dpkg-deb around the corpus vmlinux); opening vmcore.kdump-zlib with no vmlinux makes the core
 * identify the kernel and the Debian fetcher fetch, verify and cache it; then commands work.
 */
class FetchOnOpenCorpusTest {
    static final Path WORK = Paths.get("target/e2e").toAbsolutePath();
    static final String PKG = CorpusDeb.PACKAGE;
    static TestMirror mirror;
    static KdiveSessions sessions;
    static Session session;
    static String oldCache;

    @BeforeAll
    static void fetchOnOpen() throws Exception {
        deleteTree(WORK);
        String poolPath = "pool/main/l/linux/" + PKG + "_6.1.176-1_amd64.deb";
        Path deb = CorpusDeb.build(WORK, WORK.resolve("www/" + poolPath));
        Path idx = WORK.resolve("www/dists/bookworm/main/binary-amd64/Packages");
        Files.createDirectories(idx.getParent());
        Files.writeString(idx, "Package: " + PKG + "\nVersion: 6.1.176-1\nArchitecture: amd64\nFilename: " + poolPath
                + "\nSize: " + Files.size(deb) + "\nSHA256: " + sha256(deb) + "\n\n");
        mirror = new TestMirror(WORK.resolve("www"));

        oldCache = System.getProperty("kdive.cache");
        System.setProperty("kdive.cache", WORK.resolve("cache").toString());
        DebuginfoFetcher debian = new DebianFetcher(Map.of("mirrors", mirror.url(), "suites", "bookworm", "retryDelayMs", "10"));
        sessions = new KdiveSessions(List.of(new DiskdumpFormat()), List.of(new X86Architecture()),
                List.of(new DwarfDebugInfoProvider()), List.of(debian));
        long t0 = System.nanoTime();
        session = sessions.open(new OpenRequest(List.of(Corpus.file("vmcore.kdump-zlib")), null, true));
        System.out.printf("open with fetch: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    }

    @AfterAll
    static void cleanUp() {
        if (sessions != null) sessions.close();
        if (mirror != null) mirror.close();
        if (oldCache == null) System.clearProperty("kdive.cache");
        else System.setProperty("kdive.cache", oldCache);
        deleteTree(WORK);
    }

    @Test
    void theSessionUsesTheFetchedVerifiedVmlinux() throws Exception {
        Path vmlinux = session.vmlinux().orElseThrow().file();
        assertTrue(vmlinux.startsWith(WORK.resolve("cache")), vmlinux.toString());
        assertEquals(session.vmcoreinfo().buildId().orElseThrow(), session.vmlinux().get().buildId().orElseThrow());
        assertEquals("bb603a9147d3efe4744bf83c83eee397c591cc20", session.vmlinux().get().buildId().get());
        assertTrue(mirror.log().contains("GET /" + "pool/main/l/linux/" + PKG + "_6.1.176-1_amd64.deb"), mirror.log().toString());
    }

    @Test
    void debuginfoCommandShowsTheCacheHit() {
        DebuginfoCommand cmd = new DebuginfoCommand(List.of(new DebianFetcher(Map.of("mirrors", mirror.url(), "suites", "bookworm"))),
                WORK.resolve("cache/debuginfo"));
        Result r = cmd.execute(new BasicCommandContext(sessions), List.of());
        assertTrue(r.text().contains("   BUILD-ID: bb603a9147d3efe4744bf83c83eee397c591cc20"), r.text());
        assertTrue(r.text().contains("RELEASE: 6.1.0-50-cloud-amd64"), r.text());
        assertTrue(r.text().matches("(?s).*\\nDEBIAN: +cached: " + java.util.regex.Pattern.quote(WORK.resolve("cache/debuginfo/debian/6.1.0-50-cloud-amd64").toString()) + ".*"), r.text());
        Result f = cmd.execute(new BasicCommandContext(sessions), List.of("fetch", "--distro", "debian"));
        assertTrue(f.text().startsWith("cached: "), f.text());
    }

    @Test
    void sysAndBtWorkOnTheFetchedDebuginfo() {
        Result sys = new SysCommand().execute(new BasicCommandContext(sessions), List.of());
        assertTrue(sys.text().contains("6.1.0-50-cloud-amd64"), sys.text());
        Result bt = new BtCommand().execute(new BasicCommandContext(sessions), List.of());
        assertTrue(bt.text().contains("kworker/1:1H"), bt.text());
    }

    static String sha256(Path f) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(f)) {
            byte[] b = new byte[1 << 20];
            int n;
            while ((n = in.read(b)) > 0) md.update(b, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static void deleteTree(Path p) {
        if (!Files.exists(p)) return;
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
