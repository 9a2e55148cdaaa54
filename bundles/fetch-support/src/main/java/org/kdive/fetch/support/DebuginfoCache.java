package org.kdive.fetch.support;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;
import org.kdive.api.fetch.FetchException;
import org.kdive.api.fetch.FetchResult;
import org.kdive.api.fetch.KernelIdentity;

/**
 * One fetcher's part of the cache: {@code ROOT/FETCHER/RELEASE/BUILD-ID/} holding {@code vmlinux} and
 * {@code modules/NAME.ko[.debug]}. A kernel's folder appears only whole (built in a staging folder,
 * then renamed), so whatever is there was verified; it is re-checked against the build-id on
 * every lookup anyway. A vmlinux put there by hand is found the same way.
 */
public final class DebuginfoCache {
    public static final String MANIFEST = "kdive-fetch.properties";
    private final Path base;

    public DebuginfoCache(Path cacheRoot, String fetcher) {
        this.base = cacheRoot.resolve(safe(fetcher));
    }

    /** Where a kernel's files go. */
    public Path dir(KernelIdentity k) {
        return base.resolve(safe(k.release())).resolve(k.buildId().map(String::toLowerCase).map(DebuginfoCache::safe)
                .orElse("no-build-id"));
    }

    /** Where downloads (and their resumable .part files) live. */
    public Path downloads() {
        return base.resolve("downloads");
    }

    public Optional<FetchResult> lookup(KernelIdentity k) {
        Path dir = dir(k);
        Path vmlinux = dir.resolve("vmlinux");
        if (!Files.isRegularFile(vmlinux)) return Optional.empty();
        try {
            if (k.buildId().isPresent()) {
                if (!Elf.buildId(vmlinux).map(id -> id.equals(k.buildId().get().toLowerCase())).orElse(false)) {
                    return Optional.empty();
                }
            } else if (!Files.isRegularFile(dir.resolve(MANIFEST))) {
                Verify.vmlinux(vmlinux, k, vmlinux.toString());
            }
            return Optional.of(new FetchResult(vmlinux, modules(dir.resolve("modules"))));
        } catch (IOException | FetchException e) {
            return Optional.empty();
        }
    }

    private static Map<String, Path> modules(Path dir) throws IOException {
        Map<String, Path> out = new LinkedHashMap<>();
        if (!Files.isDirectory(dir)) return out;
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(Files::isRegularFile).sorted().forEach(p -> {
                String n = p.getFileName().toString();
                if (n.endsWith(".ko") || n.endsWith(".ko.debug")) out.putIfAbsent(DebugFileCollector.moduleName(n), p);
            });
        }
        return out;
    }

    /** A fresh staging folder on the same file system as the final one. */
    public Path newStaging() throws IOException {
        Files.createDirectories(base);
        return Files.createTempDirectory(base, ".staging-");
    }

    /**
     * Makes the staged files the kernel's cache entry (atomic rename of the folder; an older entry
     * is replaced). Returns the result with the final paths.
     */
    public FetchResult commit(KernelIdentity k, Path staging, List<String> sources) throws IOException {
        Properties p = new Properties();
        p.setProperty("release", k.release());
        k.buildId().ifPresent(id -> p.setProperty("build-id", id.toLowerCase()));
        for (int i = 0; i < sources.size(); i++) p.setProperty("source." + i, sources.get(i));
        try (Writer w = Files.newBufferedWriter(staging.resolve(MANIFEST), StandardCharsets.UTF_8)) {
            p.store(w, "fetched and verified by kdive");
        }
        Path dir = dir(k);
        Files.createDirectories(dir.getParent());
        if (Files.exists(dir)) {
            Path old = Files.createTempDirectory(dir.getParent(), ".old-");
            Files.move(dir, old.resolve("x"), StandardCopyOption.ATOMIC_MOVE);
            deleteTree(old);
        }
        try {
            Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
            throw new IOException("cannot move " + staging + " to " + dir + ": " + e, e);
        }
        return lookup(k).orElseThrow(() -> new FetchException(dir + ": cache entry does not verify after writing"));
    }

    /** Removes a staging folder (or any tree kdive made), never following links. */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a leftover staging folder is never trusted
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** A path segment made only of harmless characters. */
    public static String safe(String s) {
        String t = s.replaceAll("[^A-Za-z0-9._+~-]", "_");
        if (t.isEmpty() || t.equals(".") || t.equals("..")) t = "_" + t;
        return t;
    }

    static boolean isEmptyDir(Path d) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(d)) {
            return !s.iterator().hasNext();
        }
    }
}
