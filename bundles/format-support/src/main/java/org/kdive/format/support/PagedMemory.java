package org.kdive.format.support;

import org.kdive.api.dump.PhysicalMemory;

/** Splits reads at page boundaries so formats only deal with one page at a time. */
public abstract class PagedMemory implements PhysicalMemory {
    protected final int pageSize;
    protected final int pageShift;

    protected PagedMemory(int pageSize) {
        if (Integer.bitCount(pageSize) != 1) throw new IllegalArgumentException("page size " + pageSize);
        this.pageSize = pageSize;
        this.pageShift = Integer.numberOfTrailingZeros(pageSize);
    }

    @Override
    public int pageSize() { return pageSize; }

    /** Reads {@code len} bytes at {@code paddr}, all within one page; throws MemoryAccessException. */
    protected abstract void readInPage(long paddr, byte[] dst, int off, int len);

    @Override
    public void read(long paddr, byte[] dst, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, dst.length);
        while (len > 0) {
            int inPage = (int) Math.min(len, pageSize - (paddr & (pageSize - 1)));
            readInPage(paddr, dst, off, inPage);
            paddr += inPage;
            off += inPage;
            len -= inPage;
        }
    }
}
