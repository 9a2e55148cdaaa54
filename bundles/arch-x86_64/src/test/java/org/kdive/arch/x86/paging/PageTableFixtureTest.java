package org.kdive.arch.x86.paging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.api.dump.PhysicalMemory;

/** 4- and 5-level walks over page tables built in a byte array, with 4K, 2M and 1G pages. */
class PageTableFixtureTest {
    /** Physical memory backed by a byte array; everything outside it is "not in dump". */
    static final class ArrayMemory implements PhysicalMemory {
        final ByteBuffer buf;

        ArrayMemory(int size) {
            buf = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        }

        void put(long paddr, long value) {
            buf.putLong((int) paddr, value);
        }

        @Override public int pageSize() { return 4096; }

        @Override public long limit() { return buf.capacity(); }

        @Override
        public void read(long paddr, byte[] dst, int off, int len) {
            if (paddr < 0 || paddr + len > buf.capacity()) {
                throw MemoryAccessException.physical(paddr, MemoryAccessException.Reason.NOT_IN_DUMP, null);
            }
            buf.get((int) paddr, dst, off, len);
        }

        @Override public boolean isPresent(long paddr) { return paddr >= 0 && paddr < buf.capacity(); }

        @Override public long nextPresent(long paddr) { return paddr < buf.capacity() ? Math.max(paddr, 0) & ~0xfffL : -1; }
    }

    private static final long P = 1;      // present
    private static final long RW = 2;
    private static final long PS = 1 << 7; // large page
    private static final long NX = 1L << 63;

    private static long idx(long v, int shift) {
        return (v >>> shift) & 0x1ff;
    }

    @Test
    void fourLevelWalks() {
        ArrayMemory m = new ArrayMemory(64 * 4096);
        long pgd = 0x1000, pud = 0x2000, pmd = 0x3000, pte = 0x4000;
        long small = 0xffff888000201234L;    // 4K page → 0x9000
        long medium = 0xffff888000400000L + 0x1234; // 2M page → 0x3c00000
        long huge = 0xffff888040000000L + 0x12345678L; // 1G page (next PUD slot) → 0x80000000
        m.put(pgd + 8 * idx(small, 39), pud | P | RW);
        m.put(pud + 8 * idx(small, 30), pmd | P | RW);
        m.put(pud + 8 * idx(huge, 30), 0x80000000L | P | RW | PS | NX);
        m.put(pmd + 8 * idx(small, 21), pte | P | RW);
        m.put(pmd + 8 * idx(medium, 21), 0x3c00000L | P | RW | PS);
        m.put(pte + 8 * idx(small, 12), 0x9000L | P | RW | NX);

        PageTableWalker w = new PageTableWalker(m, false, 0x1000000L, pgd, 0);
        assertEquals(0x9234L, w.kernelToPhysical(small));
        assertEquals(0x3c01234L, w.kernelToPhysical(medium));
        assertEquals(0x80000000L + 0x12345678L, w.kernelToPhysical(huge));
        // cached large-page translations cover the whole page
        assertEquals(0x80000000L + 0x3fffffffL, w.kernelToPhysical(0xffff888040000000L + 0x3fffffffL));
        assertEquals(0x3c00000L + 0x1fffffL, w.toPhysical(pgd, 0xffff888000400000L + 0x1fffffL));
        // kernel image mapping: through the page table like any address, so its unmapped parts fail
        long img = 0xffffffff80001234L;
        MemoryAccessException unmapped = assertThrows(MemoryAccessException.class, () -> w.kernelToPhysical(img));
        assertEquals(MemoryAccessException.Reason.UNMAPPED, unmapped.reason());
        assertTrue(unmapped.getMessage().startsWith("pgd entry not present"), unmapped.getMessage());
        assertFalse(w.walk(pgd, img, pgd).mapped());
        m.put(pgd + 8 * idx(img, 39), 0x5000L | P | RW);
        m.put(0x5000L + 8 * idx(img, 30), 0x6000L | P | RW);
        m.put(0x6000L + 8 * idx(img, 21), 0x1000000L | P | RW | PS);
        PageTableWalker mapped = new PageTableWalker(m, false, 0x1000000L, pgd, 0);
        assertEquals(0x1000000L + 0x1234L, mapped.kernelToPhysical(img));
        // phys_base only where the table cannot tell: no kernel page table, or one the dump lacks
        assertEquals(0x1000000L + 0x1234L, new PageTableWalker(m, false, 0x1000000L, -1, 0).kernelToPhysical(img));
        m.put(0x6000L + 8 * idx(img, 21), 0x900000L | P | RW);
        assertEquals(0x1000000L + 0x1234L, new PageTableWalker(m, false, 0x1000000L, pgd, 0).kernelToPhysical(img));

        MemoryAccessException e = assertThrows(MemoryAccessException.class, () -> w.kernelToPhysical(small + 0x1000));
        assertEquals(MemoryAccessException.Reason.UNMAPPED, e.reason());
        assertTrue(e.getMessage().startsWith("pte entry not present at physical 0x4010 (entry 0x0)"), e.getMessage());
        e = assertThrows(MemoryAccessException.class, () -> w.kernelToPhysical(0xffff880000000000L));
        assertTrue(e.getMessage().startsWith("pgd entry not present"), e.getMessage());
        e = assertThrows(MemoryAccessException.class, () -> w.kernelToPhysical(0xffff888080000000L));
        assertTrue(e.getMessage().startsWith("pud entry not present"), e.getMessage());
        e = assertThrows(MemoryAccessException.class, () -> w.kernelToPhysical(0xffff888000600000L));
        assertTrue(e.getMessage().startsWith("pmd entry not present"), e.getMessage());
        // 48-bit canonical only
        e = assertThrows(MemoryAccessException.class, () -> w.kernelToPhysical(0xff00888000000000L));
        assertTrue(e.getMessage().startsWith("non-canonical"), e.getMessage());

        // crash 8.0.6 calls the top table PGD with 4 levels too (the made 4-level dumps' `vtop` references)
        assertEquals(List.of(
                "PGD DIRECTORY: 1000",
                String.format("PAGE DIRECTORY: %x", pud | P | RW),
                String.format("   PUD: %x => %x", pud + 8 * idx(medium, 30), pmd | P | RW),
                String.format("   PMD: %x => %x", pmd + 8 * idx(medium, 21), 0x3c00000L | P | RW | PS),
                "  PAGE: 3c00000  (2MB)"), w.walk(pgd, medium, pgd).lines());
    }

    @Test
    void fiveLevelWalksAndUserTables() {
        ArrayMemory m = new ArrayMemory(64 * 4096);
        long pgd = 0x1000, p4d = 0x2000, pud = 0x3000, pmd = 0x4000, pte = 0x5000;
        long v = 0xff22839882345678L;
        m.put(pgd + 8 * idx(v, 48), p4d | P);
        m.put(p4d + 8 * idx(v, 39), pud | P);
        m.put(pud + 8 * idx(v, 30), pmd | P);
        m.put(pmd + 8 * idx(v, 21), pte | P);
        m.put(pte + 8 * idx(v, 12), 0x7000 | P);
        // a user table elsewhere: 0x10000 → ... maps 0x400000 with a 2M page
        long upgd = 0x10000, up4d = 0x11000, upud = 0x12000, upmd = 0x13000;
        long u = 0x400123L;
        m.put(upgd, up4d | P | 4);
        m.put(up4d, upud | P | 4);
        m.put(upud, upmd | P | 4);
        m.put(upmd + 8 * idx(u, 21), 0x800000L | P | 4 | PS);

        PageTableWalker w = new PageTableWalker(m, true, 0, pgd, 0);
        assertEquals(0x7678L, w.kernelToPhysical(v));
        assertEquals(0x800123L, w.toPhysical(upgd, u));
        MemoryAccessException e = assertThrows(MemoryAccessException.class, () -> w.kernelToPhysical(v ^ (1L << 39)));
        assertTrue(e.getMessage().startsWith("p4d entry not present"), e.getMessage());
        // page tables outside the dump: the reason of the physical read, naming the level
        m.put(pmd + 8 * idx(v, 21) + 8, 0x900000L | P);
        e = assertThrows(MemoryAccessException.class, () -> w.kernelToPhysical(v + 0x200000));
        assertEquals(MemoryAccessException.Reason.NOT_IN_DUMP, e.reason());
        assertTrue(e.getMessage().startsWith("pte entry at physical 0x9"), e.getMessage());
        // 57-bit addresses are canonical with 5 levels
        assertThrows(MemoryAccessException.class, () -> w.kernelToPhysical(0xff00000000000000L));
        List<String> steps = w.walk(pgd, v, 0xffffffff82a10000L).lines();
        assertEquals("PGD DIRECTORY: ffffffff82a10000", steps.get(0));
        assertEquals(String.format("   P4D: %x => %x", p4d + 8 * idx(v, 39), pud | P), steps.get(2));
        assertEquals("  PAGE: 7000", steps.get(steps.size() - 1));
    }
}
