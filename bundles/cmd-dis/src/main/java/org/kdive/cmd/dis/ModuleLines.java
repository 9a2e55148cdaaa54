package org.kdive.cmd.dis;

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
import org.kdive.api.command.CommandContext;
import org.kdive.api.kernel.Modules;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.DebugInfo;

/**
 * {@code dis -l} on a module's code needs that module's debuginfo. When {@code mod -s} has not
 * loaded it, it is looked for where kdive and crash users keep it: beside the dump and the vmlinux
 * (and their modules/ folder, where fetched debuginfo is unpacked), and in
 * /usr/lib/debug/lib/modules/RELEASE. Found (and matching the module's build-id): loaded, as
 * {@code mod -s} would. Not found: the user is told why no lines show and what to run.
 */
final class ModuleLines {
    private static final int MAX_DEPTH = 8;

    private ModuleLines() {
    }

    static void ensure(CommandContext context, Session s, Modules modules, String module) {
        if (modules == null) {
            context.warn("dis -l: no source lines for module " + module + ": module support (kdive-cmd-symbols) is not installed");
            return;
        }
        if (modules.loaded(s, module).isPresent()) return;
        List<Path> tried = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (Path candidate : candidates(s, module, tried)) {
            try {
                DebugInfo d = modules.load(s, module, candidate);
                context.warn("dis -l: module " + module + "'s debuginfo loaded from " + d.file() + " (as: mod -s " + module + " "
                        + candidate + ")");
                return;
            } catch (KdiveException e) {
                refused.add(e.getMessage());
            }
        }
        StringBuilder why = new StringBuilder("dis -l: no source lines for module " + module + ": its debuginfo is not loaded");
        why.append(refused.isEmpty() ? " and was not found in " + tried : "; refused: " + String.join("; ", refused));
        why.append(". Load it with: mod -s ").append(module).append(" FILE.ko[.debug] (or mod -S DIRECTORY)");
        context.warn(why.toString());
    }

    /** Existing files that may hold the module's debuginfo, best first; {@code tried} gets the places looked at. */
    static List<Path> candidates(Session s, String module, List<Path> tried) {
        Set<Path> dirs = new LinkedHashSet<>();
        for (Path f : s.dump().files()) {
            Path d = f.toAbsolutePath().getParent();
            if (d != null) dirs.add(d);
        }
        s.vmlinux().map(DebugInfo::file).map(f -> f.toAbsolutePath().getParent()).ifPresent(dirs::add);
        List<Path> out = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        for (String base : List.of(module, module.replace('_', '-'))) {
            names.add(base + ".ko.debug");
            names.add(base + ".ko");
        }
        for (Path d : dirs) {
            for (Path where : List.of(d, d.resolve("modules"))) {
                tried.add(where);
                for (String n : names) {
                    Path p = where.resolve(n);
                    if (Files.isRegularFile(p) && !out.contains(p)) out.add(p);
                }
            }
        }
        Optional<String> release = s.vmcoreinfo().osRelease();
        if (release.isPresent()) {
            Path system = Path.of("/usr/lib/debug/lib/modules", release.get());
            tried.add(system);
            if (Files.isDirectory(system)) {
                try (Stream<Path> files = Files.find(system, MAX_DEPTH, (p, a) -> a.isRegularFile() && names.contains(p.getFileName().toString()))) {
                    files.sorted().forEach(p -> {
                        if (!out.contains(p)) out.add(p);
                    });
                } catch (IOException | java.io.UncheckedIOException e) {
                    // unreadable parts of the tree: what was found counts
                }
            }
        }
        // .ko.debug before .ko (a plain .ko is often stripped)
        out.sort((a, b) -> Boolean.compare(!a.toString().endsWith(".debug"), !b.toString().endsWith(".debug")));
        return out;
    }
}
