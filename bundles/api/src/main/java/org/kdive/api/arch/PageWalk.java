package org.kdive.api.arch;

import java.util.List;
import java.util.Optional;

/**
 * One page-table walk, as the architecture did it and as crash's {@code vtop} explains it.
 *
 * @param vaddr    the virtual address translated
 * @param steps    each table entry read, top level first (the leaf last when {@link #mapped()})
 * @param lines    crash's lines for this walk on this architecture: the directory, each entry, and
 *                 "PAGE: …" when mapped (without the failure, which crash does not print)
 * @param physical the physical address {@code vaddr} maps to, -1 when not mapped
 * @param pageSize size of the page that maps it (e.g. 4 KiB, 2 MiB), 0 when not mapped
 * @param failure  why there is no mapping (not-present entry, unreadable table, non-canonical
 *                 address), naming the level; null when mapped
 */
public record PageWalk(long vaddr, List<Step> steps, List<String> lines, long physical, long pageSize, String failure) {
    public PageWalk {
        steps = List.copyOf(steps);
        lines = List.copyOf(lines);
    }

    /**
     * One page-table entry read during a walk.
     *
     * @param level        the architecture's own name of the level (e.g. "PUD", "PMD", "PTE")
     * @param entryAddress physical address the entry was read from
     * @param entry        the entry's raw value
     * @param target       the physical address the entry points at (next table or page frame), -1
     *                     when the entry is not present
     * @param flags        names of the entry's set flag bits in the architecture's (and crash's)
     *                     spelling and order, e.g. [PRESENT, RW, ACCESSED, DIRTY, PSE, GLOBAL, NX]
     */
    public record Step(String level, long entryAddress, long entry, long target, List<String> flags) {
        public Step {
            flags = List.copyOf(flags);
        }
    }

    public boolean mapped() {
        return failure == null;
    }

    /** The entry that maps the page (PTE, or the entry of a large page), when mapped. */
    public Optional<Step> leaf() {
        return mapped() && !steps.isEmpty() ? Optional.of(steps.get(steps.size() - 1)) : Optional.empty();
    }
}
