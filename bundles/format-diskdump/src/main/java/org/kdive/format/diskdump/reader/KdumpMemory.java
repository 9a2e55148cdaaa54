package org.kdive.format.diskdump.reader;

import java.util.List;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.api.dump.MemoryAccessException.Reason;
import org.kdive.format.support.PageCache;
import org.kdive.format.support.PagedMemory;

/** Physical memory of a kdump-compressed dump (one file or a split set), with a small page cache. */
final class KdumpMemory extends PagedMemory {
    private static final int CACHE_PAGES = 1024;
    private final List<KdumpFile> files; // sorted by range start
    private final long maxMapnr;
    private final String excludedDetail;
    private final PageCache cache = new PageCache(CACHE_PAGES);

    KdumpMemory(List<KdumpFile> files) {
        super(files.get(0).header.blockSize);
        this.files = files;
        this.maxMapnr = files.get(0).header.maxMapnr;
        int level = files.get(0).header.dumpLevel;
        this.excludedDetail = level >= 0 ? "dump level " + level : "";
    }

    @Override
    public long limit() { return maxMapnr << pageShift; }

    private KdumpFile fileFor(long pfn) {
        if (files.size() == 1) return files.get(0).covers(pfn) ? files.get(0) : null;
        for (KdumpFile f : files) {
            if (f.covers(pfn)) return f;
        }
        return null;
    }

    @Override
    protected void readInPage(long paddr, byte[] dst, int off, int len) {
        long pfn = paddr >>> pageShift;
        if (paddr < 0 || pfn >= maxMapnr) {
            throw MemoryAccessException.physical(paddr, Reason.NOT_IN_DUMP, "beyond the dump's last page");
        }
        int from = (int) (paddr & (pageSize - 1));
        if (cache.copy(pfn, from, dst, off, len)) return;
        KdumpFile f = fileFor(pfn);
        if (f == null) throw MemoryAccessException.physical(paddr, Reason.NOT_IN_DUMP, "no split file covers it");
        if (!f.dumped.get(pfn)) {
            if (f.present.get(pfn)) throw MemoryAccessException.physical(paddr, Reason.EXCLUDED, excludedDetail);
            throw MemoryAccessException.physical(paddr, Reason.NOT_IN_DUMP, "not RAM");
        }
        if (len == pageSize) {
            // a whole page (scans, page-sized reads): decode straight into the caller's array and
            // leave the cache to the small reads that revisit a page (saves a copy and an eviction)
            f.readPage(pfn, dst, off);
            return;
        }
        // decode into the array of a page the cache evicted earlier (per thread): no allocation per page
        PageDecoder dec = PageDecoder.forThread();
        byte[] page = dec.spare;
        dec.spare = null;
        if (page == null || page.length != pageSize) page = new byte[pageSize];
        f.readPage(pfn, page);
        System.arraycopy(page, from, dst, off, len);
        dec.spare = cache.putRecycling(pfn, page);
    }

    @Override
    public boolean isPresent(long paddr) {
        long pfn = paddr >>> pageShift;
        if (paddr < 0 || pfn >= maxMapnr) return false;
        KdumpFile f = fileFor(pfn);
        return f != null && f.dumped.get(pfn) && f.readable(pfn);
    }

    @Override
    public long nextPresent(long paddr) {
        long pfn = paddr < 0 ? 0 : paddr >>> pageShift;
        for (KdumpFile f : files) {
            if (pfn >= f.header.rangeEnd()) continue;
            long p = f.dumped.next(Math.max(pfn, f.header.rangeStart()));
            while (p >= 0 && p < f.header.rangeEnd()) {
                if (f.readable(p)) return p << pageShift;
                p = f.dumped.next(p + 1);
            }
        }
        return -1;
    }
}
