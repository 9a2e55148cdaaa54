package org.kdive.arch.x86.paging;

import java.util.ArrayList;
import java.util.List;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.api.dump.PhysicalMemory;

/**
 * Walks x86_64 4- or 5-level page tables in a dump's physical memory. Kernel addresses in the
 * kernel image mapping (__START_KERNEL_map) are computed from phys_base without a walk; the rest
 * goes through the kernel page table (init_top_pgt) and a small cache.
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
        if (inKernelImage(vaddr)) return vaddr - START_KERNEL_MAP + physBase;
        Translation t = tlb.lookup(vaddr);
        if (t != null) return t.physical(vaddr);
        if (kernelPgd < 0) {
            throw new MemoryAccessException(vaddr, false, MemoryAccessException.Reason.UNMAPPED, String.format(
                    "cannot translate 0x%x: kernel page table unknown (no VMCOREINFO SYMBOL(init_top_pgt))", vaddr));
        }
        t = walk(kernelPgd, vaddr, null);
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

    /** The walk as crash's vtop prints it, ending with the page or the failing level. */
    public List<String> explain(long pgd, long vaddr, long pgdVirtual) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format("%s DIRECTORY: %x", fiveLevel ? "PGD" : "PML4", pgdVirtual));
        try {
            Translation t = walk(pgd, vaddr, lines);
            long size = t.size();
            String suffix = size == (1L << 30) ? "  (1GB)" : size == (1L << 21) ? "  (2MB)" : "";
            lines.add(String.format("  PAGE: %x%s", t.pbase(), suffix));
        } catch (MemoryAccessException e) {
            lines.add("  " + e.getMessage());
        }
        return lines;
    }

    private Translation walk(long pgd, long vaddr, List<String> trace) {
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
            if (trace != null) {
                if (level == PagingLevel.PGD5 || level == PagingLevel.PGD4) {
                    trace.add(String.format("PAGE DIRECTORY: %x", entry));
                } else {
                    trace.add(String.format("%6s: %x => %x", level.crashLabel, entryAddr, entry));
                }
            }
            boolean present = (entry & PRESENT) != 0
                    || (level == PagingLevel.PTE && (entry & PROTNONE) != 0 && vaddr >= 0);
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

    private boolean canonical(long vaddr) {
        int bits = fiveLevel ? 57 : 48;
        long top = vaddr >> (bits - 1);
        return top == 0 || top == -1;
    }
}
