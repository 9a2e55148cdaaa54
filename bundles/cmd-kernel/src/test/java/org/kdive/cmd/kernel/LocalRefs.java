package org.kdive.cmd.kernel;

import java.nio.file.Path;
import org.kdive.test.Corpus;

/** crash 8.0.2 output on the corpus kept with these tests (src/test/resources/refs), beyond the corpus's own refs. */
final class LocalRefs {
    private LocalRefs() {
    }

    static String crash(String name) {
        return Corpus.read(Path.of("src/test/resources/refs/crash-" + name + ".txt"));
    }
}
