package org.kdive.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
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
}
