package org.kdive.cmd.symbols.search;

import java.util.Iterator;
import java.util.List;
import org.kdive.api.KdiveException;
import org.kdive.api.arch.MappedRange;
import org.kdive.api.dump.PhysicalMemory;
import org.kdive.api.session.Session;
import org.kdive.cmd.symbols.paging.KernelRanges;
import org.kdive.cmd.symbols.paging.KernelRanges.Range;

/**
 * Walks memory a page at a time as crash's search does: physical pages the dump holds (excluded and
 * missing pages are skipped quietly), or kernel virtual ranges, each translated the way crash does
 * (subtraction for the direct map and the kernel image, the page table for the rest, stepping over
 * the holes the architecture's {@link org.kdive.api.arch.KernelArch#mappings} reports). Every page
 * is read into one reused buffer.
 */
public final class PageScan {
    private static final int PAGE = 4096;
    private static final long PAGE_MASK = -PAGE;

    private final Session session;
    private final PhysicalMemory physical;
    private final long maxPfn;
    private final long pageOffset;
    private final byte[] page = new byte[PAGE];

    public PageScan(Session session) {
        this.session = session;
        this.physical = session.dump().memory();
        this.maxPfn = session.arch().addressSpace(session).maxPfn();
        this.pageOffset = session.arch().addressSpace(session).directMap().start();
    }

    /** Physical memory in [start, end); false when the sink stopped the search. */
    public boolean physical(long start, long end, PageSink sink) {
        return physicalAt(start, end, 0, sink);
    }

    /**
     * Kernel virtual memory in [start, end) over crash's ranges; {@code subtracted} and {@code walked}
     * choose the ranges translated by subtraction (direct map, kernel image) and by the page table.
     */
    public boolean kernel(long start, long end, boolean subtracted, boolean walked, PageSink sink) {
        KernelRanges kr = KernelRanges.of(session);
        for (Range r : kr.ranges()) {
            if (Long.compareUnsigned(start, r.end()) >= 0 || Long.compareUnsigned(end, r.start()) <= 0) continue;
            if (r.translatedBySubtraction() ? !subtracted : !walked) continue;
            long from = max(start, r.start());
            long to = min(end, r.end());
            boolean go = switch (r.kind()) {
                case UNITY_MAP -> byOffset(from, to, pageOffset, sink);
                case START_MAP -> byOffset(from, to, kr.imageOffset(), sink);
                case VMALLOC -> walkedAreas(kr.vmapAreas(), from, to, sink);
                case MODULES -> walkedAreas(kr.modules(), from, to, sink);
                case VMEMMAP -> walked(from, to, sink);
            };
            if (!go) return false;
        }
        return true;
    }

    /** Virtual [from, to) mapped linearly onto physical memory at vaddr - offset. */
    private boolean byOffset(long from, long to, long offset, PageSink sink) {
        long lowest = Long.compareUnsigned(from, offset) < 0 ? offset : from; // below: negative physical addresses
        if (Long.compareUnsigned(lowest, to) >= 0) return true;
        return physicalAt(lowest - offset, to - offset, offset, sink);
    }

    private boolean physicalAt(long start, long end, long shift, PageSink sink) {
        long p = physical.nextPresent(start & PAGE_MASK);
        while (p != -1 && Long.compareUnsigned(p, end) < 0) {
            if (!hasPage(p)) break; // present pages come in address order: none further has a struct page
            if (read(p) && !deliver(p + shift, Math.max(start, p) + shift, end + shift, sink)) return false;
            p = physical.nextPresent(p + PAGE);
        }
        return true;
    }

    /** The pages of [from, to) that lie in one of the areas, each through the page table. */
    private boolean walkedAreas(List<long[]> areas, long from, long to, PageSink sink) {
        for (long[] a : areas) {
            long lo = max(from, a[0]);
            long hi = min(to, a[1]);
            if (Long.compareUnsigned(lo, hi) < 0 && !walked(lo, hi, sink)) return false;
        }
        return true;
    }

    private boolean walked(long from, long to, PageSink sink) {
        long pgd = session.arch().kernelPageTable();
        if (pgd < 0) return true; // no kernel page table: nothing here can be translated
        return walked(pgd, from, to, sink);
    }

    /** [from, to) of the address space whose page table is at physical {@code pgd} (a process's user memory), mapped pages only. */
    public boolean walked(long pgd, long from, long to, PageSink sink) {
        Iterator<MappedRange> ranges = session.arch().mappings(pgd, from & PAGE_MASK, to);
        while (ranges.hasNext()) {
            MappedRange r = ranges.next();
            if (!r.mapped()) continue; // not mapped: crash goes on with the next page
            long first = Long.compareUnsigned(r.start(), from & PAGE_MASK) < 0 ? from & PAGE_MASK : r.start();
            for (long v = first; Long.compareUnsigned(v, to) < 0 && Long.compareUnsigned(v - r.start(), r.size()) < 0; v += PAGE) {
                long p = r.physical() + (v - r.start());
                if (hasPage(p) && read(p & PAGE_MASK) && !deliver(v, max(from, v), to, sink)) return false;
                if (v + PAGE == 0) return true;
            }
        }
        return true;
    }

    /** crash reads only pages that have a struct page (phys_to_page). */
    private boolean hasPage(long p) {
        return maxPfn <= 0 || Long.compareUnsigned(p >>> 12, maxPfn) < 0;
    }

    private boolean read(long p) {
        // a cancelled command's thread is interrupted (API: CommandContext's cancellation contract)
        if (Thread.currentThread().isInterrupted()) throw new org.kdive.api.command.CommandCancelledException();
        try {
            physical.read(p, page, 0, PAGE);
            return true;
        } catch (KdiveException e) {
            return false; // excluded or missing page: skipped quietly, as crash does
        }
    }

    /** Hands [max(start, base), min(end, base + PAGE)) of the page at {@code base} to the sink. */
    private boolean deliver(long base, long start, long end, PageSink sink) {
        int from = (int) (start - base);
        long left = Long.compareUnsigned(end - base, PAGE) > 0 ? PAGE : end - base;
        int to = from + (int) ((left - from) & ~7L);
        return to <= from || sink.chunk(start, page, from, to);
    }

    private static long max(long a, long b) {
        return Long.compareUnsigned(a, b) >= 0 ? a : b;
    }

    private static long min(long a, long b) {
        return Long.compareUnsigned(a, b) <= 0 ? a : b;
    }
}
