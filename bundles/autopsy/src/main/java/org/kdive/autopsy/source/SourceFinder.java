package org.kdive.autopsy.source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds a source file named by debuginfo (a build-machine path): the path itself, under a source tree
 * the user gave (by trailing path components, then by name), or by file name in the directories of
 * the debuginfo and the dump.
 */
public final class SourceFinder {
    private static final int MAX_DEPTH = 8;
    private static final int MAX_FILES = 200_000;
    private static final long MAX_SIZE = 16L << 20;
    private final Path tree;
    private final List<Path> nearby;

    /**
     * @param tree   a source tree the user gave, or null
     * @param nearby directories to look in by file name (debuginfo and dump directories)
     */
    public SourceFinder(Path tree, List<Path> nearby) {
        this.tree = tree;
        this.nearby = nearby;
    }

    public Optional<Path> find(String file) {
        if (file == null || file.isEmpty()) return Optional.empty();
        Path p = Path.of(file);
        if (tree != null && Files.isDirectory(tree)) {
            // "/usr/src/linux/drivers/virtio/virtio_ring.c" under TREE: try the longest suffix first
            for (int i = 0; i < p.getNameCount(); i++) {
                Path cand = tree.resolve(p.subpath(i, p.getNameCount()).toString());
                if (Files.isRegularFile(cand)) return Optional.of(cand);
            }
            Optional<Path> byName = byName(tree, p.getFileName().toString());
            if (byName.isPresent()) return byName;
        }
        if (p.isAbsolute() && Files.isRegularFile(p)) return Optional.of(p);
        Set<Path> dirs = new LinkedHashSet<>(nearby);
        for (Path d : dirs) {
            if (d == null) continue;
            Path cand = d.resolve(p.getFileName().toString());
            if (Files.isRegularFile(cand)) return Optional.of(cand);
        }
        return Optional.empty();
    }

    private static Optional<Path> byName(Path tree, String name) {
        try (Stream<Path> s = Files.walk(tree, MAX_DEPTH)) {
            return s.limit(MAX_FILES).filter(f -> f.getFileName() != null && f.getFileName().toString().equals(name))
                    .filter(Files::isRegularFile).findFirst();
        } catch (IOException | java.io.UncheckedIOException e) {
            return Optional.empty();
        }
    }

    /** The lines of a text file (1-based access through {@code get(line - 1)}); empty when unreadable or huge. */
    public static List<String> lines(Path file) {
        try {
            if (Files.size(file) > MAX_SIZE) return List.of();
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException | java.io.UncheckedIOException e) {
            try {
                return Files.readAllLines(file, StandardCharsets.ISO_8859_1);
            } catch (IOException e2) {
                return new ArrayList<>();
            }
        }
    }
}
