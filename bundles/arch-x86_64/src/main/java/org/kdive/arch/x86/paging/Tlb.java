package org.kdive.arch.x86.paging;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A small direct-mapped cache of kernel translations, one table per page size (4K, 2M, 1G).
 * Entries are immutable, so concurrent readers need no locks; a lost update is only a miss.
 */
final class Tlb {
    private static final int SLOTS = 1024;
    private final AtomicReferenceArray<Translation> small = new AtomicReferenceArray<>(SLOTS);
    private final AtomicReferenceArray<Translation> medium = new AtomicReferenceArray<>(SLOTS);
    private final AtomicReferenceArray<Translation> large = new AtomicReferenceArray<>(SLOTS);

    Translation lookup(long vaddr) {
        Translation t = probe(large, vaddr, 30);
        if (t != null) return t;
        t = probe(medium, vaddr, 21);
        if (t != null) return t;
        return probe(small, vaddr, 12);
    }

    void put(Translation t) {
        int shift = Long.numberOfTrailingZeros(t.size());
        AtomicReferenceArray<Translation> table = shift >= 30 ? large : shift >= 21 ? medium : small;
        table.set(slot(t.vbase(), shift), t);
    }

    private static Translation probe(AtomicReferenceArray<Translation> table, long vaddr, int shift) {
        Translation t = table.get(slot(vaddr, shift));
        if (t != null && vaddr - t.vbase() >= 0 && vaddr - t.vbase() < t.size()) return t;
        return null;
    }

    private static int slot(long vaddr, int shift) {
        return (int) ((vaddr >>> shift) & (SLOTS - 1));
    }
}
