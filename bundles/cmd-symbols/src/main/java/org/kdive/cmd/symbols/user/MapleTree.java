package org.kdive.cmd.symbols.user;

import org.kdive.api.session.Session;
import org.kdive.api.symbols.Type;

/**
 * Lookups in a kernel maple tree (Linux 6.1+: a process's VMAs in {@code mm->mm_mt}), read from the
 * dump: an encoded node pointer carries its type in bits 3-6; range nodes hold pivots (each slot's
 * last index) and slots (children, or entries in leaves). Layouts come from the kernel's types.
 */
final class MapleTree {
    private static final int MAX_DEPTH = 32;
    private static final int LEAF_64 = 1;
    private static final int RANGE_64 = 2;
    private static final int ARANGE_64 = 3;

    private MapleTree() {
    }

    /** The entry whose range holds {@code index}, 0 when none. */
    static long find(Session s, long tree, long index) {
        long entry = s.memory().u64(tree + UserSpace.off(s, "maple_tree", "ma_root"));
        long max = -1L;
        for (int depth = 0; depth < MAX_DEPTH; depth++) {
            if (!isNode(entry)) return index == 0 ? entry : 0; // a tree of one entry at index 0
            Node n = node(s, entry);
            long[] pivots = n.pivots();
            int slot = -1;
            long slotMax = max;
            for (int i = 0; i < n.slots(); i++) {
                long pivot = i < pivots.length ? pivots[i] : max;
                if (i > 0 && pivot == 0) pivot = max; // past the node's data: the rest up to its max
                if (Long.compareUnsigned(index, pivot) <= 0) {
                    slot = i;
                    slotMax = pivot;
                    break;
                }
            }
            if (slot < 0) return 0;
            entry = s.memory().u64(n.address() + n.slotOffset() + 8L * slot);
            if (n.leaf()) return entry;
            max = slotMax;
        }
        return 0;
    }

    /** The first (lowest) entry of the tree, 0 when empty. */
    static long first(Session s, long tree) {
        long entry = s.memory().u64(tree + UserSpace.off(s, "maple_tree", "ma_root"));
        for (int depth = 0; depth < MAX_DEPTH; depth++) {
            if (!isNode(entry)) return entry;
            Node n = node(s, entry);
            long next = 0;
            for (int i = 0; i < n.slots() && next == 0; i++) next = s.memory().u64(n.address() + n.slotOffset() + 8L * i);
            if (n.leaf()) return next;
            entry = next;
        }
        return 0;
    }

    private static boolean isNode(long entry) {
        return (entry & 3) == 2 && Long.compareUnsigned(entry, 4096) > 0;
    }

    private record Node(long address, boolean leaf, long[] pivots, int slots, long slotOffset) {
    }

    private static Node node(Session s, long entry) {
        int type = (int) ((entry >>> 3) & 0xf);
        long address = entry & ~0xffL;
        String struct = type == ARANGE_64 ? "maple_arange_64" : "maple_range_64";
        if (type != ARANGE_64 && type != RANGE_64 && type != LEAF_64) {
            throw new org.kdive.api.command.CommandException(String.format("maple tree node %x: type %d is not a 64-bit range node", entry, type));
        }
        Type t = s.symbols().type("struct " + struct).orElseThrow(() -> new org.kdive.api.command.CommandException("struct " + struct + " is not known"));
        long pivotOff = UserSpace.off(s, struct, "pivot");
        long slotOff = UserSpace.off(s, struct, "slot");
        int nPivots = (int) org.kdive.cmd.symbols.types.OffsetLayout.findMember(t, "pivot").orElseThrow().type().resolve().count();
        int nSlots = (int) org.kdive.cmd.symbols.types.OffsetLayout.findMember(t, "slot").orElseThrow().type().resolve().count();
        long[] pivots = new long[nPivots];
        byte[] raw = s.memory().read(address + pivotOff, 8 * nPivots);
        java.nio.ByteBuffer.wrap(raw).order(s.arch().byteOrder()).asLongBuffer().get(pivots);
        return new Node(address, type == LEAF_64, pivots, nSlots, slotOff);
    }
}
