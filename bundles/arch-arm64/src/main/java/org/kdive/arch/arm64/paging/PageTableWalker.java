package org.kdive.arch.arm64.paging;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.kdive.api.KdiveException;
import org.kdive.api.arch.MappedRange;
import org.kdive.api.arch.PageWalk;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.api.dump.PhysicalMemory;
import org.kdive.arch.arm64.layout.Arm64Layout;

/**
 * The AArch64 stage-1 translation of a Linux kernel (ARM ARM D8; arch/arm64/include/asm/pgtable-hwdef.h):
 * a granule of 4, 16 or 64 KiB, as many levels as VA_BITS needs (4 KiB and 48 bits: PGD, PUD, PMD,
 * PTE), table descriptors (bits 1:0 = 11) down to a page descriptor (11 at the last level) or a
 * block descriptor (01) at an upper level. The kernel's tables are rooted at swapper_pg_dir (TTBR1),
 * a process's at mm->pgd (TTBR0). Output addresses are bits [47:granule]; with 64 KiB pages and
 * 52-bit physical addresses bits [15:12] give PA[51:48].
 */
public final class PageTableWalker {
    private static final long VALID = 1;
    private static final long TABLE = 2;
    private static final String[] NAMES_4 = {"PGD", "PUD", "PMD", "PTE"};
    private static final String[] NAMES_3 = {"PGD", "PMD", "PTE"};
    private static final String[] NAMES_2 = {"PGD", "PTE"};

    private final PhysicalMemory memory;
    private final Arm64Layout layout;
    private final int shift;
    private final int bitsPerLevel;
    private final int levels;
    private final long kernelPgd;

    public PageTableWalker(PhysicalMemory memory, Arm64Layout layout) {
        this.memory = memory;
        this.layout = layout;
        this.shift = layout.pageShift();
        this.bitsPerLevel = shift - 3;
        this.levels = (layout.vaBits() - shift + bitsPerLevel - 1) / bitsPerLevel;
        this.kernelPgd = layout.swapperPgDirPhysical();
    }

    public long kernelPgd() {
        return kernelPgd;
    }

    public int levels() {
        return levels;
    }

    private String levelName(int level) {
        String[] names = levels == 4 ? NAMES_4 : levels == 3 ? NAMES_3 : levels == 2 ? NAMES_2 : null;
        return names != null ? names[level] : "L" + (4 - levels + level);
    }

    /** Address bits translated by an entry of {@code level} (0 = top). */
    private int levelShift(int level) {
        return shift + bitsPerLevel * (levels - 1 - level);
    }

    private long outputAddress(long entry, int blockShift) {
        long addr = entry & 0x0000ffffffffffffL & -(1L << blockShift);
        if (shift == 16) addr |= (entry & 0xf000L) << 36; // 52-bit PA with 64 KiB pages
        return addr;
    }

    /** Kernel virtual → physical: the linear map and the kernel image without tables, the rest by walking. */
    public long kernelToPhysical(long vaddr) {
        if (layout.linear(vaddr)) return layout.linearToPhysical(vaddr);
        return toPhysical(kernelPgd, vaddr);
    }

    public long toPhysical(long pgdPhys, long vaddr) {
        PageWalk w = walk(pgdPhys, vaddr, pgdPhys, false);
        if (!w.mapped()) {
            throw new MemoryAccessException(vaddr, false, MemoryAccessException.Reason.UNMAPPED,
                    String.format("virtual 0x%x: %s", vaddr, w.failure()));
        }
        return w.physical();
    }

    /** The walk with crash's vtop lines; {@code shown} is the directory's address as crash prints it. */
    public PageWalk walk(long pgdPhys, long vaddr, long shown) {
        return walk(pgdPhys, vaddr, shown, true);
    }

    private PageWalk walk(long pgdPhys, long vaddr, long shown, boolean explain) {
        List<PageWalk.Step> steps = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        if (explain) lines.add(String.format("PAGE DIRECTORY: %x", shown));
        if (pgdPhys == -1) return new PageWalk(vaddr, steps, lines, -1, 0, "no page table (swapper_pg_dir unknown)");
        long top = vaddr >> layout.vaBits();
        if (top != 0 && top != -1) {
            return new PageWalk(vaddr, steps, lines, -1, 0, String.format("not a canonical %d-bit address", layout.vaBits()));
        }
        long table = pgdPhys;
        for (int level = 0; level < levels; level++) {
            int ls = levelShift(level);
            int bits = level == 0 ? layout.vaBits() - ls : bitsPerLevel;
            long index = (vaddr >>> ls) & ((1L << bits) - 1);
            long at = table + index * 8;
            long entry;
            try {
                entry = memory.readLong(at);
            } catch (KdiveException e) {
                return new PageWalk(vaddr, steps, lines, -1, 0,
                        String.format("%s table at physical 0x%x not readable: %s", levelName(level), table, e.getMessage()));
            }
            String name = levelName(level);
            // crash shows the entry at its linear-map address
            if (explain) lines.add(String.format("   %s: %x => %x", name, at - layout.physOffset() + layout.pageOffset(), entry));
            boolean last = level == levels - 1;
            if ((entry & VALID) == 0) {
                steps.add(new PageWalk.Step(name, at, entry, -1, PteFlags.names(entry)));
                return new PageWalk(vaddr, steps, lines, -1, 0, String.format("%s entry 0x%x not valid", name, entry));
            }
            if (!last && (entry & TABLE) != 0) {
                table = outputAddress(entry, shift);
                steps.add(new PageWalk.Step(name, at, entry, table, PteFlags.names(entry)));
                continue;
            }
            if (!last && level == 0 && levels == 4) {
                // no 512 GiB blocks with 4 KiB pages
                steps.add(new PageWalk.Step(name, at, entry, -1, PteFlags.names(entry)));
                return new PageWalk(vaddr, steps, lines, -1, 0, String.format("%s entry 0x%x is a block (reserved)", name, entry));
            }
            if (last && (entry & TABLE) == 0) {
                steps.add(new PageWalk.Step(name, at, entry, -1, PteFlags.names(entry)));
                return new PageWalk(vaddr, steps, lines, -1, 0, String.format("%s entry 0x%x is reserved (bits 1:0 = 01)", name, entry));
            }
            long size = 1L << ls;
            long base = outputAddress(entry, ls);
            steps.add(new PageWalk.Step(name, at, entry, base, PteFlags.names(entry)));
            long physical = base + (vaddr & (size - 1));
            if (explain) {
                String what = last ? "" : "(" + sizeName(size) + ")";
                lines.add(String.format("  PAGE: %x  %s", base, what));
            }
            return new PageWalk(vaddr, steps, lines, physical, size, null);
        }
        return new PageWalk(vaddr, steps, lines, -1, 0, "no level maps it");
    }

    private static String sizeName(long size) {
        return size >= 1L << 30 ? (size >> 30) + "GB" : (size >> 20) + "MB";
    }

    /**
     * Mapped ranges and gaps of [start, end) in the table at {@code pgdPhys}: a gap is as large as
     * the invalid entry that makes it.
     */
    public Iterator<MappedRange> ranges(long pgdPhys, long start, long end) {
        return new Iterator<>() {
            long next = start & -(1L << shift);
            boolean done = Long.compareUnsigned(next, end) >= 0;

            @Override
            public boolean hasNext() {
                return !done;
            }

            @Override
            public MappedRange next() {
                if (done) throw new NoSuchElementException();
                long v = next;
                MappedRange r = range(pgdPhys, v);
                next = r.start() + r.size();
                done = next == 0 || Long.compareUnsigned(next, end) >= 0 || Long.compareUnsigned(next, v) <= 0;
                return r;
            }
        };
    }

    private MappedRange range(long pgdPhys, long vaddr) {
        long top = vaddr >> layout.vaBits();
        if (top != 0 && top != -1) {
            // the hole between the two halves: up to the first kernel address (or the top)
            long hole = -(1L << layout.vaBits()) - vaddr;
            return new MappedRange(vaddr, hole, -1);
        }
        long table = pgdPhys;
        for (int level = 0; level < levels; level++) {
            int ls = levelShift(level);
            int bits = level == 0 ? layout.vaBits() - ls : bitsPerLevel;
            long size = 1L << ls;
            long aligned = vaddr & -size;
            long entry;
            try {
                entry = memory.readLong(table + ((vaddr >>> ls) & ((1L << bits) - 1)) * 8);
            } catch (KdiveException e) {
                return new MappedRange(aligned, size, -1);
            }
            boolean last = level == levels - 1;
            if ((entry & VALID) == 0) return new MappedRange(aligned, size, -1);
            if (!last && (entry & TABLE) != 0) {
                table = outputAddress(entry, shift);
                continue;
            }
            if (last == ((entry & TABLE) == 0)) return new MappedRange(aligned, size, -1);
            return new MappedRange(aligned, size, outputAddress(entry, ls));
        }
        return new MappedRange(vaddr & -(1L << shift), 1L << shift, -1);
    }
}
