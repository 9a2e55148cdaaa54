package org.kdive.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdive.test.Corpus;

/**
 * Issue 14, item 7: what the launcher says about the files on its command line, before anything
 * starts, so that a person can act on it: each case exits 2 with one line naming the file and why.
 */
class LauncherMessagesTest {
    private static final String DUMP = Corpus.file("vmcore.kdump-zlib").toString();

    @TempDir
    static Path cache;

    private static Kdive.Run kdive(String... args) throws Exception {
        return Kdive.run(Kdive.distro(), List.of("KDIVE_CACHE=" + cache), args);
    }

    private static void assertSays(String message, Kdive.Run r) {
        assertEquals(message + "\n", r.err());
        assertEquals("", r.out());
        assertEquals(2, r.status());
    }

    @Test
    void aDirectoryOrADeviceIsNotARegularFile() throws Exception {
        assertSays("kdive: /tmp: not a regular file (a directory)", kdive("--info", "/tmp"));
        assertSays("kdive: /dev/zero: not a regular file (a character device)", kdive("--info", "/dev/zero"));
        assertSays("kdive: /nonexistent.kdump: no such file", kdive("--info", "/nonexistent.kdump"));
    }

    @Test
    void aMissingCommandFileSaysWhy() throws Exception {
        assertSays("kdive: cannot read the commands in /nonexistent.cmds: no such file", kdive("-i", "/nonexistent.cmds", DUMP));
        assertSays("kdive: cannot read the commands in /tmp: a directory", kdive("-i", "/tmp", DUMP));
    }

    @Test
    void aTextFileIsNeitherAVmlinuxNorADump(@TempDir Path dir) throws Exception {
        // (it was taken for a second dump: expected signature "KDUMP   ")
        assertSays("kdive: /etc/passwd: a text file, not a vmlinux (nor a dump)", kdive("--no-fetch", DUMP, "/etc/passwd", "-c", "sys"));
        assertSays("kdive: /etc/passwd: a text file, not a dump", kdive("--info", "/etc/passwd"));
        Path empty = Files.createFile(dir.resolve("empty"));
        assertSays("kdive: " + empty + ": an empty file, neither a dump nor a vmlinux", kdive("--info", empty.toString()));
    }

    /** A dump this user may not read: as root, the run is made as nobody; as another user, the file is made unreadable. */
    @Test
    void aDumpTheUserMayNotReadIsPermissionDenied() throws Exception {
        Path dir = Files.createTempDirectory("kdive-secret");
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            Path secret = dir.resolve("secret.kdump");
            try (java.io.InputStream in = Files.newInputStream(Path.of(DUMP))) {
                Files.write(secret, in.readNBytes(4096)); // its head is enough
            }
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
            boolean root = ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
            List<String> env = List.of("KDIVE_CACHE=" + dir.resolve("cache"), "HOME=" + dir);
            ProcessBuilder pb = Kdive.builder(Kdive.distro(), null, env, "--info", secret.toString());
            if (root) {
                List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
                cmd.addAll(pb.command());
                pb.command(cmd);
            } else {
                Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
            }
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            String err = new String(p.getErrorStream().readAllBytes());
            p.waitFor();
            assertSays("kdive: " + secret + ": permission denied", new Kdive.Run(p.exitValue(), out, err));
        } finally {
            try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
                for (Path f : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) Files.delete(f);
            }
        }
    }

    /**
     * A bundle taken out of an installation's bundles/ (a trimmed distribution): the framework's
     * cache still names it on the next start. Felix printed its own stack trace for that on the
     * console; kdive uninstalls it and says nothing.
     */
    @Test
    void aBundleRemovedFromTheInstallationIsDroppedQuietly(@TempDir Path dir) throws Exception {
        Path home = dir.resolve("kdive");
        Kdive.copyInstallation(Kdive.distro(), home);
        List<String> env = List.of("KDIVE_CACHE=" + dir.resolve("cache"));
        Kdive.Run before = Kdive.run(home, env, "--info", DUMP);
        assertEquals(0, before.status(), before.all());
        Files.delete(home.resolve("bundles").resolve(bundle(home, "kdive-autopsy-")));
        Kdive.Run after = Kdive.run(home, env, "--info", DUMP);
        assertEquals("", after.err());
        assertEquals(before.out(), after.out());
        assertEquals(0, after.status());
    }

    private static String bundle(Path home, String prefix) throws java.io.IOException {
        try (java.util.stream.Stream<Path> s = Files.list(home.resolve("bundles"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).findFirst().orElseThrow();
        }
    }
}
