package org.kdive.api.symbols;

import java.util.Map;

/**
 * Where a debuginfo file's code sits in the crashed kernel.
 *
 * @param module           null for vmlinux, else the module name as the kernel knows it
 * @param bias             added to every address of an executable (vmlinux: the KASLR offset)
 * @param sectionAddresses for relocatable objects (.ko): section name → run-time address
 */
public record LoadSpec(String module, long bias, Map<String, Long> sectionAddresses) {
    public static LoadSpec vmlinux(long kaslrOffset) {
        return new LoadSpec(null, kaslrOffset, Map.of());
    }

    public static LoadSpec module(String name, Map<String, Long> sectionAddresses) {
        return new LoadSpec(name, 0, Map.copyOf(sectionAddresses));
    }
}
