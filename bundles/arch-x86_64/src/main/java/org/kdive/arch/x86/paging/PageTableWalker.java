package org.kdive.arch.x86.paging;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.kdive.api.arch.MappedRange;
import org.kdive.api.arch.PageWalk;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.api.dump.PhysicalMemory;

/**
 * Walks x86_64 4- or 5-level page tables in a dump's physical memory. Every kernel address goes
 * through the kernel page table (init_top_pgt) and a small cache, the kernel image mapping
 * (__START_KERNEL_map) included: its unmapped parts (before _text, after _end, freed init memory)
 * must fail like any other unmapped address, although crash translates them by subtraction. Only
 * where the dump lacks a page table does an image address fall back to phys_base.
 */
public final class PageTableWalker {
    /** Virtual base of the kernel image mapping. */
    public static final long START_KERNEL_MAP = 0xffffffff80000000L;
    /** KERNEL_IMAGE_SIZE with KASLR: the image mapping ends where module space begins. */
    public static final long KERNEL_IMAGE_END = 0xffffffffc0000000L;

    private static final long PRESENT = 1L;
    private static final long LARGE = 1L << 7;
    private static final long PROTNONE = 1L << 8;
    private static final long ADDRESS_MASK = 0x000ffffffffff000L;

    private final PhysicalMemory memory;
    private final boolean fiveLevel;
    private final long physBase;
    private final long kernelPgd;
    private final long addressMask;
    private final Tlb tlb = new Tlb();

    /**
     * @param kernelPgd physical address of init_top_pgt, or -1 when unknown
     * @param smeMask   AMD memory-encryption bit to strip from entries (0 if none)
     */
    public PageTableWalker(PhysicalMemory memory, boolean fiveLevel, long physBase, long kernelPgd, long smeMask) {
        this.memory = memory;
        this.fiveLevel = fiveLevel;
        this.physBase = physBase;
        this.kernelPgd = kernelPgd;
        this.addressMask = ADDRESS_MASK & ~smeMask;
    }

    public boolean fiveLevel() { return fiveLevel; }

    public long physBase() { return physBase; }

    public long kernelPgd() { return kernelPgd; }

    /** Kernel virtual → physical. */
    public long kernelToPhysical(long vaddr) {
        Translation t = tlb.lookup(vaddr);
        if (t != null) return t.physical(vaddr);
        if (kernelPgd < 0) {
            // without the page table only the image mapping can be computed (phys_base)
            if (inKernelImage(vaddr)) return vaddr - START_KERNEL_MAP + physBase;
            throw new MemoryAccessException(vaddr, false, MemoryAccessException.Reason.UNMAPPED, String.format(
                    "cannot translate 0x%x: kernel page table unknown (no VMCOREINFO SYMBOL(init_top_pgt))", vaddr));
        }
        try {
            t = walk(kernelPgd, vaddr, null);
        } catch (MemoryAccessException e) {
            // a page table the dump lacks says nothing about the image: its linear mapping still holds
            if (e.reason() != MemoryAccessException.Reason.UNMAPPED && inKernelImage(vaddr)) return vaddr - START_KERNEL_MAP + physBase;
            throw e;
        }
        tlb.put(t);
        return t.physical(vaddr);
    }

    /** Virtual → physical through the table rooted at {@code pgd}; the kernel table is cached. */
    public long toPhysical(long pgd, long vaddr) {
        if (pgd == kernelPgd) return kernelToPhysical(vaddr);
        return walk(pgd, vaddr, null).physical(vaddr);
    }

    public static boolean inKernelImage(long vaddr) {
        return Long.compareUnsigned(vaddr, START_KERNEL_MAP) >= 0 && Long.compareUnsigned(vaddr, KERNEL_IMAGE_END) < 0;
    }

    /**
     * The walk with crash's vtop lines: "PGD DIRECTORY" (crash 8.0.6 says so with 4 levels too, where
     * 8.0.2 said "PML4 DIRECTORY") with
     * the table's address {@code pgdShown}, the top entry as "PAGE DIRECTORY: value", each lower entry
     * as "LEVEL: entry-address => value", then "PAGE: physical" with "(2MB)"/"(1GB)" for large pages.
     */
    public PageWalk walk(long pgd, long vaddr, long pgdShown) {
        List<String> lines = new ArrayList<>();
        List<PageWalk.Step> steps = new ArrayList<>();
        lines.add(String.format("PGD DIRECTORY: %x", pgdShown));
        try {
            Translation t = walk(pgd, vaddr, steps);
            for (PageWalk.Step s : steps) lines.add(line(s));
            long size = t.size();
            String suffix = size == (1L << 30) ? "  (1GB)" : size == (1L << 21) ? "  (2MB)" : "";
            lines.add(String.format("  PAGE: %x%s", t.pbase(), suffix));
            return new PageWalk(vaddr, steps, lines, t.physical(vaddr), size, null);
        } catch (MemoryAccessException e) {
            for (PageWalk.Step s : steps) lines.add(line(s));
            return new PageWalk(vaddr, steps, lines, -1, 0, e.getMessage());
        }
    }

    private static String line(PageWalk.Step s) {
        if (s.level().equals("PGD")) return String.format("PAGE DIRECTORY: %x", s.entry());
        return String.format("%6s: %x => %x", s.level(), s.entryAddress(), s.entry());
    }

    /** Mapped ranges and gaps of [start, end) in the table rooted at {@code pgd}, one entry's span each. */
    public Iterator<MappedRange> ranges(long pgd, long start, long end) {
        return new Iterator<>() {
            long next = start & -4096L;
            boolean done = Long.compareUnsigned(next, end) >= 0;

            @Override
            public boolean hasNext() {
                return !done;
            }

            @Override
            public MappedRange next() {
                if (done) throw new NoSuchElementException();
                MappedRange r = rangeAt(pgd, next);
                next = r.end();
                done = next == 0 || Long.compareUnsigned(next, end) >= 0;
                return r;
            }
        };
    }

    /** The range the entry deciding {@code vaddr} covers, from {@code vaddr} to the end of that entry's span. */
    private MappedRange rangeAt(long pgd, long vaddr) {
        if (!canonical(vaddr)) {
            // the hole between the halves: up to the first canonical address of the upper half
            long upper = fiveLevel ? 0xff00000000000000L : 0xffff800000000000L;
            return new MappedRange(vaddr, upper - vaddr, -1);
        }
        long table = pgd & addressMask;
        for (PagingLevel level : fiveLevel ? PagingLevel.FIVE : PagingLevel.FOUR) {
            long span = level.pageSize();
            long spanEnd = (vaddr & -span) + span;
            long entry;
            try {
                entry = memory.readLong(table + 8L * level.index(vaddr));
            } catch (MemoryAccessException e) {
                return new MappedRange(vaddr, spanEnd - vaddr, -1);
            }
            if (!present(level, entry, vaddr)) return new MappedRange(vaddr, spanEnd - vaddr, -1);
            long next = entry & addressMask;
            if (level == PagingLevel.PTE || (level.allowsLargePage() && (entry & LARGE) != 0)) {
                long base = next & -span;
                return new MappedRange(vaddr, spanEnd - vaddr, base + (vaddr & (span - 1)));
            }
            table = next;
        }
        throw new IllegalStateException("unreachable");
    }

    private Translation walk(long pgd, long vaddr, List<PageWalk.Step> trace) {
        if (!canonical(vaddr)) {
            throw new MemoryAccessException(vaddr, false, MemoryAccessException.Reason.UNMAPPED,
                    String.format("non-canonical address 0x%x (%d-level paging)", vaddr, fiveLevel ? 5 : 4));
        }
        PagingLevel[] levels = fiveLevel ? PagingLevel.FIVE : PagingLevel.FOUR;
        long table = pgd & addressMask;
        for (PagingLevel level : levels) {
            long entryAddr = table + 8L * level.index(vaddr);
            long entry;
            try {
                entry = memory.readLong(entryAddr);
            } catch (MemoryAccessException e) {
                throw new MemoryAccessException(vaddr, false, e.reason(), String.format(
                        "%s entry at physical 0x%x unreadable for virtual 0x%x: %s",
                        level.linuxName, entryAddr, vaddr, e.getMessage()));
            }
            boolean present = present(level, entry, vaddr);
            if (trace != null) {
                trace.add(new PageWalk.Step(level.crashLabel, entryAddr, entry, present ? entry & addressMask : -1,
                        PteFlags.names(entry)));
            }
            if (!present) {
                throw new MemoryAccessException(vaddr, false, MemoryAccessException.Reason.UNMAPPED, String.format(
                        "%s entry not present at physical 0x%x (entry 0x%x) for virtual 0x%x",
                        level.linuxName, entryAddr, entry, vaddr));
            }
            long next = entry & addressMask;
            if (level == PagingLevel.PTE || (level.allowsLargePage() && (entry & LARGE) != 0)) {
                long size = level.pageSize();
                long base = next & ~(size - 1);
                return new Translation(vaddr & ~(size - 1), base, size);
            }
            table = next;
        }
        throw new IllegalStateException("unreachable");
    }

    private static boolean present(PagingLevel level, long entry, long vaddr) {
        return (entry & PRESENT) != 0 || (level == PagingLevel.PTE && (entry & PROTNONE) != 0 && vaddr >= 0);
    }

    private boolean canonical(long vaddr) {
        int bits = fiveLevel ? 57 : 48;
        long top = vaddr >> (bits - 1);
        return top == 0 || top == -1;
    }
}
