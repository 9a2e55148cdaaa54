package org.kdive.format.support;

import java.util.LinkedHashMap;
import java.util.Map;

/** A small LRU of decoded pages keyed by page frame number, so hot pages decode once. */
public final class PageCache {
    private final Map<Long, byte[]> pages;

    public PageCache(int capacity) {
        this.pages = new LinkedHashMap<>(capacity * 2, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
                return size() > capacity;
            }
        };
    }

    public synchronized byte[] get(long pfn) { return pages.get(pfn); }

    public synchronized void put(long pfn, byte[] page) { pages.put(pfn, page); }
}
