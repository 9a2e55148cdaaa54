package org.kdive.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What makes later starts short, on a cache that starts empty: the first run leaves one complete
 * class-data-sharing archive (no temporary file) and Felix SCR's component-metadata cache; later
 * runs print the same and leave the same, and KDIVE_CDS=off runs without an archive.
 */
class StartupCachesTest {

    @Test
    void firstRunLeavesTheArchiveAndScrCacheLaterRunsReuseThem(@TempDir Path cache) throws Exception {
        List<String> env = List.of("KDIVE_CACHE=" + cache);
        // archives of installations that are gone, and of kdive's earlier naming, are removed
        Path cds = Files.createDirectories(cache.resolve("cds"));
        Path gone = Files.writeString(cds.resolve("kdive-+nonexistent+kdive-jdk17.0.1.jsa"), "x");
        Path earlier = Files.writeString(cds.resolve("kdive-123-456.jsa"), "x");
        // named by checksum (an installation whose directory has a '+'): the stamp names the installation
        Path goneSum = Files.writeString(cds.resolve("kdive-4242-jdk17.0.1.jsa"), "x");
        Files.writeString(cds.resolve("kdive-4242-jdk17.0.1.jsa.stamp"), "abc session\nhome " + cache.resolve("no+such") + "\n");
        Path keptSum = Files.writeString(cds.resolve("kdive-4343-jdk17.0.1.jsa"), "x");
        Files.writeString(cds.resolve("kdive-4343-jdk17.0.1.jsa.stamp"), "abc session\nhome " + cache + "\n");
        Kdive.Run first = Kdive.run(Kdive.distro(), env, "-c", "help");
        assertEquals(0, first.status(), first.all());
        assertEquals("", first.err());
        assertTrue(!Files.exists(gone) && !Files.exists(earlier), files(cds).toString());
        assertTrue(!Files.exists(goneSum) && !Files.exists(cds.resolve("kdive-4242-jdk17.0.1.jsa.stamp")), files(cds).toString());
        assertTrue(Files.exists(keptSum), "an installation that is there keeps its archive: " + files(cds));
        Files.delete(keptSum);
        Files.delete(cds.resolve("kdive-4343-jdk17.0.1.jsa.stamp"));
        List<Path> archives = archives(cache);
        assertEquals(1, archives.size(), archives.toString());
        assertTrue(archives.get(0).getFileName().toString().endsWith(".jsa"), archives.toString());
        assertTrue(Files.exists(stamp(archives.get(0))), "stamped with the jars it was made from: " + files(cds));
        assertTrue(Files.size(archives.get(0)) > 1_000_000, "archive size " + Files.size(archives.get(0)));
        assertEquals(1, files(cache.resolve("felix")).stream()
                .filter(p -> p.getFileName().toString().equals("componentMetadataStore")).count(),
                "SCR's metadata cache is written when the framework stops after a bundle change");

        Kdive.Run second = Kdive.run(Kdive.distro(), env, "-c", "help");
        assertEquals(0, second.status(), second.all());
        assertEquals(first.out(), second.out());
        assertEquals("", second.err());
        assertEquals(archives, archives(cache), "the archive is reused, not made again");

        Kdive.Run off = Kdive.run(Kdive.distro(), List.of("KDIVE_CACHE=" + cache.resolve("off"), "KDIVE_CDS=off"), "-c", "help");
        assertEquals(0, off.status(), off.all());
        assertEquals(first.out(), off.out());
        assertTrue(!Files.exists(cache.resolve("off").resolve("cds")), "KDIVE_CDS=off makes no archive");
    }

    /**
     * A JIT chosen in KDIVE_JAVA_OPTS is the run's: on one or two cores bin/kdive gives a batch run one
     * C1 thread, which the tiered JIT would refuse ("CICompilerCount (1) must be at least 2").
     */
    @Test
    void aJitGivenInKdiveJavaOptsIsTaken(@TempDir Path cache) throws Exception {
        for (String jit : List.of("-XX:TieredStopAtLevel=4", "-XX:CICompilerCount=2")) {
            Kdive.Run r = Kdive.run(Kdive.distro(), List.of("KDIVE_CACHE=" + cache, "KDIVE_CDS=off", "KDIVE_JAVA_OPTS=" + jit),
                    "--info", DUMP);
            assertEquals(0, r.status(), jit + ": " + r.all());
            assertTrue(r.out().contains("RELEASE: 6.1.0-50-cloud-amd64"), r.all());
        }
    }

    /**
     * The archive is named after the installation and the JDK only: a run that finds it made from
     * other jars (a bundle rebuilt, replaced, added) removes it, and the run after makes it again.
     */
    @Test
    void anArchiveOfOtherJarsIsMadeAgain(@TempDir Path dir) throws Exception {
        Path home = dir.resolve("kdive");
        Kdive.copyInstallation(Kdive.distro(), home);
        List<String> env = List.of("KDIVE_CACHE=" + dir.resolve("cache"));
        Kdive.Run first = Kdive.run(home, env, "-c", "help");
        assertEquals(0, first.status(), first.all());
        List<Path> made = archives(dir.resolve("cache"));
        assertEquals(1, made.size(), made.toString());
        String stamp = Files.readString(stamp(made.get(0)));
        Path jar = home.resolve("bundles").resolve("kdive-cmd-calc-0.1.0-SNAPSHOT.jar");
        assertTrue(Files.exists(jar), jar.toString());
        Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 60_000));
        Kdive.Run stale = Kdive.run(home, env, "-c", "help");
        assertEquals(first.out(), stale.out());
        assertEquals("", stale.err());
        assertEquals(List.of(), archives(dir.resolve("cache")), "the run that found its archive stale removed it");
        Kdive.Run remade = Kdive.run(home, env, "-c", "help");
        assertEquals(first.out(), remade.out());
        assertEquals(made, archives(dir.resolve("cache")), "made again under the same name");
        assertNotEquals(stamp, Files.readString(stamp(made.get(0))));
    }

    /**
     * The first run decides which classes the archive holds: one made by a run without a session
     * (--info) is made again, once, by the first run with one, which then stays.
     */
    @Test
    void anArchiveOfARunWithoutASessionIsMadeAgainByOneWithASession(@TempDir Path cache) throws Exception {
        List<String> env = List.of("KDIVE_CACHE=" + cache);
        Kdive.Run info = Kdive.run(Kdive.distro(), env, "--info", DUMP);
        assertEquals(0, info.status(), info.all());
        List<Path> made = archives(cache);
        assertEquals(1, made.size(), made.toString());
        assertTrue(!firstLine(stamp(made.get(0))).endsWith("session"), Files.readString(stamp(made.get(0))));
        String[] session = {"--no-fetch", DUMP, VMLINUX, "-c", "sym jiffies"};
        Kdive.Run first = Kdive.run(Kdive.distro(), env, session);
        assertEquals(0, first.status(), first.all());
        assertEquals(List.of(), archives(cache), "the run with a session removed the --info run's archive");
        Kdive.Run second = Kdive.run(Kdive.distro(), env, session);
        assertEquals(first.out(), second.out());
        assertEquals(made, archives(cache), "made again under the same name");
        String stamped = Files.readString(stamp(made.get(0)));
        assertTrue(firstLine(stamp(made.get(0))).endsWith(" session"), stamped);
        assertTrue(stamped.contains("\nhome " + Kdive.distro().toAbsolutePath().normalize() + "\n"), "the stamp names its installation: " + stamped);
        java.nio.file.attribute.FileTime at = Files.getLastModifiedTime(made.get(0));
        Kdive.Run third = Kdive.run(Kdive.distro(), env, session);
        assertEquals(first.out(), third.out());
        Kdive.Run fourth = Kdive.run(Kdive.distro(), env, "--info", DUMP);
        assertEquals(info.out(), fourth.out());
        assertEquals(at, Files.getLastModifiedTime(made.get(0)), "kept by later runs of either kind");
        assertEquals(stamped, Files.readString(stamp(made.get(0))));
    }

    private static List<Path> archives(Path cache) throws Exception {
        return files(cache.resolve("cds")).stream().filter(p -> p.toString().endsWith(".jsa") || p.toString().endsWith(".aot"))
                .collect(Collectors.toList());
    }

    /** A stamp's first line: the jars it was made from, and " session" after a run with one. */
    private static String firstLine(Path stamp) throws java.io.IOException {
        return Files.readString(stamp).lines().findFirst().orElse("").trim();
    }

    private static Path stamp(Path archive) {
        return archive.resolveSibling(archive.getFileName() + ".stamp");
    }

    private static List<Path> files(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
        }
    }

    private static final String DUMP = org.kdive.test.Corpus.file("vmcore.kdump-zlib").toString();
    private static final String VMLINUX = org.kdive.test.Corpus.vmlinux().toString();
    /** Needs the DWARF name index (p of a global's value), so that it is built and saved. */
    private static final String INDEXED = "p jiffies; sys";

    /** Issue 14: KDIVE_CACHE moves every cache, the DWARF index included; $HOME is followed without it. */
    @Test
    void kdiveCacheMovesEveryCacheAndHomeIsFollowed(@TempDir Path dir) throws Exception {
        Path cache = dir.resolve("cache");
        Path home = Files.createDirectories(dir.resolve("home"));
        Kdive.Run r = Kdive.run(Kdive.distro(), List.of("KDIVE_CACHE=" + cache, "HOME=" + home), DUMP, VMLINUX, "-c", INDEXED);
        assertEquals(0, r.status(), r.all());
        for (String d : new String[] {"cds", "felix", "index"}) assertTrue(Files.isDirectory(cache.resolve(d)), d + " under KDIVE_CACHE");
        assertEquals(1, files(cache.resolve("index")).stream().filter(p -> p.toString().endsWith(".idx")).count(),
                "the index under KDIVE_CACHE: " + files(cache));
        assertTrue(Files.isRegularFile(cache.resolve("kdive.log")));
        assertEquals(List.of(), files(home), "nothing under HOME when KDIVE_CACHE is set");

        // without KDIVE_CACHE, HOME (not the password database's home directory) decides
        ProcessBuilder pb = Kdive.builder(Kdive.distro(), null, List.of("HOME=" + home), DUMP, VMLINUX, "-c", INDEXED);
        pb.environment().remove("KDIVE_CACHE");
        pb.environment().remove("KDIVE_INDEX_DIR");
        Process p = pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertEquals(0, p.waitFor());
        Path homeCache = home.resolve(".cache/kdive");
        for (String d : new String[] {"cds", "felix", "index"}) assertTrue(Files.isDirectory(homeCache.resolve(d)), d + " under $HOME/.cache/kdive");
        assertEquals(1, files(homeCache.resolve("index")).stream().filter(f -> f.toString().endsWith(".idx")).count());
    }

    /**
     * Issue 14: a cache directory that cannot be written (not a directory, read-only, full) costs
     * the caches, never the run: one warning, then the same output and status as with a cache
     * (it stopped with exit 3, pointing at a log it could not write).
     */
    @Test
    void anUnusableCacheDirectoryMeansOneWarningAndNoCaching(@TempDir Path dir) throws Exception {
        Kdive.Run normal = Kdive.run(Kdive.distro(), List.of("KDIVE_CACHE=" + dir.resolve("good")), DUMP, VMLINUX, "-c", INDEXED);
        assertEquals(0, normal.status(), normal.all());

        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertRunsWithoutCaching(normal, file, "not a directory", List.of());

        Path readOnly = Files.createDirectory(dir.resolve("read-only"));
        Path full = Files.createDirectory(dir.resolve("full"));
        if (((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0) {
            // root writes whatever the permissions: a read-only file system, and a full one, in a mount
            // namespace of the run's own
            assertRunsWithoutCaching(normal, readOnly, "read-only file system",
                    List.of("unshare", "-m", "sh", "-c", "mount -t tmpfs -o ro,size=1m tmpfs \"$0\" && exec \"$@\"", readOnly.toString()));
            assertRunsWithoutCaching(normal, full, "no space left on device",
                    List.of("unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=256k tmpfs \"$0\" && "
                            + "{ dd if=/dev/zero of=\"$0/fill\" bs=4k 2>/dev/null; exec \"$@\"; }", full.toString()));
        } else {
            Files.setPosixFilePermissions(readOnly, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
            assertRunsWithoutCaching(normal, readOnly, "permission denied", List.of());
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "a full file system needs root (a tmpfs mount) to make");
        }
    }

    private static void assertRunsWithoutCaching(Kdive.Run normal, Path cache, String why, List<String> wrapper) throws Exception {
        ProcessBuilder pb = Kdive.builder(Kdive.distro(), null, List.of("KDIVE_CACHE=" + cache, "KDIVE_SERVER=on"), DUMP, VMLINUX, "-c", INDEXED);
        List<String> cmd = new java.util.ArrayList<>(wrapper);
        cmd.addAll(pb.command());
        pb.command(cmd);
        Process p = pb.start();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        Thread t = Kdive.pump(p.getErrorStream(), err);
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(240, java.util.concurrent.TimeUnit.SECONDS));
        t.join();
        String said = err.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals("WARNING: kdive: cannot use the cache directory " + cache + " (" + why + "): running without caching\n"
                + normal.err(), said, "one warning, in " + cache);
        assertEquals(normal.out(), out);
        assertEquals(normal.status(), p.exitValue(), said);
    }

    /**
     * Issue 21: on JDK 25+ the JDK's ahead-of-time cache replaces the class-data archive: the first
     * run records, the cache is made in the background after it, later runs use it; no run prints
     * the JDK's warnings about Felix's sun.misc.Unsafe or JNA's native access. (The 17 path is the
     * test above.)
     */
    @Test
    void onJdk25TheAheadOfTimeCacheIsMadeAndUsed(@TempDir Path cache) throws Exception {
        Path jdk = jdk25();
        org.junit.jupiter.api.Assumptions.assumeTrue(jdk != null, "no JDK 25+ in /usr/lib/jvm (or -Dkdive.test.jdk25)");
        List<String> env = List.of("KDIVE_CACHE=" + cache, "JAVA_HOME=" + jdk);
        Kdive.Run first = Kdive.run(Kdive.distro(), env, "--no-fetch", DUMP, "-c", "sys; dis -r vqb_virtqueue_add | tail -1");
        assertEquals(0, first.status(), first.all());
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline && (archives(cache).isEmpty()
                || training(cache.resolve("cds")))) {
            Thread.sleep(200);
        }
        List<Path> caches = archives(cache);
        assertEquals(1, caches.size(), caches.toString());
        assertTrue(caches.get(0).toString().endsWith(".aot"), caches.toString());
        Kdive.Run second = Kdive.run(Kdive.distro(), env, "--no-fetch", DUMP, "-c", "sys; dis -r vqb_virtqueue_add | tail -1");
        assertEquals(first.out(), second.out());
        assertEquals(first.err(), second.err());
        assertTrue(!second.err().contains("Unsafe") && !second.err().contains("restricted method"), second.err());
        assertEquals(caches, archives(cache), "the cache is reused, not made again");
        Kdive.Run on17 = Kdive.run(Kdive.distro(), List.of("KDIVE_CACHE=" + cache.resolve("17")), "--no-fetch", DUMP, "-c",
                "sys; dis -r vqb_virtqueue_add | tail -1");
        assertEquals(on17.out(), second.out(), "the same answers on 17");
    }

    private static boolean training(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith(".training"));
        }
    }

    /** A JDK of feature version 25 or later: -Dkdive.test.jdk25, else the newest in /usr/lib/jvm. */
    private static Path jdk25() throws Exception {
        String prop = System.getProperty("kdive.test.jdk25");
        if (prop != null) return Path.of(prop);
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) return null;
        try (Stream<Path> s = Files.list(jvms)) {
            for (Path d : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Path release = d.resolve("release");
                if (Files.isSymbolicLink(d) || !Files.isRegularFile(release)) continue;
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("JAVA_VERSION=\"(\\d+)").matcher(Files.readString(release));
                if (m.find() && Integer.parseInt(m.group(1)) >= 25 && Files.isExecutable(d.resolve("bin/java"))) return d;
            }
        }
        return null;
    }
}
