package org.kdive.cmd.kernel.commands;

import org.kdive.api.kernel.MapleTree;

/** crash's text for the pieces of a maple tree that `tree -t maple -v` prints. */
final class MapleText {
    /** An xarray entry tagged internal with value 257 (XA_ZERO_ENTRY). */
    private static final long ZERO_ENTRY = (257L << 2) | 2;
    /** Internal xarray entries below this are no pointers. */
    private static final long RESERVED_RANGE = 4096;

    private MapleText() {
    }

    /** crash's text of one entry's value under -v. */
    static String describe(long entry) {
        if ((entry & 1) != 0) return String.format("value %d (0x%x) [0x%x]", entry >>> 1, entry >>> 1, entry);
        if (entry == ZERO_ENTRY) return "zero (" + (entry >>> 2) + ")";
        if (Long.compareUnsigned(entry, RESERVED_RANGE) < 0 && (entry & 3) == 2) return String.format("UNKNOWN ENTRY (0x%x)", entry);
        return "0x" + Long.toHexString(entry);
    }

    /** C's %p: "(nil)" or 0x and hex digits. */
    static String pointer(long p) {
        return p == 0 ? "(nil)" : "0x" + Long.toHexString(p);
    }

    /**
     * crash's " contents: ..." of a node under -v: an arange node's gaps and metadata, then slots
     * and pivots alternating; "" for a dense node, null for a node of unknown type.
     */
    static String contents(MapleTree.Node n) {
        if (n.kind() == MapleTree.Kind.UNKNOWN) return null;
        if (n.kind() == MapleTree.Kind.DENSE) return "";
        StringBuilder sb = new StringBuilder(" contents: ");
        if (n.gaps() != null) {
            for (long gap : n.gaps()) sb.append(Long.toUnsignedString(gap)).append(' ');
            sb.append(String.format("| %02X %02X| ", n.metaEnd() & 0xff, n.metaGap() & 0xff));
        }
        long[] slots = n.slots();
        long[] pivots = n.pivots();
        int i = 0;
        for (; i < slots.length - 1; i++) sb.append(pointer(slots[i])).append(' ').append(Long.toUnsignedString(pivots[i])).append(' ');
        sb.append(pointer(slots[i]));
        return sb.toString();
    }
}
