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
 * @param forCommands whether commands will run on the session: session listeners then prepare it
 *                   (module symbols, as crash loads them at start-up); false for a run that only
 *                   describes the dump (--info), which needs none of that work
 */
public record OpenRequest(List<Path> dumpFiles, Path vmlinux, boolean fetch, boolean eagerFetch, boolean forCommands) {
    /** Fetching (when allowed) on demand. */
    public OpenRequest(List<Path> dumpFiles, Path vmlinux, boolean fetch) {
        this(dumpFiles, vmlinux, fetch, false);
    }

    /** A session for commands. */
    public OpenRequest(List<Path> dumpFiles, Path vmlinux, boolean fetch, boolean eagerFetch) {
        this(dumpFiles, vmlinux, fetch, eagerFetch, true);
    }

    /** A session that only describes the dump: no fetching, no listeners. */
    public static OpenRequest describeOnly(List<Path> dumpFiles) {
        return new OpenRequest(dumpFiles, null, false, false, false);
    }
}
