package org.kdive.cmd.debuginfo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.kdive.api.command.Args;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Progress;
import org.kdive.api.command.Result;
import org.kdive.api.fetch.CacheRoot;
import org.kdive.api.fetch.DebuginfoFetcher;
import org.kdive.api.fetch.FetchContext;
import org.kdive.api.fetch.FetchException;
import org.kdive.api.fetch.FetchPlan;
import org.kdive.api.fetch.FetchResult;
import org.kdive.api.fetch.KernelIdentities;
import org.kdive.api.fetch.KernelIdentity;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.DebugInfo;
import org.kdive.api.symbols.LoadSpec;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * {@code debuginfo}: what the dump's kernel is, which debuginfo is loaded, what each fetcher's cache
 * has and would download; {@code debuginfo fetch [--distro NAME]} downloads, verifies and loads it.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=debuginfo")
public class DebuginfoCommand implements Command {
    private final List<DebuginfoFetcher> fetchers = new CopyOnWriteArrayList<>();
    private final Path cacheRoot;

    /** For Declarative Services: the default cache (see CacheRoot). */
    public DebuginfoCommand() {
        this.cacheRoot = null;
    }

    /** For plain Java (tests, tools). */
    public DebuginfoCommand(List<DebuginfoFetcher> fetchers, Path cacheRoot) {
        this.fetchers.addAll(fetchers);
        this.cacheRoot = cacheRoot;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addFetcher(DebuginfoFetcher f) { fetchers.add(f); }

    void removeFetcher(DebuginfoFetcher f) { fetchers.remove(f); }

    @Override public String name() { return "debuginfo"; }

    @Override public String description() { return "show, find and fetch the dump kernel's debuginfo"; }

    @Override
    public String usage() {
        return "debuginfo - show, find and fetch the debuginfo of the dump's kernel\n"
                + "  debuginfo                      the kernel (release, build-id), loaded debuginfo, each fetcher's cache and plan\n"
                + "  debuginfo fetch [--distro N]   download, verify (checksums, build-id), cache and load it;\n"
                + "                                 --distro picks one fetcher (rpm, debian, ubuntu, debuginfod …)\n";
    }

    private List<DebuginfoFetcher> ordered() {
        List<DebuginfoFetcher> l = new ArrayList<>(fetchers);
        l.sort(Comparator.comparingInt(DebuginfoFetcher::order).thenComparing(DebuginfoFetcher::name));
        return l;
    }

    private FetchContext fetchContext(CommandContext ctx) {
        Path root = cacheRoot != null ? cacheRoot : CacheRoot.defaultRoot();
        return new FetchContext() {
            @Override public Path cacheRoot() { return root; }

            @Override public Progress progress(String task, long totalBytes) { return ctx.progress(task, totalBytes); }
        };
    }

    @Override
    public Result execute(CommandContext ctx, List<String> argv) {
        Args args = Args.parse(argv, Set.of(), Set.of("distro"));
        Session session = ctx.session();
        KernelIdentity k = KernelIdentities.of(session.dump(), arch(session));
        String sub = args.positional(0);
        if (sub == null || sub.equals("show")) return show(ctx, session, k);
        if (sub.equals("fetch")) return fetch(ctx, session, k, args.value("distro"));
        throw new CommandException("debuginfo: unknown subcommand '" + sub + "' (use: debuginfo, debuginfo fetch [--distro NAME])");
    }

    /** The dump's architecture (translates init_uts_ns), or null when no architecture bundle supports it. */
    private static org.kdive.api.arch.KernelArch arch(Session session) {
        try {
            return session.arch();
        } catch (org.kdive.api.KdiveException e) {
            return null;
        }
    }

    private Result show(CommandContext ctx, Session session, KernelIdentity k) {
        StringBuilder t = new StringBuilder();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("kernel", kernel(k));
        t.append("    RELEASE: ").append(k.release()).append('\n');
        t.append("    VERSION: ").append(k.version()).append('\n');
        t.append("    MACHINE: ").append(k.machine()).append('\n');
        t.append("   BUILD-ID: ").append(k.buildId().orElse("(not in VMCOREINFO)")).append('\n');
        Optional<DebugInfo> loaded = session.vmlinux();
        t.append("    VMLINUX: ").append(loaded.map(d -> d.file() + d.buildId().map(b -> "  (build-id " + b + ")").orElse(""))
                .orElse("(none loaded)")).append('\n');
        data.put("vmlinux", loaded.map(d -> d.file().toString()).orElse(null));
        FetchContext fc = fetchContext(ctx);
        t.append("      CACHE: ").append(fc.cacheRoot()).append('\n');
        data.put("cache", fc.cacheRoot().toString());
        List<Object> list = new ArrayList<>();
        if (fetchers.isEmpty()) t.append("\nno fetcher bundles installed\n");
        for (DebuginfoFetcher f : ordered()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("fetcher", f.name());
            m.put("order", f.order());
            Optional<FetchPlan> plan = f.plan(k);
            Optional<FetchResult> cached = plan.isPresent() ? f.cached(k, fc) : Optional.empty();
            m.put("applies", plan.isPresent());
            m.put("cached", cached.map(r -> r.vmlinux().toString()).orElse(null));
            t.append('\n').append(String.format("%-11s ", f.name().toUpperCase() + ":"));
            if (plan.isEmpty()) {
                t.append("does not apply to this kernel\n");
            } else if (cached.isPresent()) {
                t.append("cached: ").append(cached.get().vmlinux()).append(" (").append(cached.get().modules().size())
                        .append(" modules)\n");
            } else {
                t.append("not cached; would download ").append(String.join(", ", plan.get().packages())).append('\n');
                if (!plan.get().urls().isEmpty()) t.append("            from ").append(plan.get().urls().get(0)).append('\n');
                m.put("packages", plan.get().packages());
                m.put("urls", plan.get().urls().stream().map(Object::toString).toList());
            }
            list.add(m);
        }
        data.put("fetchers", list);
        return Result.of(t.toString(), data);
    }

    private Result fetch(CommandContext ctx, Session session, KernelIdentity k, String distro) {
        List<DebuginfoFetcher> use = new ArrayList<>();
        for (DebuginfoFetcher f : ordered()) {
            if (distro == null || f.name().equalsIgnoreCase(distro)) use.add(f);
        }
        if (use.isEmpty()) {
            throw new CommandException("debuginfo: no fetcher " + (distro == null ? "installed" : "named '" + distro + "'")
                    + " (installed: " + String.join(", ", ordered().stream().map(DebuginfoFetcher::name).toList()) + ")");
        }
        FetchContext fc = fetchContext(ctx);
        List<String> failures = new ArrayList<>();
        for (DebuginfoFetcher f : use) {
            if (distro == null && f.plan(k).isEmpty()) continue;
            try {
                Optional<FetchResult> hit = f.cached(k, fc);
                FetchResult r = hit.isPresent() ? hit.get() : f.fetch(k, fc);
                return loaded(ctx, session, k, f, r, hit.isPresent());
            } catch (FetchException e) {
                failures.add(f.name() + ": " + e.getMessage());
            } catch (IOException e) {
                failures.add(f.name() + ": " + e);
            }
        }
        if (failures.isEmpty()) {
            throw new CommandException("debuginfo: no fetcher applies to " + k.release() + " (" + k.version() + ")");
        }
        throw new CommandException("debuginfo: could not fetch debuginfo for " + k.release() + ":\n" + String.join("\n", failures));
    }

    private Result loaded(CommandContext ctx, Session session, KernelIdentity k, DebuginfoFetcher f, FetchResult r, boolean wasCached) {
        StringBuilder t = new StringBuilder();
        t.append(wasCached ? "cached: " : "fetched: ").append(r.vmlinux()).append(" (").append(f.name()).append(", build-id ")
                .append(k.buildId().orElse("not in dump: banner checked")).append(")\n");
        if (!r.modules().isEmpty()) t.append("modules: ").append(r.modules().size()).append(" debug files in ")
                .append(r.modules().values().iterator().next().getParent()).append('\n');
        boolean loadedNow = false;
        if (session.vmlinux().isEmpty()) {
            try {
                session.loadDebugInfo(r.vmlinux(), LoadSpec.vmlinux(session.vmcoreinfo().kernelOffset().orElse(0)));
                loadedNow = true;
                t.append("loaded into the session\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            t.append("the session already has ").append(session.vmlinux().get().file()).append("; reopen the dump to use this one\n");
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("fetcher", f.name());
        data.put("cached", wasCached);
        data.put("vmlinux", r.vmlinux().toString());
        data.put("modules", new LinkedHashMap<>(r.modules().entrySet().stream().collect(java.util.stream.Collectors.toMap(
                Map.Entry::getKey, e -> e.getValue().toString(), (a, b) -> a, LinkedHashMap::new))));
        data.put("loaded", loadedNow);
        data.put("kernel", kernel(k));
        return Result.of(t.toString(), data);
    }

    private static Map<String, Object> kernel(KernelIdentity k) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("release", k.release());
        m.put("version", k.version());
        m.put("machine", k.machine());
        m.put("buildId", k.buildId().orElse(null));
        return m;
    }
}
