package org.kdive.autopsy.analysis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.kdive.api.KdiveException;
import org.kdive.api.fetch.CacheRoot;
import org.kdive.api.kernel.Modules;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.DebugInfo;

/**
 * Finds and loads a module's debuginfo the way `mod -s` would, looking in: the --debuginfo directory,
 * the dump's directory (and its modules/ folder), the vmlinux debuginfo's directory, and the fetch
 * cache. A file whose build-id does not match the module in the dump is skipped.
 */
final class ModuleDebuginfo {
    private static final int MAX_DEPTH = 8;
    private static final int MAX_FILES = 200_000;

    /** What happened: the debuginfo (already loaded or loaded now) and a line saying where it came from. */
    record Outcome(Optional<DebugInfo> debugInfo, String note, List<String> tried) {
    }

    private ModuleDebuginfo() {
    }

    static Outcome ensure(Session s, Modules modules, String module, Path userDir) {
        Optional<DebugInfo> have = modules.loaded(s, module);
        if (have.isPresent()) return new Outcome(have, "already loaded: " + have.get().file(), List.of());
        List<Path> cands = candidates(s, module, userDir);
        List<String> tried = new ArrayList<>();
        for (Path p : cands) {
            try {
                DebugInfo d = modules.load(s, module, p);
                return new Outcome(Optional.of(d), "loaded " + p + " (as mod -s " + module + " " + p + ")", tried);
            } catch (KdiveException e) {
                tried.add(p + ": " + e.getMessage());
            }
        }
        return new Outcome(Optional.empty(), "not found: looked for " + module + ".ko.debug / " + module + ".ko in "
                + String.join(", ", dirs(s, userDir).stream().map(Path::toString).toList()), tried);
    }

    private static List<Path> dirs(Session s, Path userDir) {
        Set<Path> dirs = new LinkedHashSet<>();
        if (userDir != null) dirs.add(userDir);
        for (Path f : s.dump().files()) {
            Path d = f.toAbsolutePath().getParent();
            if (d != null) {
                dirs.add(d);
                dirs.add(d.resolve("modules"));
            }
        }
        s.vmlinux().ifPresent(v -> {
            Path d = v.file().toAbsolutePath().getParent();
            if (d != null) dirs.add(d);
        });
        dirs.add(CacheRoot.defaultRoot());
        return new ArrayList<>(dirs);
    }

    /** Files named like the module, .ko.debug before .ko; the user dir and the cache are searched in depth. */
    private static List<Path> candidates(Session s, String module, Path userDir) {
        Set<String> names = new LinkedHashSet<>();
        for (String n : List.of(module, module.replace('_', '-'))) {
            names.add(n + ".ko.debug");
            names.add(n + ".ko");
        }
        List<Path> debug = new ArrayList<>();
        List<Path> plain = new ArrayList<>();
        Path cache = CacheRoot.defaultRoot();
        for (Path d : dirs(s, userDir)) {
            if (!Files.isDirectory(d)) continue;
            boolean deep = d.equals(userDir) || d.equals(cache);
            if (deep) {
                try (Stream<Path> w = Files.walk(d, MAX_DEPTH)) {
                    w.limit(MAX_FILES).filter(p -> p.getFileName() != null && names.contains(p.getFileName().toString()))
                            .forEach(p -> (p.toString().endsWith(".debug") ? debug : plain).add(p));
                } catch (IOException | java.io.UncheckedIOException e) {
                    // an unreadable directory is skipped
                }
            } else {
                for (String n : names) {
                    Path p = d.resolve(n);
                    if (Files.isRegularFile(p)) (n.endsWith(".debug") ? debug : plain).add(p);
                }
            }
        }
        List<Path> out = new ArrayList<>(debug);
        out.addAll(plain);
        return out;
    }
}
