package org.kdive.triage;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How triage finds debuginfo and how long a dump may take.
 *
 * @param vmlinux    vmlinux files to try first (the one whose build-id matches the dump is used)
 * @param debuginfo  folders holding vmlinux files named after the release
 *                   ({@code vmlinux-RELEASE}, {@code RELEASE/vmlinux}, {@code vmlinux-RELEASE.debug})
 * @param fetch      whether the fetchers may download debuginfo the cache lacks
 * @param budget     time for one dump, after which its record is an error
 */
public record Options(List<Path> vmlinux, List<Path> debuginfo, boolean fetch, Duration budget) {
    public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(120);

    public Options {
        vmlinux = List.copyOf(vmlinux);
        debuginfo = List.copyOf(debuginfo);
    }

    public static Options defaults() {
        return new Options(List.of(), List.of(), true, DEFAULT_BUDGET);
    }
}
