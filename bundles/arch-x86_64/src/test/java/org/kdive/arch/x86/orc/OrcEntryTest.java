package org.kdive.arch.x86.orc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Both orc_entry bit layouts, and lookups in an unsorted table. */
class OrcEntryTest {
    private static byte[] entry(int sp, int bp, int bits) {
        return new byte[] {(byte) sp, (byte) (sp >> 8), (byte) bp, (byte) (bp >> 8), (byte) bits, (byte) (bits >> 8)};
    }

    @Test
    void layoutBefore64() {
        // sp:sp+88 bp:prevsp-24 call  (machine_kexec+446 in the corpus vmlinux)
        OrcEntry e = OrcEntry.decode(entry(88, -24, 0x15), 0, false);
        assertEquals(new OrcEntry(88, -24, OrcEntry.REG_SP, OrcEntry.REG_PREV_SP, OrcEntry.TYPE_CALL, false), e);
        // regs, end
        e = OrcEntry.decode(entry(0, 0, 0x05 | (1 << 8) | (1 << 10)), 0, false);
        assertEquals(OrcEntry.TYPE_REGS, e.type());
        assertTrue(e.end());
        assertTrue(OrcEntry.decode(entry(0, 0, 0), 0, false).isUndefined());
    }

    @Test
    void layoutWithHeader() {
        OrcEntry call = OrcEntry.decode(entry(16, 0, 0x05 | (2 << 8)), 0, true);
        assertEquals(new OrcEntry(16, 0, OrcEntry.REG_SP, 0, OrcEntry.TYPE_CALL, false), call);
        assertEquals(OrcEntry.TYPE_REGS_PARTIAL, OrcEntry.decode(entry(0, 0, 0x05 | (4 << 8)), 0, true).type());
        OrcEntry end = OrcEntry.decode(entry(0, 0, 1 << 8), 0, true);
        assertEquals(OrcEntry.REG_UNDEFINED, end.spReg());
        assertTrue(end.end());
        assertTrue(OrcEntry.decode(entry(0, 0, 0x05), 0, true).isUndefined());
    }

    @Test
    void unsortedTableIsSorted() {
        long base = 0xffffffffc0000000L;
        // three relative ip slots at base: +0x20, +0x00, +0x10 (relative to each slot address)
        byte[] ips = new byte[12];
        int[] targets = {0x20, 0x00, 0x10};
        for (int i = 0; i < 3; i++) {
            int rel = targets[i] - 4 * i;
            ips[4 * i] = (byte) rel;
            ips[4 * i + 1] = (byte) (rel >> 8);
            ips[4 * i + 2] = (byte) (rel >> 16);
            ips[4 * i + 3] = (byte) (rel >> 24);
        }
        byte[] orcs = new byte[18];
        System.arraycopy(entry(24, 0, 0x05), 0, orcs, 0, 6);
        System.arraycopy(entry(8, 0, 0x05), 0, orcs, 6, 6);
        System.arraycopy(entry(16, 0, 0x05), 0, orcs, 12, 6);
        OrcTable t = OrcTable.fromSections("m", ips, base, orcs, base, base + 0x40);
        assertEquals(8, t.find(base + 0x0f).spOffset());
        assertEquals(16, t.find(base + 0x10).spOffset());
        assertEquals(24, t.find(base + 0x3f).spOffset());
        assertNull(t.find(base + 0x40));
        assertNull(t.find(base - 1));
    }
}
