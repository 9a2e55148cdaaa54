package org.kdive.format.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The LRU of decoded pages, filled with pages of the corpus ELF dump's kernel text. */
class PageCacheTest {
    /** Three pages of the kernel-text PT_LOAD (file offset 0x1340 of vmcore.elf-d31). */
    private static final byte[][] PAGES = {CorpusElf.read(0x1340, 4096), CorpusElf.read(0x2340, 4096), CorpusElf.read(0x3340, 4096)};

    @Test
    void theLeastRecentlyUsedPageGoes() {
        PageCache c = new PageCache(2);
        c.put(10, PAGES[0]);
        c.put(11, PAGES[1]);
        assertSame(PAGES[0], c.get(10)); // 10 is now the most recently used
        c.put(12, PAGES[2]);
        assertNull(c.get(11), "11 was the least recently used");
        assertSame(PAGES[0], c.get(10));
        assertSame(PAGES[2], c.get(12));
    }

    @Test
    void copyReadsAPieceOfACachedPageOnly() {
        PageCache c = new PageCache(4);
        byte[] dst = new byte[64];
        assertFalse(c.copy(10, 0, dst, 0, 16));
        assertArrayEquals(new byte[64], dst, "nothing copied for a page not cached");
        c.put(10, PAGES[1]);
        assertTrue(c.copy(10, 4000, dst, 8, 56));
        assertArrayEquals(Arrays.copyOfRange(PAGES[1], 4000, 4056), Arrays.copyOfRange(dst, 8, 64));
        assertArrayEquals(new byte[8], Arrays.copyOfRange(dst, 0, 8));
    }

    @Test
    void putRecyclingHandsBackTheEvictedArray() {
        PageCache c = new PageCache(2);
        assertNull(c.putRecycling(1, PAGES[0].clone()));
        byte[] second = PAGES[1].clone();
        assertNull(c.putRecycling(2, second));
        byte[] third = PAGES[2].clone();
        byte[] back = c.putRecycling(3, third);
        byte[] dst = new byte[4096];
        assertTrue(c.copy(2, 0, dst, 0, 4096));
        assertArrayEquals(PAGES[1], dst);
        assertFalse(c.copy(1, 0, dst, 0, 1));
        assertArrayEquals(PAGES[0], back, "the evicted page 1's array, for the next decode");
        // an overwrite of a cached pfn evicts nothing
        assertNull(c.putRecycling(3, PAGES[0].clone()));
        assertSame(second, c.get(2));
    }
}
