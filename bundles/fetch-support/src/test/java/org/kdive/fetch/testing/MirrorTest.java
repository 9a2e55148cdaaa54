package org.kdive.fetch.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fetcher test against a real HTTP mirror: each test gets a fresh temporary folder, a
 * {@link TestMirror} serving its {@code www} folder and a {@link TestContext} caching in {@code cache}.
 */
public abstract class MirrorTest {
    @TempDir protected Path tmp;
    protected TestMirror mirror;
    protected TestContext ctx;

    @BeforeEach
    protected void startMirror() throws IOException {
        Files.createDirectories(tmp.resolve("www"));
        mirror = new TestMirror(tmp.resolve("www"));
        ctx = new TestContext(tmp.resolve("cache"));
    }

    @AfterEach
    protected void stopMirror() {
        mirror.close();
    }
}
