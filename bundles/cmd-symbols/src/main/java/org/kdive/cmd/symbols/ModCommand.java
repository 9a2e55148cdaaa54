package org.kdive.cmd.symbols;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.kdive.api.KdiveException;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.DebugInfo;
import org.kdive.api.symbols.LoadSpec;
import org.kdive.cmd.symbols.format.Columns;
import org.kdive.cmd.symbols.modules.BuildIds;
import org.kdive.cmd.symbols.modules.KernelModules;
import org.kdive.cmd.symbols.modules.KernelModules.Module;
import org.kdive.cmd.symbols.modules.Taints;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** crash's {@code mod}: the loaded modules, and loading their debuginfo (-s one, -S all from a tree). */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=mod")
public final class ModCommand implements Command {
    private static final int MAX_TREE_FILES = 500_000;
    private static final int MAX_DEPTH = 12;

    @Override public String name() { return "mod"; }

    @Override public String description() { return "list modules, load module debuginfo"; }

    private static final String SYNOPSIS = "mod -s module [objfile] | -d module | -S [directory] [-D|-t|-r|-R|-o|-g]";

    @Override
    public String usage() {
        return """
                mod - module information and loading of symbols and debugging data
                mod -s module [objfile] | -d module | -S [directory] [-D|-t|-r|-R|-o|-g]
                  (none)             list the loaded modules: MODULE NAME BASE SIZE OBJECT FILE
                  -s module [file]   load the module's debuginfo (file default: searched in the -S tree)
                  -d module          drop the module's debuginfo (its kallsyms stay)
                  -S [directory]     load every module's debuginfo found under the directory, matched by
                                     name and by build-id (default: modules/ beside the vmlinux, where
                                     fetched debuginfo is unpacked, else /usr/lib/debug/lib/modules/RELEASE,
                                     else /lib/modules/RELEASE)
                  -D                 drop the debuginfo of every module
                  -R                 drop every module's debuginfo and list the modules again
                  -t                 the tainted modules and their taint letters (module.taints)
                  -r, -g             with -s/-S: accepted as crash does (-r: gdb's -readnow; -g: section
                                     pseudo-symbols, which crash 8.0.6's sym -m does not show either); no effect
                  -o                 crash's old loading mechanism: nothing to do, prints nothing""";
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        try {
            return run(context, args);
        } catch (CommandException e) {
            if (!CommandException.USAGE.equals(e.code())) throw e;
            // crash prints its usage without the command's name in front
            String text = e.getMessage() + "\n";
            return Result.stream(o -> {
                o.error(CommandException.USAGE, text);
                return Map.of("error", "usage", "synopsis", SYNOPSIS);
            });
        }
    }

    private Result run(CommandContext context, List<String> args) {
        Session s = context.session();
        KernelModules.ensureKallsyms(s);
        List<Module> modules = KernelModules.list(s);
        if (modules.isEmpty()) throw new CommandException("no modules loaded (or the module list is unreadable)");
        // crash strips -g and -r (alone or inside another option word) before the other options
        List<String> rest = new ArrayList<>();
        for (String a : args) {
            if (!a.startsWith("-")) {
                rest.add(a);
                continue;
            }
            String w = a.replace("g", "").replace("r", "");
            if (!w.equals("-")) rest.add(w);
        }
        args = rest;
        if (args.isEmpty()) return table(s, modules, modules);
        String opt = args.get(0);
        long options = args.stream().filter(a -> a.startsWith("-")).count();
        if (options > 1 || !opt.startsWith("-") || opt.length() != 2) throw usageError();
        switch (opt) {
            case "-o":
                return Result.of("", Map.of("modules", List.of()));
            case "-t":
                if (args.size() > 1) throw usageError();
                return Taints.of(s, modules);
            case "-D", "-R": {
                if (args.size() > 1) throw usageError();
                List<Object> dropped = new ArrayList<>();
                for (Module m : modules) {
                    if (s.unloadDebugInfo(m.name())) dropped.add(m.name());
                    shownFiles(s).remove(m.name());
                }
                if (opt.equals("-R")) return table(s, modules, modules);
                return Result.of("", Map.of("unloaded", dropped));
            }
            case "-d": {
                if (args.size() != 2) throw usageError();
                String ref = args.get(1);
                Module m = null;
                for (Module x : modules) {
                    boolean byAddress = ref.length() == 16 && VtopCommand.HexWord.isHex(ref) && VtopCommand.HexWord.parse(ref) == x.base();
                    if (byAddress || x.name().equals(ref)) m = x;
                }
                if (m == null) throw usageError();
                boolean was = s.unloadDebugInfo(m.name());
                shownFiles(s).remove(m.name());
                return Result.of("", Map.of("unloaded", was ? List.of(m.name()) : List.of()));
            }
            default:
                break;
        }
        if (opt.equals("-s")) {
            if (args.size() < 2) throw new CommandException("usage: mod -s module [objfile]");
            Module m = find(modules, args.get(1));
            Path file;
            String shown;
            if (args.size() >= 3) {
                shown = args.get(2);
                file = context.path(shown);
                if (!Files.isRegularFile(file)) throw new CommandException(shown + ": no such file");
            } else {
                Optional<Path> found = search(s, defaultTree(s), List.of(m)).get(m.name());
                if (found == null || found.isEmpty()) throw new CommandException("cannot find or load object file for " + m.name() + " module");
                file = found.get();
                shown = file.toString();
            }
            load(s, m, file, shown);
            return table(s, modules, List.of(m));
        }
        if (opt.equals("-S")) {
            Path tree = args.size() >= 2 ? context.path(args.get(1)) : defaultTree(s);
            if (!Files.isDirectory(tree)) throw new CommandException(tree + ": not a directory");
            Map<String, Optional<Path>> found = search(s, tree, modules);
            java.util.Set<String> loaded = new java.util.HashSet<>();
            for (DebugInfo d : s.modules()) if (d.module() != null) loaded.add(d.module());
            Map<String, String> missing = new LinkedHashMap<>();
            for (Module m : modules) {
                Optional<Path> f = found.get(m.name());
                // crash keeps what mod -s loaded before: only modules without debuginfo are loaded from the tree
                if (loaded.contains(m.name())) continue;
                if (f == null || f.isEmpty()) {
                    missing.put(m.name(), "mod: cannot find or load object file for " + m.name() + " module\n");
                    continue;
                }
                try {
                    load(s, m, f.get(), f.get().toString());
                } catch (KdiveException e) {
                    context.warn(m.name() + ": " + e.getMessage());
                }
            }
            if (missing.isEmpty()) return table(s, modules, modules);
            return tableWithMissing(s, modules, missing);
        }
        throw usageError();
    }

    private static CommandException usageError() {
        return new CommandException("Usage:\n  " + SYNOPSIS + "\nEnter \"help mod\" for details.", CommandException.USAGE);
    }

    private static Module find(List<Module> modules, String name) {
        for (Module m : modules) {
            if (m.name().equals(name) || m.name().equals(name.replace('-', '_'))) return m;
        }
        throw new CommandException(name + ": not a loaded module");
    }

    /** The object file names shown in the table (as the user typed them), per session. */
    private static Map<String, String> shownFiles(Session s) {
        return s.cached("cmd-symbols.mod-files", ConcurrentHashMap::new);
    }

    private static void load(Session s, Module m, Path file, String shown) {
        Optional<String> want = KernelModules.buildId(s, m);
        Optional<String> have = BuildIds.ofFile(file);
        if (want.isPresent() && have.isPresent() && !want.get().equals(have.get())) {
            throw new CommandException(shown + ": build-id " + have.get() + " does not match module " + m.name()
                    + " in the dump (" + want.get() + ")");
        }
        Map<String, Long> sections = KernelModules.sections(s, m);
        if (sections.isEmpty()) throw new CommandException(m.name() + ": section addresses unreadable (mod->sect_attrs)");
        try {
            s.loadDebugInfo(file, LoadSpec.module(m.name(), sections));
        } catch (IOException e) {
            throw new CommandException(shown + ": " + e.getMessage());
        }
        shownFiles(s).put(m.name(), shown);
    }

    /**
     * Where module debuginfo usually is: modules/ beside the vmlinux (where kdive's fetchers unpack
     * a debuginfo package), the distribution's debug tree, then crash's default /lib/modules/RELEASE.
     */
    static Path defaultTree(Session s) {
        String release = s.vmcoreinfo().osRelease().orElse("");
        List<Path> candidates = new ArrayList<>();
        s.vmlinux().map(DebugInfo::file).map(Path::getParent).ifPresent(d -> candidates.add(d.resolve("modules")));
        candidates.add(Paths.get("/usr/lib/debug/lib/modules", release));
        candidates.add(Paths.get("/lib/modules", release));
        for (Path p : candidates) {
            if (Files.isDirectory(p)) return p;
        }
        return candidates.get(candidates.size() - 1);
    }

    /** Per module: a file under the tree whose name (or build-id) matches. */
    private static Map<String, Optional<Path>> search(Session s, Path tree, List<Module> modules) {
        Map<String, List<Path>> byName = new LinkedHashMap<>();
        List<Path> all = new ArrayList<>();
        if (Files.isDirectory(tree)) {
            Path real;
            try {
                real = tree.toRealPath();
            } catch (IOException e) {
                throw new CommandException(tree + ": " + e.getMessage());
            }
            // walk the real directory (the tree may be a symlink), show paths under the name given
            try (Stream<Path> walk = Files.walk(real, MAX_DEPTH)) {
                walk.filter(Files::isRegularFile).limit(MAX_TREE_FILES).map(p -> tree.resolve(real.relativize(p))).forEach(p -> {
                    String n = p.getFileName().toString();
                    String base = n.endsWith(".ko.debug") ? n.substring(0, n.length() - 9)
                            : n.endsWith(".ko") ? n.substring(0, n.length() - 3) : null;
                    if (base != null) {
                        byName.computeIfAbsent(base.replace('-', '_'), k -> new ArrayList<>()).add(p);
                        all.add(p);
                    }
                });
            } catch (IOException | java.io.UncheckedIOException e) {
                throw new CommandException(tree + ": " + e.getMessage());
            }
        }
        Map<String, Optional<Path>> out = new LinkedHashMap<>();
        Map<String, Path> idIndex = null;
        for (Module m : modules) {
            Optional<String> id = KernelModules.buildId(s, m);
            List<Path> cands = byName.getOrDefault(m.name(), List.of());
            Path pick = null;
            // .ko.debug first: it carries the DWARF, a plain .ko may be stripped
            List<Path> ordered = cands.stream().sorted((a, b) -> Boolean.compare(!a.toString().endsWith(".debug"), !b.toString().endsWith(".debug")))
                    .collect(Collectors.toList());
            for (Path p : ordered) {
                Optional<String> fid = BuildIds.ofFile(p);
                if (id.isEmpty() || fid.isEmpty() || fid.get().equals(id.get())) {
                    pick = p;
                    break;
                }
            }
            if (pick == null && id.isPresent()) {
                Path byId = tree.resolve(".build-id").resolve(id.get().substring(0, 2)).resolve(id.get().substring(2) + ".debug");
                if (Files.isRegularFile(byId)) {
                    pick = byId;
                } else {
                    if (idIndex == null) {
                        idIndex = new LinkedHashMap<>();
                        for (Path p : all) {
                            Optional<String> fid = BuildIds.ofFile(p);
                            if (fid.isPresent()) idIndex.putIfAbsent(fid.get(), p);
                        }
                    }
                    pick = idIndex.get(id.get());
                }
            }
            out.put(m.name(), Optional.ofNullable(pick));
        }
        return out;
    }

    /**
     * mod -S where some modules have no object file in the tree: crash reports each in the module's
     * place in the list instead of its row ("mod: cannot find or load object file for NAME module"),
     * the header coming with the first row shown. The reports are errors (stderr; in place in the
     * collected text); the JSON lists the rows shown and the errors.
     */
    private static Result tableWithMissing(Session s, List<Module> all, Map<String, String> missing) {
        List<Module> shown = all.stream().filter(m -> !missing.containsKey(m.name())).toList();
        Result full = table(s, all, shown);
        String[] lines = full.text().split("\n", -1);
        @SuppressWarnings("unchecked")
        List<Object> rows = (List<Object>) ((Map<String, Object>) full.data()).get("modules");
        return Result.stream("modules", out -> {
            int row = 0;
            boolean header = false;
            for (Module m : all) {
                String error = missing.get(m.name());
                if (error != null) {
                    out.error(CommandException.NOT_FOUND, error);
                    continue;
                }
                if (!header) {
                    out.text(lines[0] + "\n");
                    header = true;
                }
                out.text(lines[1 + row] + "\n");
                out.record(rows.get(row));
                row++;
            }
            return null;
        });
    }

    private static Result table(Session s, List<Module> all, List<Module> shown) {
        int nameWidth = all.stream().mapToInt(m -> m.name().length()).max().orElse(4);
        int sizeWidth = all.stream().mapToInt(m -> Long.toString(m.size()).length()).max().orElse(4);
        Map<String, String> files = shownFiles(s);
        Map<String, DebugInfo> loaded = new LinkedHashMap<>();
        for (DebugInfo d : s.modules()) {
            if (d.module() != null) loaded.put(d.module(), d);
        }
        StringBuilder out = new StringBuilder();
        out.append(Columns.center("MODULE", 16)).append("  ").append(pad("NAME", nameWidth)).append("  ")
                .append(Columns.center(KernelModules.hasMemRegions(s) ? "TEXT_BASE" : "BASE", 16)).append("  ").append(String.format("%" + Math.max(4, sizeWidth) + "s", "SIZE"))
                .append("  OBJECT FILE\n");
        List<Object> rows = new ArrayList<>();
        for (Module m : shown) {
            out.append(String.format("%16x  ", m.struct())).append(pad(m.name(), nameWidth)).append("  ")
                    .append(String.format("%16x  ", m.base())).append(String.format("%" + Math.max(4, sizeWidth) + "d  ", m.size()));
            String file = null;
            if (loaded.containsKey(m.name())) {
                file = files.getOrDefault(m.name(), loaded.get(m.name()).file().toString());
                out.append(file).append(' ');
            } else {
                out.append("(not loaded)");
                if (m.kallsyms() != 0) out.append("  [CONFIG_KALLSYMS]");
            }
            out.append('\n');
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("module", "0x" + Long.toHexString(m.struct()));
            row.put("name", m.name());
            row.put("base", "0x" + Long.toHexString(m.base()));
            row.put("size", m.size());
            row.put("object_file", file);
            rows.add(row);
        }
        return Result.of(out.toString(), Map.of("modules", rows));
    }

    private static String pad(String s, int w) {
        return Columns.left(s, w);
    }
}
