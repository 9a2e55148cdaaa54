package org.kdive.fetch.debuginfod;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.kdive.api.fetch.CacheRoot;
import org.kdive.api.fetch.DebuginfoFetcher;
import org.kdive.fetch.support.BaseFetcher;
import org.kdive.api.fetch.FetchContext;
import org.kdive.api.fetch.FetchException;
import org.kdive.api.fetch.FetchPlan;
import org.kdive.api.fetch.FetchResult;
import org.kdive.api.fetch.KernelIdentity;
import org.kdive.fetch.support.DebuginfoCache;
import org.kdive.fetch.support.Downloader;
import org.kdive.fetch.support.Elf;
import org.kdive.fetch.support.PackageFetch;
import org.kdive.fetch.support.Verify;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * debuginfod: {@code GET URL/buildid/BUILD-ID/debuginfo} for vmlinux (BUILD-ID from VMCOREINFO)
 * and for each module whose build-id the dump lists, against the servers in {@code DEBUGINFOD_URLS}
 * and the configured ones. Works for any distribution that runs a server; needs a build-id.
 */
@Component(service = DebuginfoFetcher.class, configurationPid = DebuginfodFetcher.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = DebuginfodFetcher.Config.class)
public class DebuginfodFetcher extends BaseFetcher {
    public static final String PID = "org.kdive.fetch.debuginfod";
    private static final Logger LOG = LoggerFactory.getLogger(DebuginfodFetcher.class);

    /** The settings (etc/org.kdive.fetch.debuginfod.cfg). */
    @ObjectClassDefinition(id = PID, name = "kdive debuginfod fetcher")
    public @interface Config {
        @AttributeDefinition(description = "debuginfod servers tried after those in DEBUGINFOD_URLS")
        String[] urls() default {};

        @AttributeDefinition(description = "Whether DEBUGINFOD_URLS from the environment is used")
        boolean useEnvironment() default true;

        @AttributeDefinition(description = "Lower runs first among fetchers (debuginfod first: it needs no package)")
        int order() default 20;

        @AttributeDefinition(description = "Retries of a failed transfer")
        int retries() default 3;
    }

    private final String environment;

    /** For Declarative Services. */
    public DebuginfodFetcher() {
        this(Map.of());
    }

    /** For plain Java: settings as the OSGi configuration would give them (keys of {@link Config}). */
    public DebuginfodFetcher(Map<String, ?> config) {
        this(config, System.getenv("DEBUGINFOD_URLS"));
    }

    DebuginfodFetcher(Map<String, ?> config, String debuginfodUrls) {
        super(PID, 20, config);
        this.environment = debuginfodUrls;
    }

    @Activate
    @Modified
    void activate(Map<String, Object> config) {
        configure(config);
    }

    @Override public String name() { return "debuginfod"; }

    @Override public String description() { return "debuginfod servers (DEBUGINFOD_URLS and configured), by build-id"; }

    List<URI> servers() {
        LinkedHashSet<String> s = new LinkedHashSet<>();
        if (settings.bool("useEnvironment", true) && environment != null) {
            for (String u : environment.trim().split("\\s+")) if (!u.isBlank()) s.add(u);
        }
        s.addAll(settings.list("urls", ""));
        List<URI> out = new ArrayList<>();
        for (String u : s) out.add(URI.create(u.endsWith("/") ? u : u + "/"));
        return out;
    }

    @Override
    public Optional<FetchPlan> plan(KernelIdentity k) {
        if (k.buildId().isEmpty() || servers().isEmpty()) return Optional.empty();
        return Optional.of(plan(k, CacheRoot.defaultRoot()));
    }

    private FetchPlan plan(KernelIdentity k, Path cacheRoot) {
        String id = k.buildId().orElse("BUILD-ID").toLowerCase();
        List<URI> urls = new ArrayList<>();
        for (URI s : servers()) urls.add(s.resolve("buildid/" + id + "/debuginfo"));
        String note = PackageFetch.manualNote(k, cacheRoot, name(), List.of("the debuginfo of build-id " + id), urls,
                "the file (it is the vmlinux itself)");
        return new FetchPlan(name(), List.of("buildid/" + id + "/debuginfo"), urls, note);
    }

    /** debuginfod needs the build-id. */
    @Override
    protected boolean applies(KernelIdentity k) {
        return k.buildId().isPresent();
    }

    @Override
    public FetchResult fetch(KernelIdentity k, FetchContext context) throws IOException {
        if (k.buildId().isEmpty()) {
            throw new FetchException(name() + ": the dump has no BUILD-ID in VMCOREINFO; debuginfod needs one");
        }
        List<URI> servers = servers();
        FetchPlan plan = plan(k, context.cacheRoot());
        if (servers.isEmpty()) {
            throw new FetchException(name() + ": no server: set DEBUGINFOD_URLS or " + PID + ".urls");
        }
        DebuginfoCache cache = new DebuginfoCache(context.cacheRoot(), name());
        Path staging = cache.newStaging();
        try {
            List<String> sources = new ArrayList<>();
            Path vmlinux = staging.resolve("vmlinux");
            URI from = get(servers, k.buildId().get().toLowerCase(), vmlinux, context);
            if (from == null) {
                throw new FetchException(name() + ": no server has build-id " + k.buildId().get() + "\n" + plan.note());
            }
            Verify.vmlinux(vmlinux, k, from.toString());
            sources.add(from.toString());
            for (Map.Entry<String, String> m : k.moduleBuildIds().entrySet()) {
                String module = DebuginfoCache.safe(m.getKey());
                Files.createDirectories(staging.resolve("modules"));
                Path file = staging.resolve("modules").resolve(module + ".ko.debug");
                try {
                    URI u = get(servers, m.getValue().toLowerCase(), file, context);
                    if (u == null) continue;
                    Verify.module(file, m.getKey(), k, u.toString());
                    if (!Elf.isElf(file)) throw new FetchException(u + ": not an ELF file");
                    sources.add(u.toString());
                } catch (FetchException e) {
                    Files.deleteIfExists(file);
                    if (e.getMessage().contains("mismatch")) throw e;
                    LOG.warn("{}: module {}: {}", name(), m.getKey(), e.getMessage());
                }
            }
            return cache.commit(k, staging, sources);
        } catch (FetchException e) {
            throw failure(e, List.of(), plan);
        } finally {
            DebuginfoCache.deleteTree(staging);
        }
    }

    /** The first server that has the build-id; null when none has it. */
    private URI get(List<URI> servers, String buildId, Path dest, FetchContext context) throws IOException {
        if (!buildId.matches("[0-9a-f]{2,128}")) throw new FetchException("not a build-id: " + buildId);
        List<String> problems = new ArrayList<>();
        for (URI s : servers) {
            URI u = s.resolve("buildid/" + buildId + "/debuginfo");
            // the .part of an interrupted run lives beside the staging folder's files: resume it
            Path part = new DebuginfoCache(context.cacheRoot(), name()).downloads().resolve(buildId + ".debug");
            try {
                if (downloader.download(u, part, Downloader.Expect.NOTHING, (t, n) -> context.progress(t, n))) {
                    Files.move(part, dest, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    return u;
                }
            } catch (FetchException e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) throw new FetchException(String.join("; ", problems));
        return null;
    }

}
