package org.kdive.format.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kdive.api.dump.MemoryAccessException;

/**
 * PagedMemory's split of reads at page boundaries, over the kernel-text segment of the corpus ELF dump
 * (physical 0x26200000 at file offset 0x1340, readelf -lW): each piece a format sees lies in one page,
 * and the pieces put together are the file's bytes.
 */
class PagedMemoryTest {
    private static final long BASE = 0x26200000L, FILE_OFFSET = 0x1340, SIZE = 0x10000;

    /** The segment's first 64 KiB, as a format would hand them out, with every call recorded. */
    private static final class Segment extends PagedMemory {
        final byte[] data = CorpusElf.read(FILE_OFFSET, (int) SIZE);
        final List<long[]> calls = new ArrayList<>();

        Segment(int pageSize) {
            super(pageSize);
        }

        @Override
        protected void readInPage(long paddr, byte[] dst, int off, int len) {
            calls.add(new long[] {paddr, off, len});
            if (paddr < BASE || paddr + len > BASE + SIZE) throw MemoryAccessException.physical(paddr, MemoryAccessException.Reason.NOT_IN_DUMP, null);
            System.arraycopy(data, (int) (paddr - BASE), dst, off, len);
        }

        @Override public long limit() { return BASE + SIZE; }

        @Override public boolean isPresent(long paddr) { return paddr >= BASE && paddr < BASE + SIZE; }

        @Override public long nextPresent(long paddr) { return paddr < BASE ? BASE : paddr < BASE + SIZE ? paddr & ~(pageSize - 1L) : -1; }
    }

    @Test
    void aReadAcrossThreePagesIsThreePieces() {
        Segment m = new Segment(4096);
        byte[] dst = new byte[8 + 2 * 4096];
        m.read(BASE + 4096 - 100, dst, 8, 100 + 4096 + 20);
        assertEquals(List.of("26200f9c/8/100", "26201000/108/4096", "26202000/4204/20"), calls(m));
        byte[] want = CorpusElf.read(FILE_OFFSET + 4096 - 100, 100 + 4096 + 20);
        assertArrayEquals(want, java.util.Arrays.copyOfRange(dst, 8, 8 + want.length));
        assertEquals(Long.toHexString(m.readLong(BASE + 4096 - 4)), Long.toHexString(Le.i64(m.data, 4096 - 4)), "a u64 straddling two pages");
    }

    @Test
    void otherPageSizesSplitAtTheirBoundaries() {
        Segment m = new Segment(16384);
        m.read(BASE + 16384 - 1, new byte[2], 0, 2);
        assertEquals(List.of("26203fff/0/1", "26204000/1/1"), calls(m));
        assertEquals(16384, m.pageSize());
    }

    @Test
    void badArgumentsAndMissingPages() {
        assertThrows(IllegalArgumentException.class, () -> new Segment(3000));
        Segment m = new Segment(4096);
        assertThrows(IndexOutOfBoundsException.class, () -> m.read(BASE, new byte[10], 5, 6));
        assertEquals(List.of(), calls(m), "nothing read for a destination too small");
        MemoryAccessException e = assertThrows(MemoryAccessException.class, () -> m.read(BASE + SIZE - 8, new byte[16], 0, 16));
        assertEquals(BASE + SIZE, e.address(), "the first byte not in the dump is named");
        assertEquals(MemoryAccessException.Reason.NOT_IN_DUMP, e.reason());
    }

    private static List<String> calls(Segment m) {
        List<String> out = new ArrayList<>();
        for (long[] c : m.calls) out.add(Long.toHexString(c[0]) + "/" + c[1] + "/" + c[2]);
        return out;
    }
}
