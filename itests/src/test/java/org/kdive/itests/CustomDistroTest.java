package org.kdive.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdive.test.Corpus;

/**
 * A vendor assembles a distribution from a chosen set of bundles with a small pom that inherits
 * kdive-distro-base (docs/custom-distro.md). Built here with Maven, without the kernel-state
 * commands and the x86_64 bundle, plus the vendor's own bundle.
 */
class CustomDistroTest {
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
              <artifactId>acme-kdive</artifactId>
              <packaging>pom</packaging>
              <dependencies>
                <dependency><groupId>org.kdive</groupId><artifactId>kdive-format-diskdump</artifactId><version>0.1.0-SNAPSHOT</version></dependency>
                <dependency><groupId>org.kdive</groupId><artifactId>kdive-cmd-dumpinfo</artifactId><version>0.1.0-SNAPSHOT</version></dependency>
                <dependency><groupId>org.kdive</groupId><artifactId>kdive-sample-vendor-hello</artifactId><version>0.1.0-SNAPSHOT</version></dependency>
              </dependencies>
            </project>
            """;

    @Test
    void vendorDistroHasExactlyTheChosenBundles(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("pom.xml"), POM);
        Process mvn = new ProcessBuilder("mvn", "-o", "-q", "-B", "package")
                .directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("build.log").toFile()).start();
        assertTrue(mvn.waitFor(300, TimeUnit.SECONDS), "maven took too long");
        assertEquals(0, mvn.exitValue(), Files.readString(dir.resolve("build.log")));
        Path home = dir.resolve("target/kdive");
        assertTrue(Files.isRegularFile(dir.resolve("target/acme-kdive-0.1.0-SNAPSHOT.tar.gz")), "the archive is built");
        assertTrue(Files.exists(home.resolve("bundles/kdive-format-diskdump-0.1.0-SNAPSHOT.jar")));
        assertFalse(Files.exists(home.resolve("bundles/kdive-cmd-kernel-0.1.0-SNAPSHOT.jar")));

        String dump = Corpus.file("vmcore.kdump-zlib").toString();
        Kdive.Run r = Kdive.run(home, dump, "--no-fetch", "-c", "dumpinfo; hello acme; plugins; sys");
        assertTrue(r.out().contains("6.1.0-50-cloud-amd64"), r.all());
        assertTrue(r.out().contains("hello from acme: kernel 6.1.0-50-cloud-amd64"), r.all());
        assertTrue(r.err().contains("sys: command not found"), "the left-out capability is absent: " + r.all());
        assertFalse(r.out().contains("x86_64 "), "no architecture bundle listed: " + r.out());
        assertEquals(1, r.status(), "sys failed, so the batch fails");
        assertFalse(new File(home.toFile(), "bundles/kdive-arch-x86_64-0.1.0-SNAPSHOT.jar").exists());
    }
}
