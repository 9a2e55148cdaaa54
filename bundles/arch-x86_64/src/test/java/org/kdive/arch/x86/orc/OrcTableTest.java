package org.kdive.arch.x86.orc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * Tables read where they lie (a mapped section: a buffer with a position of its own), and the
 * sortedness check that decides whether they can be: starts that ascend as distances but wrap past
 * 2^64 in between are not sorted, and get the sorted copy.
 */
class OrcTableTest {
    /** Slots for these absolute starts (each relative to its own slot), after {@code pad} bytes. */
    private static ByteBuffer slots(long ipAddress, int pad, long... starts) {
        ByteBuffer b = ByteBuffer.allocate(pad + 4 * starts.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < starts.length; i++) b.putInt(pad + 4 * i, (int) (starts[i] - (ipAddress + 4L * i)));
        return b.position(pad);
    }

    /** Entries whose sp offsets are 8, 16, 24 ... in slot order, after {@code pad} bytes. */
    private static ByteBuffer entries(int pad, int count) {
        ByteBuffer b = ByteBuffer.allocate(pad + OrcEntry.SIZE * count);
        for (int i = 0; i < count; i++) {
            b.put(pad + OrcEntry.SIZE * i, (byte) (8 * (i + 1))).put(pad + OrcEntry.SIZE * i + 4, (byte) 0x05);
        }
        return b.position(pad);
    }

    @Test
    void aSortedTableIsReadInPlaceFromItsBuffersPosition() {
        long ip = 0xffffffff82000000L, text = 0xffffffff81000000L;
        OrcTable t = OrcTable.fromSections("vmlinux", slots(ip, 12, text, text + 0x10, text + 0x40),
                ip, entries(6, 3), text, text + 0x100, false);
        assertEquals(3, t.size());
        assertEquals(8, t.find(text).spOffset());
        assertEquals(8, t.find(text + 0x0f).spOffset());
        assertEquals(16, t.find(text + 0x3f).spOffset());
        assertEquals(24, t.find(text + 0xff).spOffset());
        assertNull(t.find(text - 1));
        assertNull(t.find(text + 0x100));
    }

    @Test
    void startsThatWrapPastTheTopOfTheAddressSpaceAreSortedAsAddresses() {
        long ip = 0xfffffffffffffff0L;
        // ascending as distances from the first slot, but the last wraps to 0x10: the lowest address
        OrcTable t = OrcTable.fromSections("m", slots(ip, 0, 0xfffffffffffffff0L, 0xfffffffffffffff8L, 0x10L),
                ip, entries(0, 3), 0, -1L, false);
        assertEquals(24, t.find(0x10L).spOffset());
        assertEquals(24, t.find(0x20L).spOffset());
        assertEquals(8, t.find(0xfffffffffffffff4L).spOffset());
        assertEquals(16, t.find(0xfffffffffffffffaL).spOffset());
        assertNull(t.find(0x0fL));
    }
}
