package org.kdive.api.util;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Where what kdive derives from a kernel build is kept between runs (the DWARF name index, the
 * symbol table, the kallsyms hints), each file named after the build: -Dkdive.index.dir (the
 * launcher passes it), $KDIVE_INDEX_DIR, else ~/.cache/kdive/index.
 */
public final class IndexDir {
    private IndexDir() {
    }

    public static Path path() {
        String d = System.getProperty("kdive.index.dir");
        if (d == null || d.isBlank()) d = System.getenv("KDIVE_INDEX_DIR");
        if (d == null || d.isBlank()) return Paths.get(System.getProperty("user.home"), ".cache", "kdive", "index");
        return Paths.get(d);
    }
}
