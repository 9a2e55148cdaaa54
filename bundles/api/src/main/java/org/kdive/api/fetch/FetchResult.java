package org.kdive.api.fetch;

import java.nio.file.Path;
import java.util.Map;

/**
 * Debuginfo now in the cache, build-id verified.
 *
 * @param modules module name → debuginfo file (may be empty if the package has none)
 */
public record FetchResult(Path vmlinux, Map<String, Path> modules) {
}
