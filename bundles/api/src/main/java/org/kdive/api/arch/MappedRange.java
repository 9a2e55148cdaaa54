package org.kdive.api.arch;

/**
 * A stretch of virtual addresses that one page-table entry decides: mapped linearly onto physical
 * memory, or a gap (nothing mapped, or the tables there are unreadable). Scans step from range to
 * range instead of translating page by page (the way drgn's page-table iterators work).
 *
 * @param start    first virtual address
 * @param size     bytes in the range (never 0)
 * @param physical physical address of {@code start}, or -1 for a gap
 */
public record MappedRange(long start, long size, long physical) {
    public boolean mapped() {
        return physical != -1;
    }

    /** The address after the range (0 when it ends at the top of the address space). */
    public long end() {
        return start + size;
    }
}
