package org.kdive.fetch.rpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.kdive.api.fetch.FetchException;
import org.kdive.api.fetch.FetchPlan;
import org.kdive.api.fetch.FetchResult;
import org.kdive.api.fetch.KernelIdentity;
import org.kdive.fetch.support.Downloader;
import org.kdive.fetch.support.Elf;
import org.kdive.fetch.testing.MirrorTest;
import org.kdive.fetch.testing.TinyElf;
import org.kdive.fetch.testing.Tools;

/** The rpm fetcher against a real HTTP mirror serving rpms built with rpmbuild, in each layout. */
class RpmFetcherTest extends MirrorTest {
    static final String VER = "3.10.0";
    static final String REL = "862.14.4.el7";
    static final String RELEASE = VER + "-" + REL + ".x86_64";
    static final String ID = "0123456789abcdef0123456789abcdef76543210";
    static final String MOD_ID = "fedcba9876543210fedcba9876543210aaaa0000";
    static final KernelIdentity EL7 = new KernelIdentity(RELEASE, "#1 SMP Tue Sep 25 14:30:00 UTC 2018", "x86_64",
            Optional.of(ID), "Linux version " + RELEASE, Map.of());

    /** Builds NAME-VER-REL.x86_64.rpm with rpmbuild, holding the given files. */
    static Path rpmbuild(Path work, String name, String release, String payload, Map<String, byte[]> files) throws Exception {
        Path top = work.resolve("rpmbuild-" + name);
        Path src = top.resolve("SOURCES");
        Files.createDirectories(src);
        StringBuilder install = new StringBuilder();
        StringBuilder list = new StringBuilder();
        int i = 0;
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Files.write(src.resolve("f" + i), f.getValue());
            String dir = f.getKey().substring(0, f.getKey().lastIndexOf('/'));
            install.append("mkdir -p %{buildroot}/").append(dir).append('\n')
                    .append("cp %{_sourcedir}/f").append(i).append(" %{buildroot}/").append(f.getKey()).append('\n');
            list.append('/').append(f.getKey()).append('\n');
            i++;
        }
        Path spec = top.resolve(name + ".spec");
        Files.writeString(spec, "%global debug_package %{nil}\n%global __os_install_post %{nil}\n"
                + "Name: " + name + "\nVersion: " + VER + "\nRelease: " + release + "\nSummary: test\nLicense: GPL\n"
                + "%description\ntest\n%install\n" + install
                + "%post\ntouch " + work.resolve("SCRIPT-RAN") + "\n"
                + "%files\n" + list);
        Tools.run(null, "rpmbuild", "-bb", "--target", "x86_64", "--define", "_topdir " + top,
                "--define", "_binary_payload " + payload, "--nodeps", spec.toString());
        return top.resolve("RPMS/x86_64/" + name + "-" + VER + "-" + release + ".x86_64.rpm");
    }

    static Map<String, byte[]> debuginfoFiles(String id) {
        String d = "usr/lib/debug/lib/modules/" + RELEASE;
        return Map.of(d + "/vmlinux", TinyElf.bytes(id, "Linux version " + RELEASE),
                d + "/kernel/fs/xfs/xfs.ko.debug", TinyElf.bytes(MOD_ID, "xfs"));
    }

    /** Writes repodata/repomd.xml and primary.xml.gz listing the rpms (relative to base). */
    static void repodata(Path base, Map<String, Path> rpms, String shaOverride) throws IOException {
        StringBuilder p = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<metadata xmlns=\"http://linux.duke.edu/metadata/common\" xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\" packages=\""
                + rpms.size() + "\">\n");
        for (Map.Entry<String, Path> e : rpms.entrySet()) {
            Path f = base.resolve(e.getKey());
            String n = f.getFileName().toString();
            String name = n.substring(0, n.indexOf("-" + VER + "-"));
            p.append("<package type=\"rpm\"><name>").append(name).append("</name><arch>x86_64</arch>")
                    .append("<version epoch=\"0\" ver=\"").append(VER).append("\" rel=\"").append(REL).append("\"/>")
                    .append("<checksum type=\"sha256\" pkgid=\"YES\">")
                    .append(shaOverride != null ? shaOverride : Downloader.sha256(f)).append("</checksum>")
                    .append("<summary>x</summary><size package=\"").append(Files.size(f)).append("\" installed=\"1\" archive=\"1\"/>")
                    .append("<location href=\"").append(e.getKey()).append("\"/></package>\n");
        }
        p.append("</metadata>\n");
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bo)) {
            gz.write(p.toString().getBytes(StandardCharsets.UTF_8));
        }
        byte[] primary = bo.toByteArray();
        String sha = Downloader.sha256(primary);
        Files.createDirectories(base.resolve("repodata"));
        Files.write(base.resolve("repodata/" + sha + "-primary.xml.gz"), primary);
        Files.writeString(base.resolve("repodata/repomd.xml"), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<repomd xmlns=\"http://linux.duke.edu/metadata/repo\"><revision>1</revision>"
                + "<data type=\"other\"><checksum type=\"sha256\">00</checksum><location href=\"repodata/other.xml.gz\"/></data>"
                + "<data type=\"primary\"><checksum type=\"sha256\">" + sha + "</checksum><open-checksum type=\"sha256\">11</open-checksum>"
                + "<location href=\"repodata/" + sha + "-primary.xml.gz\"/></data></repomd>\n");
    }

    Map<String, Object> config(String repos) {
        Map<String, Object> m = new HashMap<>();
        m.put("repositories", repos);
        m.put("retryDelayMs", "10");
        m.put("idleTimeoutMs", "2000");
        return m;
    }

    @Test
    void parsesReleases() {
        RpmFetcher.Nvra n = RpmFetcher.parse(RELEASE);
        assertEquals(new RpmFetcher.Nvra("kernel", VER, REL, "x86_64", "7"), n);
        assertEquals("kernel-debuginfo-common-x86_64-3.10.0-862.14.4.el7.x86_64.rpm", n.file(n.common()));
        assertEquals(new RpmFetcher.Nvra("kernel", "5.14.0", "362.24.1.el9_3", "aarch64", "9"), RpmFetcher.parse("5.14.0-362.24.1.el9_3.aarch64"));
        assertEquals("kernel-debug-debuginfo", RpmFetcher.parse("4.18.0-305.el8.x86_64+debug").debuginfo());
        assertNull(RpmFetcher.parse("6.1.0-50-cloud-amd64"));
        FetchPlan plan = new RpmFetcher(Map.of()).plan(EL7).orElseThrow();
        assertEquals(List.of("kernel-debuginfo-3.10.0-862.14.4.el7.x86_64.rpm", "kernel-debuginfo-common-x86_64-3.10.0-862.14.4.el7.x86_64.rpm"),
                plan.packages());
        assertEquals("https://debuginfo.centos.org/7/x86_64/kernel-debuginfo-3.10.0-862.14.4.el7.x86_64.rpm", plan.urls().get(0).toString());
    }

    @Test
    void centos7FlatLayoutWithRepodataAndXzPayload() throws Exception {
        Path base = tmp.resolve("www/7/x86_64");
        Files.createDirectories(base);
        Path di = rpmbuild(tmp, "kernel-debuginfo", REL, "w2.xzdio", debuginfoFiles(ID));
        Path common = rpmbuild(tmp, "kernel-debuginfo-common-x86_64", REL, "w2.xzdio",
                Map.of("usr/src/debug/kernel-3.10.0/linux/README", "src".getBytes()));
        Files.copy(di, base.resolve(di.getFileName()));
        Files.copy(common, base.resolve(common.getFileName()));
        repodata(base, Map.of(di.getFileName().toString(), base.resolve(di.getFileName()),
                common.getFileName().toString(), base.resolve(common.getFileName())), null);

        RpmFetcher f = new RpmFetcher(config(mirror.url() + "{major}/{arch}/"));
        FetchResult r = f.fetch(EL7, ctx);
        assertEquals(ID, Elf.buildId(r.vmlinux()).orElseThrow());
        assertEquals(MOD_ID, Elf.buildId(r.modules().get("xfs")).orElseThrow());
        assertTrue(mirror.log().contains("GET /7/x86_64/repodata/repomd.xml"), mirror.log().toString());
        // the sources package is not needed for vmlinux: not downloaded unless includeCommon
        assertTrue(mirror.log().stream().noneMatch(l -> l.contains("common")), mirror.log().toString());
        assertTrue(!Files.exists(tmp.resolve("SCRIPT-RAN")));
        assertEquals(r.vmlinux(), f.cached(EL7, ctx).orElseThrow().vmlinux());
    }

    @Test
    void packagesLayoutWithoutRepodataGzipPayloadAndRetry() throws Exception {
        Path base = tmp.resolve("www/8-stream/x86_64/Packages");
        Files.createDirectories(base);
        String rel8 = "348.el8";
        String release = VER + "-" + rel8 + ".x86_64";
        Path di = rpmbuild(tmp, "kernel-debuginfo", rel8, "w6.gzdio",
                Map.of("usr/lib/debug/lib/modules/" + release + "/vmlinux", TinyElf.bytes(ID, "x")));
        Files.copy(di, base.resolve(di.getFileName()));
        mirror.failNext("/8-stream/x86_64/Packages/" + di.getFileName(), 1);
        KernelIdentity k = new KernelIdentity(release, "#1 SMP", "x86_64", Optional.of(ID), "", Map.of());
        FetchResult r = new RpmFetcher(config(mirror.url() + "{major}-stream/{arch}/")).fetch(k, ctx);
        assertEquals(ID, Elf.buildId(r.vmlinux()).orElseThrow());
    }

    @Test
    void repodataChecksumMismatchIsAnError() throws Exception {
        Path base = tmp.resolve("www/7/x86_64");
        Files.createDirectories(base);
        Path di = rpmbuild(tmp, "kernel-debuginfo", REL, "w2.xzdio", debuginfoFiles(ID));
        Files.copy(di, base.resolve(di.getFileName()));
        repodata(base, Map.of(di.getFileName().toString(), base.resolve(di.getFileName())), "cd".repeat(32));
        FetchException e = assertThrows(FetchException.class, () -> new RpmFetcher(config(mirror.url() + "{major}/{arch}/")).fetch(EL7, ctx));
        assertTrue(e.getMessage().contains("SHA256 mismatch"), e.getMessage());
    }

    @Test
    void buildIdMismatchAndNotFound() throws Exception {
        Path base = tmp.resolve("www/7/x86_64");
        Files.createDirectories(base);
        Path di = rpmbuild(tmp, "kernel-debuginfo", REL, "w2.xzdio", debuginfoFiles("ab".repeat(20)));
        Files.copy(di, base.resolve(di.getFileName()));
        RpmFetcher f = new RpmFetcher(config(mirror.url() + "{major}/{arch}/"));
        FetchException e = assertThrows(FetchException.class, () -> f.fetch(EL7, ctx));
        assertTrue(e.getMessage().contains("build-id mismatch"), e.getMessage());
        assertTrue(f.cached(EL7, ctx).isEmpty());

        Files.delete(base.resolve(di.getFileName()));
        e = assertThrows(FetchException.class, () -> f.fetch(EL7, ctx));
        assertTrue(e.getMessage().contains(mirror.url() + "7/x86_64/Packages/k/kernel-debuginfo-3.10.0-862.14.4.el7.x86_64.rpm"), e.getMessage());
        assertTrue(e.getMessage().contains("kernel-debuginfo-common-x86_64-3.10.0-862.14.4.el7.x86_64.rpm"), e.getMessage());
        assertTrue(e.getMessage().contains(tmp.resolve("cache/rpm").toString()), e.getMessage());
    }

    @Test
    void zstdPayload() throws Exception {
        Path base = tmp.resolve("www/9/x86_64");
        Files.createDirectories(base);
        String rel9 = "362.el9";
        String release = VER + "-" + rel9 + ".x86_64";
        Path di;
        try {
            di = rpmbuild(tmp, "kernel-debuginfo", rel9, "w3.zstdio",
                    Map.of("usr/lib/debug/lib/modules/" + release + "/vmlinux", TinyElf.bytes(ID, "x")));
        } catch (IOException e) {
            throw new AssertionError("this rpmbuild cannot write zstd payloads", e);
        }
        Files.copy(di, base.resolve(di.getFileName()));
        KernelIdentity k = new KernelIdentity(release, "#1 SMP", "x86_64", Optional.of(ID), "", Map.of());
        assertEquals(ID, Elf.buildId(new RpmFetcher(config(mirror.url() + "{major}/{arch}/")).fetch(k, ctx).vmlinux()).orElseThrow());
    }
}
