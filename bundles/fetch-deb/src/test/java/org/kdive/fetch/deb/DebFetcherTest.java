package org.kdive.fetch.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.kdive.api.fetch.FetchException;
import org.kdive.api.fetch.FetchPlan;
import org.kdive.api.fetch.FetchResult;
import org.kdive.api.fetch.KernelIdentity;
import org.kdive.fetch.support.Downloader;
import org.kdive.fetch.support.Elf;
import org.kdive.fetch.testing.Archives;
import org.kdive.fetch.testing.MirrorTest;
import org.kdive.fetch.testing.TinyElf;
import org.kdive.fetch.testing.Tools;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/** Debian and Ubuntu fetchers against a real HTTP mirror serving packages built with dpkg-deb. */
class DebFetcherTest extends MirrorTest {
    static final String REL = "6.1.0-99-amd64";
    static final String VER = "6.1.999-1";
    static final String ID = "11112222333344445555666677778888aaaabbbb";
    static final String MOD_ID = "99990000999900009999000099990000ccccdddd";
    static final String DEB = "linux-image-" + REL + "-dbg_" + VER + "_amd64.deb";
    static final KernelIdentity DEBIAN = new KernelIdentity(REL, "#1 SMP PREEMPT_DYNAMIC Debian " + VER + " (2025-01-01)",
            "x86_64", Optional.of(ID), "Linux version " + REL, Map.of("virtio_ring", MOD_ID));

    Map<String, Object> config(String... more) {
        Map<String, Object> m = new HashMap<>();
        m.put("mirrors", mirror.url() + "debian");
        m.put("suites", "bookworm");
        m.put("retryDelayMs", "10");
        m.put("idleTimeoutMs", "2000");
        for (int i = 0; i < more.length; i += 2) m.put(more[i], more[i + 1]);
        return m;
    }

    /** Builds a real .deb with dpkg-deb and returns its path. */
    static Path buildDeb(Path work, String pkg, String version, String compression, Map<String, byte[]> files) throws Exception {
        Path root = work.resolve(pkg + "-root");
        Files.createDirectories(root.resolve("DEBIAN"));
        Files.writeString(root.resolve("DEBIAN/control"), "Package: " + pkg + "\nVersion: " + version
                + "\nArchitecture: amd64\nMaintainer: kdive tests <t@example.org>\nDescription: test\n test package\n");
        // a maintainer script that must never run
        Files.writeString(root.resolve("DEBIAN/postinst"), "#!/bin/sh\ntouch " + work.resolve("POSTINST-RAN") + "\n");
        Files.setPosixFilePermissions(root.resolve("DEBIAN/postinst"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Path p = root.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, f.getValue());
        }
        Path out = work.resolve(pkg + ".deb");
        Tools.run(null, "dpkg-deb", "--root-owner-group", "-Z" + compression, "-z1", "--build", root.toString(), out.toString());
        return out;
    }

    static Map<String, byte[]> debianFiles(String buildId) {
        return Map.of(
                "usr/lib/debug/boot/vmlinux-" + REL, TinyElf.bytes(buildId, "Linux version " + REL),
                "usr/lib/debug/lib/modules/" + REL + "/kernel/drivers/virtio/virtio_ring.ko", TinyElf.bytes(MOD_ID, "mod"),
                "usr/share/doc/x/README", "hello".getBytes(StandardCharsets.UTF_8));
    }

    /** Puts the package in the pool and lists it in dists/SUITE/main/binary-amd64/Packages.xz. */
    static void publish(Path mirrorRoot, Path deb, String pkg, String version, String sha256Override) throws IOException {
        String poolPath = "pool/main/l/linux/" + pkg + "_" + version + "_amd64.deb";
        Path target = mirrorRoot.resolve(poolPath);
        Files.createDirectories(target.getParent());
        Files.copy(deb, target);
        String stanza = "Package: other\nVersion: 1\nFilename: pool/main/o/other/other_1_amd64.deb\nSize: 1\nSHA256: 00\n\n"
                + "Package: " + pkg + "\nSource: linux (" + version + ")\nVersion: " + version + "\nArchitecture: amd64\n"
                + "Description: Debug symbols\n more text\nFilename: " + poolPath + "\nSize: " + Files.size(deb) + "\n"
                + "SHA256: " + (sha256Override != null ? sha256Override : Downloader.sha256(deb)) + "\n\n";
        Path idx = mirrorRoot.resolve("dists/bookworm/main/binary-amd64/Packages.xz");
        Files.createDirectories(idx.getParent());
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (XZOutputStream xz = new XZOutputStream(bo, new LZMA2Options(1))) {
            xz.write(stanza.getBytes(StandardCharsets.UTF_8));
        }
        Files.write(idx, bo.toByteArray());
    }

    @Test
    void debianHappyPathVerifiedByPackagesAndBuildId() throws Exception {
        Path deb = buildDeb(tmp, "linux-image-" + REL + "-dbg", VER, "xz", debianFiles(ID));
        publish(tmp.resolve("www/debian"), deb, "linux-image-" + REL + "-dbg", VER, null);
        DebianFetcher f = new DebianFetcher(config());
        FetchPlan plan = f.plan(DEBIAN).orElseThrow();
        assertEquals(List.of(DEB), plan.packages());
        assertTrue(f.cached(DEBIAN, ctx).isEmpty());

        FetchResult r = f.fetch(DEBIAN, ctx);
        assertEquals(ID, Elf.buildId(r.vmlinux()).orElseThrow());
        assertEquals(MOD_ID, Elf.buildId(r.modules().get("virtio_ring")).orElseThrow());
        assertEquals(1, r.modules().size());
        assertTrue(r.vmlinux().startsWith(tmp.resolve("cache/debian")));
        assertTrue(mirror.log().contains("GET /debian/dists/bookworm/main/binary-amd64/Packages.xz"), mirror.log().toString());
        assertFalse(Files.exists(tmp.resolve("POSTINST-RAN")));
        assertTrue(ctx.tasks.stream().anyMatch(t -> t.startsWith("download ")), ctx.tasks.toString());
        assertTrue(ctx.tasks.stream().anyMatch(t -> t.startsWith("unpack ")), ctx.tasks.toString());

        // a new fetcher (a later run) finds it in the cache without the network
        mirror.close();
        assertEquals(r.vmlinux(), new DebianFetcher(config()).cached(DEBIAN, ctx).orElseThrow().vmlinux());
        // nothing but the kernel's folder is left (no staging, no package, no .part)
        try (Stream<Path> s = Files.walk(tmp.resolve("cache"))) {
            assertEquals(List.of(), s.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals("vmlinux") && !n.equals("virtio_ring.ko") && !n.equals("kdive-fetch.properties")).toList());
        }
    }

    @Test
    void ubuntuDdebFromThePoolWithZstd() throws Exception {
        String rel = "5.15.0-91-generic";
        String ver = "5.15.0-91.101";
        String pkg = "linux-image-unsigned-" + rel + "-dbgsym";
        Path ddeb = buildDeb(tmp, pkg, ver, "zstd", Map.of("usr/lib/debug/boot/vmlinux-" + rel, TinyElf.bytes(ID, "x")));
        Path target = tmp.resolve("www/ubuntu/pool/main/l/linux/" + pkg + "_" + ver + "_amd64.ddeb");
        Files.createDirectories(target.getParent());
        Files.copy(ddeb, target);
        KernelIdentity k = new KernelIdentity(rel, "#101-Ubuntu SMP Tue Nov 14 13:30:08 UTC 2023", "x86_64",
                Optional.of(ID), "", Map.of());
        UbuntuFetcher f = new UbuntuFetcher(Map.of("mirrors", mirror.url() + "ubuntu", "retryDelayMs", "10"));
        assertTrue(new DebianFetcher(config()).plan(k).isEmpty());
        FetchPlan plan = f.plan(k).orElseThrow();
        assertEquals(List.of(pkg + "_" + ver + "_amd64.ddeb", "linux-image-" + rel + "-dbgsym_" + ver + "_amd64.ddeb"), plan.packages());
        FetchResult r = f.fetch(k, ctx);
        assertEquals(ID, Elf.buildId(r.vmlinux()).orElseThrow());
        // jammy's indexes were looked for (absent here), then the pool
        assertTrue(mirror.log().contains("GET /ubuntu/dists/jammy-updates/main/binary-amd64/Packages.xz"), mirror.log().toString());
    }

    @Test
    void ubuntuHweVersionAndOlderPackageName() {
        KernelIdentity k = new KernelIdentity("5.15.0-91-generic", "#101~20.04.1-Ubuntu SMP", "x86_64", Optional.empty(), "", Map.of());
        UbuntuFetcher f = new UbuntuFetcher(Map.of());
        assertEquals("5.15.0-91.101~20.04.1", f.packageVersion(k));
        assertEquals("focal", f.codename(k));
        FetchPlan plan = f.plan(k).orElseThrow();
        assertTrue(plan.urls().stream().anyMatch(u -> u.toString().equals("http://ddebs.ubuntu.com/pool/main/l/linux-hwe-5.15/"
                + "linux-image-unsigned-5.15.0-91-generic-dbgsym_5.15.0-91.101~20.04.1_amd64.ddeb")), plan.urls().toString());
    }

    @Test
    void notFoundNamesThePackagesAndWhereToPutThem() {
        FetchException e = assertThrows(FetchException.class, () -> new DebianFetcher(config()).fetch(DEBIAN, ctx));
        assertTrue(e.getMessage().contains(DEB), e.getMessage());
        assertTrue(e.getMessage().contains(mirror.url() + "debian/pool/main/l/linux/" + DEB), e.getMessage());
        assertTrue(e.getMessage().contains(tmp.resolve("cache/debian/" + REL + "/" + ID + "/vmlinux").toString()), e.getMessage());
    }

    @Test
    void offlineSaysWhatToDoByHand() {
        FetchException e = assertThrows(FetchException.class, () -> new DebianFetcher(Map.of("mirrors", "http://127.0.0.1:1/debian",
                "suites", "bookworm", "retries", "0")).fetch(DEBIAN, ctx));
        assertTrue(e.getMessage().contains("http://127.0.0.1:1/debian/pool/main/l/linux/" + DEB), e.getMessage());
        assertTrue(e.getMessage().contains("To do it by hand"), e.getMessage());
    }

    @Test
    void packagesChecksumMismatchIsAnError() throws Exception {
        Path deb = buildDeb(tmp, "linux-image-" + REL + "-dbg", VER, "xz", debianFiles(ID));
        publish(tmp.resolve("www/debian"), deb, "linux-image-" + REL + "-dbg", VER, "ab".repeat(32));
        FetchException e = assertThrows(FetchException.class, () -> new DebianFetcher(config()).fetch(DEBIAN, ctx));
        assertTrue(e.getMessage().contains("SHA256 mismatch"), e.getMessage());
        assertTrue(new DebianFetcher(config()).cached(DEBIAN, ctx).isEmpty());
    }

    @Test
    void buildIdMismatchIsAnError() throws Exception {
        Path deb = buildDeb(tmp, "linux-image-" + REL + "-dbg", VER, "gzip", debianFiles("deadbeef".repeat(5)));
        publish(tmp.resolve("www/debian"), deb, "linux-image-" + REL + "-dbg", VER, null);
        FetchException e = assertThrows(FetchException.class, () -> new DebianFetcher(config()).fetch(DEBIAN, ctx));
        assertTrue(e.getMessage().contains("build-id mismatch"), e.getMessage());
        assertTrue(new DebianFetcher(config()).cached(DEBIAN, ctx).isEmpty());
        assertFalse(Files.exists(tmp.resolve("cache/debian/" + REL)));
    }

    @Test
    void moduleBuildIdMismatchIsAnError() throws Exception {
        Path deb = buildDeb(tmp, "linux-image-" + REL + "-dbg", VER, "xz", debianFiles(ID));
        publish(tmp.resolve("www/debian"), deb, "linux-image-" + REL + "-dbg", VER, null);
        KernelIdentity k = new KernelIdentity(REL, DEBIAN.version(), "x86_64", Optional.of(ID), "", Map.of("virtio_ring", ID));
        FetchException e = assertThrows(FetchException.class, () -> new DebianFetcher(config()).fetch(k, ctx));
        assertTrue(e.getMessage().contains("module virtio_ring"), e.getMessage());
    }

    static byte[] hostileDeb(Archives.Tar tar) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (XZOutputStream xz = new XZOutputStream(bo, new LZMA2Options(0))) {
            xz.write(tar.bytes());
        }
        return Archives.ar("debian-binary", "2.0\n".getBytes(StandardCharsets.US_ASCII),
                "control.tar.xz", new byte[0], "data.tar.xz", bo.toByteArray());
    }

    void publishRaw(byte[] deb) throws IOException {
        Path p = tmp.resolve("raw.deb");
        Files.write(p, deb);
        publish(tmp.resolve("www/debian"), p, "linux-image-" + REL + "-dbg", VER, null);
    }

    @Test
    void pathTraversalRejectsThePackage() throws Exception {
        publishRaw(hostileDeb(new Archives.Tar()
                .file("./usr/lib/debug/boot/vmlinux-" + REL, TinyElf.bytes(ID, "x"))
                .file("./usr/lib/debug/lib/modules/" + REL + "/../../../../../../evil.ko", "x".getBytes())));
        FetchException e = assertThrows(FetchException.class, () -> new DebianFetcher(config()).fetch(DEBIAN, ctx));
        assertTrue(e.getMessage().contains("climbs out"), e.getMessage());
        assertTrue(new DebianFetcher(config()).cached(DEBIAN, ctx).isEmpty());
        try (Stream<Path> s = Files.walk(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith("evil")));
        }
    }

    @Test
    void absolutePathsAndEscapingSymlinksAreNotFollowed() throws Exception {
        publishRaw(hostileDeb(new Archives.Tar().symlink("./usr/lib/debug/boot/vmlinux-" + REL, "/etc/passwd")));
        FetchException e = assertThrows(FetchException.class, () -> new DebianFetcher(config()).fetch(DEBIAN, ctx));
        assertTrue(e.getMessage().contains("have no vmlinux"), e.getMessage());

        publishRawAgain(hostileDeb(new Archives.Tar().file("/usr/lib/debug/boot/vmlinux-" + REL, TinyElf.bytes(ID, "x"))));
        e = assertThrows(FetchException.class, () -> new DebianFetcher(config()).fetch(DEBIAN, ctx));
        assertTrue(e.getMessage().contains("absolute"), e.getMessage());
    }

    private void publishRawAgain(byte[] deb) throws IOException {
        try (Stream<Path> s = Files.walk(tmp.resolve("www/debian"))) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        Files.deleteIfExists(tmp.resolve("raw.deb"));
        publishRaw(deb);
    }

    @Test
    void decompressionBombIsStopped() throws Exception {
        publishRaw(hostileDeb(new Archives.Tar().file("./usr/share/zeros", new byte[3 << 20])
                .file("./usr/lib/debug/boot/vmlinux-" + REL, TinyElf.bytes(ID, "x"))));
        FetchException e = assertThrows(FetchException.class,
                () -> new DebianFetcher(config("maxUnpacked", "1M")).fetch(DEBIAN, ctx));
        assertTrue(e.getMessage().contains("unpacks to more than"), e.getMessage());
    }
}
