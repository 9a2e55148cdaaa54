package org.kdive.api.fetch;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Where kdive's debuginfo cache is unless a caller says otherwise, so the core, the `debuginfo`
 * command and tools outside OSGi agree: {@code KDIR/debuginfo} with KDIR from env
 * {@code KDIVE_CACHE}, else system property {@code kdive.cache}, else {@code ~/.cache/kdive}.
 * Fetchers write under {@code ROOT/<fetcher name>/}.
 */
public final class CacheRoot {
    private CacheRoot() {
    }

    public static Path defaultRoot() {
        String s = System.getenv("KDIVE_CACHE");
        if (s == null || s.isBlank()) s = System.getProperty("kdive.cache");
        Path kdive = s == null || s.isBlank() ? Paths.get(System.getProperty("user.home"), ".cache", "kdive") : Paths.get(s);
        return kdive.resolve("debuginfo");
    }
}
