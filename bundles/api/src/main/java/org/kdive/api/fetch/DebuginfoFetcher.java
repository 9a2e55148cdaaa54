package org.kdive.api.fetch;

import java.io.IOException;
import java.util.Optional;
import org.kdive.api.Plugin;

/**
 * Finds, downloads, verifies and caches the debuginfo of a kernel (one distribution family or
 * protocol per fetcher). Writes are atomic: a failure never leaves a file a later run trusts.
 */
public interface DebuginfoFetcher extends Plugin {
    /** Lower runs first when several fetchers apply. */
    default int order() { return 100; }

    /** What this fetcher would download for the kernel, or empty when it does not apply. */
    Optional<FetchPlan> plan(KernelIdentity kernel);

    /** The cached result, if this fetcher already has it (no network). */
    Optional<FetchResult> cached(KernelIdentity kernel, FetchContext context);

    /**
     * Downloads, verifies (checksums, build-id) and unpacks into the cache.
     *
     * @throws FetchException with the exact package names and URLs when it cannot
     */
    FetchResult fetch(KernelIdentity kernel, FetchContext context) throws IOException;
}
