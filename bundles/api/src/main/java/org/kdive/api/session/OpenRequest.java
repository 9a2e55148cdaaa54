package org.kdive.api.session;

import java.nio.file.Path;
import java.util.List;

/**
 * What to open.
 *
 * @param dumpFiles  one dump file, or the parts of a split dump
 * @param vmlinux    debuginfo of the kernel, or null to look in the cache and ask the fetchers
 * @param fetch      whether fetchers may download when vmlinux is null and the cache has none
 * @param eagerFetch download at open, as before kdive read the kernel's own BTF: otherwise a dump
 *                   whose memory carries BTF opens at once on it, and debuginfo is fetched only
 *                   when a command needs what BTF lacks (source lines, types of ordinary globals)
 *                   or on `debuginfo fetch`. Also set by the environment variable
 *                   {@code KDIVE_FETCH=eager}. Ignored when {@code fetch} is false.
 */
public record OpenRequest(List<Path> dumpFiles, Path vmlinux, boolean fetch, boolean eagerFetch) {
    /** Fetching (when allowed) on demand. */
    public OpenRequest(List<Path> dumpFiles, Path vmlinux, boolean fetch) {
        this(dumpFiles, vmlinux, fetch, false);
    }
}
