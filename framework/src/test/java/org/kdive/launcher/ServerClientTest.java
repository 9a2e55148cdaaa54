package org.kdive.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which server a run may use: the socket name follows everything a server reads once at its start. */
class ServerClientTest {
    @TempDir
    Path home;
    @TempDir
    Path cache;

    @Test
    void socketChangesWithTheInstallationDropInsAndConfiguration() throws Exception {
        for (String d : new String[] {"lib", "bundles", "plugins", "etc"}) Files.createDirectories(home.resolve(d));
        Files.writeString(home.resolve("bundles/a.jar"), "a");
        Options none = Options.parse(new String[] {"-c", "sys"});
        Path first = ServerClient.socket(cache, home, none);
        assertTrue(first.startsWith(cache.resolve("server")) && first.toString().endsWith(".sock"), first.toString());
        assertEquals(first, ServerClient.socket(cache, home, none), "same settings, same server");

        Files.writeString(home.resolve("plugins/vendor.jar"), "v");
        Path withPlugin = ServerClient.socket(cache, home, none);
        assertNotEquals(first, withPlugin, "a dropped-in bundle");

        Files.writeString(home.resolve("etc/org.kdive.fetch.deb.cfg"), "mirror=x");
        Path withConfig = ServerClient.socket(cache, home, none);
        assertNotEquals(withPlugin, withConfig, "a configuration file");

        Files.setLastModifiedTime(home.resolve("bundles/a.jar"), FileTime.fromMillis(0));
        assertNotEquals(withConfig, ServerClient.socket(cache, home, none), "a rebuilt bundle");

        Path extra = Files.createDirectories(cache.resolve("more"));
        assertNotEquals(ServerClient.socket(cache, home, none),
                ServerClient.socket(cache, home, Options.parse(new String[] {"--plugins", extra.toString(), "-c", "sys"})),
                "another plug-in directory");
    }

    @Test
    void onlyBatchRunsWithoutTheirOwnLogUseAServer() {
        assertTrue(ServerClient.eligible(Options.parse(new String[] {"-c", "sys", "dump"})) || "off".equals(System.getenv("KDIVE_SERVER")));
        assertEquals(false, ServerClient.eligible(Options.parse(new String[] {"dump"})), "interactive");
        assertEquals(false, ServerClient.eligible(Options.parse(new String[] {"-v", "-c", "sys"})));
        assertEquals(false, ServerClient.eligible(Options.parse(new String[] {"--log", "x.log", "-c", "sys"})));
        assertEquals(false, ServerClient.eligible(Options.parse(new String[] {"--serve", "s.sock"})));
    }

    @Test
    void requestCarriesAbsoluteFileNames() {
        Map<String, String> r = ServerClient.request(Options.parse(new String[] {"--json", "-i", "steps.txt", "vmcore", "vmlinux"}));
        Path cwd = Path.of("").toAbsolutePath();
        assertEquals(cwd.resolve("vmcore") + java.io.File.pathSeparator + cwd.resolve("vmlinux"), r.get("kdive.files"));
        assertEquals(cwd.resolve("steps.txt").toString(), r.get("kdive.script"));
        assertEquals("true", r.get("kdive.json"));
        assertNull(r.get("kdive.commands"));
    }

    @Test
    void noServerAnswersMeansRunAlone() {
        assertEquals(-1, ServerClient.run(cache.resolve("server/none.sock"), Map.of()));
        assertEquals(-1, ServerClient.run(null, Map.of()));
    }

    /**
     * A listener in a directory that is not private, or not this user's, hears nothing of the run
     * (its working directory, dump paths and commands) and cannot answer it; the run goes on alone,
     * with a warning, and starts no server there.
     */
    @Test
    void aDirectoryNotPrivateOrNotOursIsNotTrusted() throws Exception {
        Path open = Files.createDirectory(cache.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertRefusedWithoutAWord(open, "has mode rwxr-xr-x");

        if (!root()) return; // a directory of another user needs root to make
        Path theirs = Files.createDirectory(cache.resolve("theirs"));
        Files.setPosixFilePermissions(theirs, PosixFilePermissions.fromString("rwx------"));
        Files.setAttribute(theirs, "unix:uid", NOBODY);
        assertRefusedWithoutAWord(theirs, "belongs to nobody");
    }

    private void assertRefusedWithoutAWord(Path dir, String why) throws Exception {
        Path socket = dir.resolve("x.sock");
        try (ServerSocketChannel hostile = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            hostile.bind(UnixDomainSocketAddress.of(socket));
            hostile.configureBlocking(false);
            String err = stderrOf(() -> assertEquals(ServerClient.REFUSED, ServerClient.run(socket, Map.of("kdive.commands", "sys"))));
            assertTrue(err.contains("not using the kdive server at " + socket) && err.contains(why), err);
            assertNull(hostile.accept(), "the client connected to " + socket);
            ServerClient.start(Path.of("/nonexistent"), socket, Map.of());
        }
        Files.delete(socket);
        ServerClient.start(home, socket, Map.of()); // (no bin/kdive here: it would not start anyway)
        assertFalse(Files.exists(Path.of(socket + ".warmup")), "a server was about to start in " + dir);
    }

    /** A listener of another user in the right place: the client hangs up before sending anything. */
    @Test
    void aListenerOfAnotherUserHearsNothing() throws Exception {
        Assumptions.assumeTrue(root(), "running a listener as another user needs root");
        Path ours = Files.createDirectory(cache.resolve("server"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path open = Files.createTempDirectory("kdive-listener");
        try {
            Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
            Files.writeString(open.resolve("Listener.java"), String.join("\n",
                    "import java.io.*; import java.net.*; import java.nio.channels.*; import java.nio.file.*;",
                    "public class Listener { public static void main(String[] a) throws Exception {",
                    "  try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {",
                    "    s.bind(UnixDomainSocketAddress.of(a[0]));",
                    "    System.out.println(\"ready\"); System.out.flush();",
                    "    try (SocketChannel c = s.accept()) {",
                    "      System.out.println(\"heard \" + Channels.newInputStream(c).readAllBytes().length + \" bytes\");",
                    "    } } } }"));
            Path theirs = open.resolve("hostile.sock");
            Process p = new ProcessBuilder("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:-UsePerfData",
                    open.resolve("Listener.java").toString(), theirs.toString()).redirectErrorStream(true).start();
            java.io.BufferedReader said = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", said.readLine());
            Path socket = ours.resolve("x.sock");
            Files.move(theirs, socket); // (a socket is reached by its file, wherever that lies)
            String err = stderrOf(() -> assertEquals(ServerClient.REFUSED, ServerClient.run(socket, Map.of("kdive.commands", "sys"))));
            assertTrue(err.contains("its listener runs as nobody"), err);
            assertEquals("heard 0 bytes", said.readLine());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        } finally {
            try (java.util.stream.Stream<Path> files = Files.list(open)) {
                for (Path f : (Iterable<Path>) files::iterator) Files.delete(f);
            }
            Files.delete(open);
        }
    }

    private static final int NOBODY = 65534;

    private static boolean root() throws java.io.IOException {
        return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    }

    private static String stderrOf(Runnable r) {
        java.io.PrintStream old = System.err;
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(b, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(old);
        }
        return b.toString(StandardCharsets.UTF_8);
    }
}
