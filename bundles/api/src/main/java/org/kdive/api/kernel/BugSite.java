package org.kdive.api.kernel;

/**
 * A BUG()/WARN() site from the kernel's or a module's {@code __bug_table}: the trapping instruction
 * (the architecture's {@link org.kdive.api.arch.BugTrap}) and the source position the kernel recorded for it.
 *
 * @param address run-time address of the trapping instruction
 * @param file    source file as the kernel build recorded it, or null when unreadable
 * @param line    source line, 0 when unknown
 * @param warning a WARN() site (BUGFLAG_WARNING) rather than a BUG()
 */
public record BugSite(long address, String file, int line, boolean warning) {
}
