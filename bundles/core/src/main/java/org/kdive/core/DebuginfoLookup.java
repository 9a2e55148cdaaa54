package org.kdive.core;

import java.io.IOException;
import java.nio.file.Path;
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
import org.kdive.api.fetch.CacheRoot;
import org.kdive.api.fetch.KernelIdentities;
import org.kdive.api.fetch.KernelIdentity;
import org.kdive.api.session.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** No vmlinux given: identify the kernel, then ask each fetcher's cache, then each fetcher. */
final class DebuginfoLookup {
    private static final Logger LOG = LoggerFactory.getLogger(DebuginfoLookup.class);
    private final List<DebuginfoFetcher> fetchers;
    /** Problems to show the user after opening. */
    final List<String> warnings = new ArrayList<>();

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
            } catch (FetchException | IOException e) {
                failures.add(f.name() + ": " + e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            // The dump stays usable without debuginfo (dumpinfo, log, rd -p); say what to do.
            warnings.add("no debuginfo for " + id.release() + " could be fetched:\n" + String.join("\n", failures));
        }
        return Optional.empty();
    }

    static KernelIdentity identify(Session session) {
        KernelIdentity id = KernelIdentities.of(session.dump(), arch(session));
        return id == null || id.release() == null || id.release().isEmpty() ? null : id;
    }

    /** The dump's architecture (translates init_uts_ns), or null when no architecture bundle supports it. */
    private static org.kdive.api.arch.KernelArch arch(Session session) {
        try {
            return session.arch();
        } catch (org.kdive.api.KdiveException e) {
            return null;
        }
    }

    static FetchContext context() {
        Path root = CacheRoot.defaultRoot();
        return new FetchContext() {
            @Override public Path cacheRoot() { return root; }

            @Override public Progress progress(String task, long totalBytes) {
                return new org.kdive.api.util.TextProgress(task, totalBytes);
            }
        };
    }

}
