package org.kdive.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Vendor bundles that cannot resolve or throw while activating are reported once; everything else works. */
class BrokenBundleTest {
    @Test
    void brokenBundlesAreReportedOnceAndIsolated(@TempDir Path plugins) throws Exception {
        for (String s : new String[] {"broken-unresolvable", "broken-activate", "vendor-hello"}) {
            Files.copy(Kdive.sample(s), plugins.resolve(s + ".jar"));
        }
        Kdive.Run r = Kdive.run(Kdive.distro(), "--plugins", plugins.toString(), "-c", "hello isolated; plugins; help");
        assertEquals(0, r.status(), r.all());
        assertTrue(r.out().contains("hello from isolated"), r.out());
        assertTrue(r.out().contains("kdive-sample-broken-unresolvable"), r.out());
        assertEquals(1, count(r.err(), "kdive-sample-broken-unresolvable 0.1.0.SNAPSHOT"), r.err());
        assertTrue(r.err().contains("com.example.absent"), "names the missing package: " + r.err());
        assertEquals(1, count(r.err(), "boom: this sample fails on purpose"), r.err());
        assertEquals(2, count(r.err(), "WARNING: plugin"), "one line per broken bundle, none for innocent ones: " + r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        assertTrue(r.out().contains("plugins"), r.out());
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
        return n;
    }
}
