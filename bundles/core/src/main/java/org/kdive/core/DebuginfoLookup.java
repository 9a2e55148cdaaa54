package org.kdive.core;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.kdive.api.command.Progress;
import org.kdive.api.dump.VmcoreInfo;
import org.kdive.api.fetch.DebuginfoFetcher;
import org.kdive.api.fetch.FetchContext;
import org.kdive.api.fetch.FetchException;
import org.kdive.api.fetch.FetchPlan;
import org.kdive.api.fetch.FetchResult;
import org.kdive.api.fetch.KernelIdentity;
import org.kdive.api.session.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** No vmlinux given: identify the kernel, then ask each fetcher's cache, then each fetcher. */
final class DebuginfoLookup {
    private static final Logger LOG = LoggerFactory.getLogger(DebuginfoLookup.class);
    private final List<DebuginfoFetcher> fetchers;

    DebuginfoLookup(List<DebuginfoFetcher> fetchers) {
        this.fetchers = new ArrayList<>(fetchers);
        this.fetchers.sort(Comparator.comparingInt(DebuginfoFetcher::order).thenComparing(DebuginfoFetcher::name));
    }

    Optional<Path> find(Session session, boolean mayFetch) throws IOException {
        if (fetchers.isEmpty()) return Optional.empty();
        KernelIdentity id = identify(session);
        if (id == null) return Optional.empty();
        FetchContext ctx = context();
        for (DebuginfoFetcher f : fetchers) {
            Optional<FetchResult> hit = f.cached(id, ctx);
            if (hit.isPresent()) {
                LOG.info("using cached debuginfo {} ({})", hit.get().vmlinux(), f.name());
                return Optional.of(hit.get().vmlinux());
            }
        }
        if (!mayFetch) return Optional.empty();
        List<String> failures = new ArrayList<>();
        for (DebuginfoFetcher f : fetchers) {
            Optional<FetchPlan> plan = f.plan(id);
            if (plan.isEmpty()) continue;
            try {
                FetchResult r = f.fetch(id, ctx);
                return Optional.of(r.vmlinux());
            } catch (FetchException e) {
                failures.add(f.name() + ": " + e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw new FetchException("could not fetch debuginfo for " + id.release() + ":\n" + String.join("\n", failures));
        }
        return Optional.empty();
    }

    static KernelIdentity identify(Session session) {
        VmcoreInfo vi = session.vmcoreinfo();
        String release = vi.osRelease().orElse(session.dump().info().details().get("utsname.release"));
        if (release == null) return null;
        Map<String, String> d = session.dump().info().details();
        return new KernelIdentity(release, d.getOrDefault("utsname.version", ""), session.dump().info().machine(),
                vi.buildId(), "", Map.of());
    }

    static FetchContext context() {
        Path root = cacheRoot().resolve("debuginfo");
        return new FetchContext() {
            @Override public Path cacheRoot() { return root; }

            @Override public Progress progress(String task, long totalBytes) {
                return new org.kdive.api.util.TextProgress(task, totalBytes);
            }
        };
    }

    /** kdive's cache: $KDIVE_CACHE, else -Dkdive.cache, else ~/.cache/kdive. */
    static Path cacheRoot() {
        String s = System.getenv("KDIVE_CACHE");
        if (s == null || s.isBlank()) s = System.getProperty("kdive.cache");
        if (s == null || s.isBlank()) return Paths.get(System.getProperty("user.home"), ".cache", "kdive");
        return Paths.get(s);
    }
}
