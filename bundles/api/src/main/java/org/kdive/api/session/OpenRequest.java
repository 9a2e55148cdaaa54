package org.kdive.api.session;

import java.nio.file.Path;
import java.util.List;

/**
 * What to open.
 *
 * @param dumpFiles  one dump file, or the parts of a split dump
 * @param vmlinux    debuginfo of the kernel, or null to look in the cache and ask the fetchers
 * @param fetch      whether fetchers may download when vmlinux is null and the cache has none
 */
public record OpenRequest(List<Path> dumpFiles, Path vmlinux, boolean fetch) {
}
