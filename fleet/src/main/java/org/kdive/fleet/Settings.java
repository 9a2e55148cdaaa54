package org.kdive.fleet;

import java.io.Serializable;
import java.util.List;

/**
 * One fleet run.
 *
 * @param inputs    dump files or folders, as Hadoop FileSystem URIs or local paths
 * @param out       where records and report go (a Hadoop FileSystem URI or local path)
 * @param kdiveHome the kdive installation on the executors (absolute, or relative to their working folder)
 * @param include   regular expression a file name must match to be taken as a dump (folders are searched recursively)
 * @param vmlinux   vmlinux files to try (as the executors see them)
 * @param debuginfo folders of vmlinux-RELEASE files (as the executors see them)
 * @param fetch     whether executors may download debuginfo
 * @param timeout   seconds one dump may take
 * @param partitions Spark partitions for the dumps (0: two per core of the cluster)
 */
public record Settings(List<String> inputs, String out, String kdiveHome, String include, List<String> vmlinux,
        List<String> debuginfo, boolean fetch, int timeout, int partitions) implements Serializable {
    /** File names taken as dumps by default: what kdump, makedumpfile, QEMU and crash collectors call them. */
    public static final String DEFAULT_INCLUDE = "(?i).*(vmcore|\\.kdump|\\.flat|\\.elf|\\.dump|dump-|\\.core|\\.lkcd).*";
}
