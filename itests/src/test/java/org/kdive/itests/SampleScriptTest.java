package org.kdive.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ./sample.sh (the README's first command) shows the build's progress on stderr, one line per
 * module, and keeps stdout for kdive alone. Run on a copy of the script in a scratch checkout whose
 * sources are newer than the distribution (so it builds) with a stand-in for Maven that prints what
 * Maven 3.8 prints, colour codes included, and one for the corpus set-up (already done); the real
 * distribution then opens the real sample dump.
 */
class SampleScriptTest {
    @Test
    void buildProgressGoesToStderrAndStdoutStaysClean(@TempDir Path tmp) throws Exception {
        Path repo = Path.of(System.getProperty("kdive.docs", "../docs")).toAbsolutePath().normalize().getParent();
        Path copy = Files.createDirectories(tmp.resolve("kdive"));
        Files.copy(repo.resolve("sample.sh"), copy.resolve("sample.sh"));
        Files.createDirectories(copy.resolve("distro/default/target"));
        Files.createSymbolicLink(copy.resolve("distro/default/target/kdive"), Kdive.distro().toAbsolutePath());
        Files.createDirectories(copy.resolve("bundles/x"));
        Files.writeString(copy.resolve("bundles/x/Newer.java"), "class Newer {}\n");
        // the corpus as ../shared/corpus/setup.sh leaves it (a stand-in: the real one would re-verify for the copy's path)
        Files.createDirectories(tmp.resolve("shared/corpus"));
        Files.writeString(tmp.resolve("shared/corpus/setup.sh"), "echo '" + org.kdive.test.Corpus.dir().getParent() + "'\n");
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Files.writeString(bin.resolve("mvn"), """
                #!/bin/sh
                printf '\\033[0m\\033[0m[INFO] Scanning for projects...\\n'
                printf '[INFO] Building kdive api 0.1.0-SNAPSHOT                                     [1/2]\\n'
                printf '[INFO] Building kdive shell 0.1.0-SNAPSHOT                                   [2/2]\\n'
                printf '[INFO] BUILD SUCCESS\\n\\033[0m\\033[0m'
                """);
        bin.resolve("mvn").toFile().setExecutable(true);

        ProcessBuilder pb = new ProcessBuilder("bash", copy.resolve("sample.sh").toString(), "-c", "sys");
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().put("KDIVE_SERVER", "off");
        pb.environment().put("KDIVE_CACHE", tmp.resolve("cache").toString());
        Path out = tmp.resolve("out");
        Path err = tmp.resolve("err");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(240, TimeUnit.SECONDS));
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), stdout + stderr);
        assertTrue(stderr.contains("building kdive"), stderr);
        assertTrue(stderr.contains("[1/2] kdive api") && stderr.contains("[2/2] kdive shell"), "progress per module: " + stderr);
        assertFalse(stdout.contains("\u001b"), "no terminal codes on stdout: " + stdout);
        assertTrue(stdout.startsWith("      KERNEL: "), "stdout is kdive's: " + stdout);
    }
}
