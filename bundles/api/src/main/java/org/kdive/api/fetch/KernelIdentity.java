package org.kdive.api.fetch;

import java.util.Map;
import java.util.Optional;

/**
 * What the dump says about its kernel, before any debuginfo.
 *
 * @param release        uname -r, e.g. "6.1.0-50-cloud-amd64", "3.10.0-862.14.4.el7.x86_64"
 * @param version        uname -v, e.g. "#1 SMP PREEMPT_DYNAMIC Debian 6.1.176-1 (2025-...)"
 * @param machine        uname -m, e.g. "x86_64"
 * @param buildId        the vmlinux GNU build-id (hex) from VMCOREINFO, if present
 * @param banner         the full "Linux version …" line, if found
 * @param moduleBuildIds module name → build-id (hex) for loaded modules, where known
 */
public record KernelIdentity(String release, String version, String machine, Optional<String> buildId,
        String banner, Map<String, String> moduleBuildIds) {
}
