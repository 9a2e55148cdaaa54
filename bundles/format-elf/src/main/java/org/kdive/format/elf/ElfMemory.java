package org.kdive.format.elf;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.api.dump.MemoryAccessException.Reason;
import org.kdive.format.support.PagedMemory;
import org.kdive.format.support.Source;

/**
 * Physical memory of an ELF core: the PT_LOAD segments by p_paddr, flattened into non-overlapping
 * pieces. Where segments overlap (the kernel text segment of /proc/vmcore repeats part of RAM),
 * a piece with file data wins over one without.
 */
final class ElfMemory extends PagedMemory {
    static final int DATA = 0;
    static final int EXCLUDED = 1;
    static final int TRUNCATED = 2;

    private final Source src;
    private final long[] start;
    private final long[] end;
    private final long[] fileOffset;
    private final int[] kind;
    private final long limit;

    /** Collects pieces; insert in priority order (data first), later pieces only fill gaps. */
    static final class Builder {
        private final TreeMap<Long, long[]> pieces = new TreeMap<>(); // start → {end, fileOffset, kind}

        void add(long from, long to, long fileOff, int k) {
            long cursor = from;
            while (cursor < to) {
                Map.Entry<Long, long[]> floor = pieces.floorEntry(cursor);
                if (floor != null && floor.getValue()[0] > cursor) {
                    cursor = floor.getValue()[0];
                    continue;
                }
                Long next = pieces.higherKey(cursor);
                long gapEnd = next == null ? to : Math.min(to, next);
                pieces.put(cursor, new long[] {gapEnd, k == DATA ? fileOff + (cursor - from) : -1, k});
                cursor = gapEnd;
            }
        }

        ElfMemory build(Source src, int pageSize) {
            return new ElfMemory(src, pageSize, pieces);
        }
    }

    private ElfMemory(Source src, int pageSize, TreeMap<Long, long[]> pieces) {
        super(pageSize);
        this.src = src;
        int n = pieces.size();
        start = new long[n];
        end = new long[n];
        fileOffset = new long[n];
        kind = new int[n];
        int i = 0;
        for (Map.Entry<Long, long[]> e : pieces.entrySet()) {
            start[i] = e.getKey();
            end[i] = e.getValue()[0];
            fileOffset[i] = e.getValue()[1];
            kind[i] = (int) e.getValue()[2];
            i++;
        }
        limit = n == 0 ? 0 : end[n - 1];
    }

    @Override public long limit() { return limit; }

    /** Index of the piece containing paddr, or -1. */
    private int find(long paddr) {
        int lo = 0;
        int hi = start.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (start[mid] <= paddr) lo = mid + 1;
            else hi = mid - 1;
        }
        return hi >= 0 && paddr < end[hi] ? hi : -1;
    }

    @Override
    protected void readInPage(long paddr, byte[] dst, int off, int len) {
        while (len > 0) {
            int i = find(paddr);
            if (i < 0) throw MemoryAccessException.physical(paddr, Reason.NOT_IN_DUMP, "no ELF segment");
            if (kind[i] == EXCLUDED) {
                throw MemoryAccessException.physical(paddr, Reason.EXCLUDED, "filtered out of the ELF dump");
            }
            if (kind[i] == TRUNCATED) {
                throw MemoryAccessException.physical(paddr, Reason.TRUNCATED, src.path().getFileName().toString());
            }
            int n = (int) Math.min(len, end[i] - paddr);
            try {
                src.readFully(fileOffset[i] + (paddr - start[i]), dst, off, n);
            } catch (IOException e) {
                throw MemoryAccessException.physical(paddr, Reason.TRUNCATED, e.getMessage());
            }
            paddr += n;
            off += n;
            len -= n;
        }
    }

    @Override
    public boolean isPresent(long paddr) {
        int i = find(paddr);
        return i >= 0 && kind[i] == DATA;
    }

    @Override
    public long nextPresent(long paddr) {
        long mask = ~((long) pageSize - 1);
        long from = Math.max(0, paddr) & mask;
        int i = find(from);
        if (i >= 0 && kind[i] == DATA) return from;
        // first data piece ending after the page start
        int lo = 0;
        int hi = start.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (end[mid] <= from) lo = mid + 1;
            else hi = mid;
        }
        for (int j = lo; j < start.length; j++) {
            if (kind[j] == DATA) return Math.max(from, start[j] & mask);
        }
        return -1;
    }

    /** Distinct pages touched by pieces of this kind (a page shared with a data piece counts as data). */
    long pages(int k) {
        long count = 0;
        long lastPfn = -1;
        for (int i = 0; i < start.length; i++) {
            if (kind[i] != k) continue;
            long first = start[i] >>> pageShift;
            long last = (end[i] - 1) >>> pageShift;
            if (k != DATA) {
                if (i > 0 && kind[i - 1] == DATA && end[i - 1] == start[i] && (start[i] & (pageSize - 1)) != 0) first++;
                if (i + 1 < start.length && kind[i + 1] == DATA && start[i + 1] == end[i] && (end[i] & (pageSize - 1)) != 0) last--;
            }
            if (first <= lastPfn) first = lastPfn + 1;
            if (last >= first) count += last - first + 1;
            lastPfn = Math.max(lastPfn, last);
        }
        return count;
    }

    long bytes() {
        long total = 0;
        for (int i = 0; i < start.length; i++) total += end[i] - start[i];
        return total;
    }
}
