package org.kdive.format.support;

import java.util.LinkedHashMap;
import java.util.Map;

/** A small LRU of decoded pages keyed by page frame number, so hot pages decode once. */
public final class PageCache {
    private final Map<Long, byte[]> pages;
    private byte[] evicted; // set by removeEldestEntry during a put

    public PageCache(int capacity) {
        this.pages = new LinkedHashMap<>(capacity * 2, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
                if (size() <= capacity) return false;
                evicted = eldest.getValue();
                return true;
            }
        };
    }

    public synchronized byte[] get(long pfn) { return pages.get(pfn); }

    public synchronized void put(long pfn, byte[] page) { pages.put(pfn, page); }

    /**
     * Copies {@code len} bytes from offset {@code from} of a cached page into {@code dst}; false
     * when the page is not cached. The copy happens under the lock, so no page array ever escapes.
     */
    public synchronized boolean copy(long pfn, int from, byte[] dst, int off, int len) {
        byte[] page = pages.get(pfn);
        if (page == null) return false;
        System.arraycopy(page, from, dst, off, len);
        return true;
    }

    /**
     * Adds a page and returns the array of the page it evicted, or null, for the caller to decode
     * the next page into (a full read of a dump then allocates nothing per page). Only for a cache
     * read through {@link #copy}: an array handed out by {@link #get} could still be in use.
     */
    public synchronized byte[] putRecycling(long pfn, byte[] page) {
        evicted = null;
        pages.put(pfn, page);
        byte[] e = evicted;
        evicted = null;
        return e;
    }
}
