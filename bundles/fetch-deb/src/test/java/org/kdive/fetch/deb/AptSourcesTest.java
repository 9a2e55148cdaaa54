package org.kdive.fetch.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AptSourcesTest {
    @Test
    void readsOneLineAndDeb822SourcesSkippingDisabledFiles(@TempDir Path apt) throws Exception {
        Files.writeString(apt.resolve("sources.list"), "# comment\ndeb [arch=amd64] http://mirror.example.org/debian/ bookworm main\n"
                + "deb-src http://src.example.org/debian bookworm main\n");
        Files.createDirectories(apt.resolve("sources.list.d"));
        Files.writeString(apt.resolve("sources.list.d/debian.sources"),
                "Types: deb\nURIs: https://a.example.org/debian https://b.example.org/debian-security\nSuites: bookworm\n");
        Files.writeString(apt.resolve("sources.list.d/old.list.disabled"), "deb http://disabled.example.org/debian bookworm main\n");
        assertEquals(List.of("http://mirror.example.org/debian", "https://a.example.org/debian",
                "https://b.example.org/debian-security"), AptSources.mirrors(apt));
    }

    @Test
    void noSourcesMeansNoMirror(@TempDir Path apt) {
        assertEquals(List.of(), AptSources.mirrors(apt));
    }
}
