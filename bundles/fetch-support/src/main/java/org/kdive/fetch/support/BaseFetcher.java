package org.kdive.fetch.support;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.kdive.api.fetch.DebuginfoFetcher;
import org.kdive.api.fetch.FetchContext;
import org.kdive.api.fetch.FetchException;
import org.kdive.api.fetch.FetchPlan;
import org.kdive.api.fetch.FetchResult;
import org.kdive.api.fetch.KernelIdentity;

/**
 * What every fetcher shares: its settings (the OSGi configuration of its PID, or a map in plain
 * Java) and the downloader made from them, its order, the cache lookup for kernels it serves, and
 * failures that end with the plan's by-hand note.
 */
public abstract class BaseFetcher implements DebuginfoFetcher {
    private final String pid;
    private final int defaultOrder;
    protected volatile FetchSettings settings;
    protected volatile Downloader downloader;

    protected BaseFetcher(String pid, int defaultOrder, Map<String, ?> config) {
        this.pid = pid;
        this.defaultOrder = defaultOrder;
        configure(config);
    }

    /** Applies a new configuration (from the component's activate/modified). */
    protected final void configure(Map<String, ?> config) {
        this.settings = FetchSettings.of(pid, config);
        this.downloader = new Downloader(settings.downloadOptions());
    }

    /** The configuration PID (etc/PID.cfg). */
    protected final String pid() {
        return pid;
    }

    /** Whether this fetcher can serve the dump's kernel at all (from its release, version or build-id). */
    protected abstract boolean applies(KernelIdentity k);

    @Override
    public int order() {
        return settings.integer("order", defaultOrder);
    }

    @Override
    public Optional<FetchResult> cached(KernelIdentity k, FetchContext context) {
        if (!applies(k)) return Optional.empty();
        return new DebuginfoCache(context.cacheRoot(), name()).lookup(k);
    }

    /** {@code e} named after this fetcher, with the other problems met and the plan's note (once). */
    protected final FetchException failure(FetchException e, List<String> problems, FetchPlan plan) {
        if (e.getMessage() != null && e.getMessage().contains(plan.note())) return e;
        return new FetchException(name() + ": " + e.getMessage() + also(problems) + "\n" + plan.note(), e);
    }

    /** The problems met on the way (unreachable mirrors …), as a line to append to an error; empty when none. */
    protected static String also(List<String> problems) {
        return problems.isEmpty() ? "" : "\n(also: " + String.join("; ", problems) + ")";
    }
}
