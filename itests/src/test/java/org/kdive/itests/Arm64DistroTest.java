package org.kdive.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdive.test.Corpus;
import org.kdive.test.MadeDump;
import org.kdive.test.MadeDumps;

/**
 * An architecture is a plug-in: a distribution built with arch-arm64 and without arch-x86_64 (a
 * vendor's arm64-only kdive, docs/custom-distro.md) opens the made arm64 dump and refuses what it
 * cannot do on the corpus' x86_64 dump (virtual memory, tasks, backtraces), saying which machine no
 * bundle supports; the default distribution lists both architectures.
 */
class Arm64DistroTest {
    private static final String POM = """
            <project xmlns="http://maven.apache.org/POM/4.0.0">
              <modelVersion>4.0.0</modelVersion>
              <parent>
                <groupId>org.kdive</groupId>
                <artifactId>kdive-distro-base</artifactId>
                <version>0.1.0-SNAPSHOT</version>
                <relativePath/>
              </parent>
              <groupId>com.example</groupId>
              <artifactId>arm-kdive</artifactId>
              <packaging>pom</packaging>
              <dependencies>
                <dependency><groupId>org.kdive</groupId><artifactId>kdive-format-diskdump</artifactId><version>0.1.0-SNAPSHOT</version></dependency>
                <dependency><groupId>org.kdive</groupId><artifactId>kdive-format-elf</artifactId><version>0.1.0-SNAPSHOT</version></dependency>
                <dependency><groupId>org.kdive</groupId><artifactId>kdive-symbols-dwarf</artifactId><version>0.1.0-SNAPSHOT</version></dependency>
                <dependency><groupId>org.kdive</groupId><artifactId>kdive-arch-arm64</artifactId><version>0.1.0-SNAPSHOT</version></dependency>
                <dependency><groupId>org.kdive</groupId><artifactId>kdive-cmd-kernel</artifactId><version>0.1.0-SNAPSHOT</version></dependency>
                <dependency><groupId>net.java.dev.jna</groupId><artifactId>jna</artifactId><version>5.17.0</version></dependency>
              </dependencies>
            </project>
            """;

    @Test
    void arm64OnlyDistroOpensArm64DumpsAndRefusesX86Ones(@TempDir Path dir) throws Exception {
        MadeDump d = MadeDumps.require("deb12-6.1-cloud-arm64", "arm64-vqbug-kdump");
        Files.writeString(dir.resolve("pom.xml"), POM);
        Process mvn = new ProcessBuilder("mvn", "-o", "-q", "-B", "package")
                .directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("build.log").toFile()).start();
        assertTrue(mvn.waitFor(300, TimeUnit.SECONDS), "maven took too long");
        assertEquals(0, mvn.exitValue(), Files.readString(dir.resolve("build.log")));
        Path home = dir.resolve("target/kdive");
        assertTrue(Files.exists(home.resolve("bundles/kdive-arch-arm64-0.1.0-SNAPSHOT.jar")));
        assertFalse(Files.exists(home.resolve("bundles/kdive-arch-x86_64-0.1.0-SNAPSHOT.jar")));

        Kdive.Run arm = Kdive.run(home, d.dump().toString(), d.vmlinux().toString(), "--no-fetch", "-c", "plugins; sys; bt");
        assertEquals(0, arm.status(), arm.all());
        assertTrue(arm.out().matches("(?s).*\\narch +arm64 .*"), "plugins lists arm64: " + arm.out());
        assertFalse(arm.out().contains("x86_64 "), arm.out());
        assertTrue(arm.out().contains("RELEASE: " + d.release()), arm.out());
        assertTrue(arm.out().contains("MACHINE: aarch64"), arm.out());
        assertTrue(arm.out().contains("PID: " + d.facts().get("pid") + " "), arm.out());

        // the x86 dump: its file still opens (the format needs no architecture: what the dump is, its
        // notes), but nothing that needs virtual memory answers, and every such answer says why
        Kdive.Run x86 = Kdive.run(home, Corpus.file("vmcore.kdump-zlib").toString(), Corpus.vmlinux().toString(), "--no-fetch",
                "-c", "sys; bt");
        assertTrue(x86.status() != 0, "bt fails: " + x86.all());
        assertTrue(x86.err().contains("WARNING: no architecture bundle supports machine 'x86_64'"), x86.all());
        assertTrue(x86.out().contains("     MACHINE: x86_64"), x86.all());
        assertTrue(x86.out().contains("      MEMORY: (unknown: no architecture bundle supports machine 'x86_64')"), x86.all());
        assertFalse(x86.out().contains("PID: "), "no task is shown: " + x86.all());
        assertFalse(x86.all().contains("\tat org."), "no stack trace: " + x86.all());
    }

    @Test
    void defaultDistroListsBothArchitectures() throws Exception {
        Kdive.Run r = Kdive.run(Kdive.distro(), "-c", "plugins");
        assertEquals(0, r.status(), r.all());
        assertTrue(r.out().matches("(?s).*\\narch +arm64 +\\S+ +kdive-arch-arm64 +ACTIVE.*"), r.out());
        assertTrue(r.out().matches("(?s).*\\narch +x86_64 +\\S+ +kdive-arch-x86_64 +ACTIVE.*"), r.out());
        assertTrue(r.out().matches("(?s).*\\ndisassembler +capstone-arm64 +\\S+ +kdive-arch-arm64 +ACTIVE.*"), r.out());
    }
}
