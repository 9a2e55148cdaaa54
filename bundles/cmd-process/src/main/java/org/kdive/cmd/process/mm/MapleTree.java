package org.kdive.cmd.process.mm;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import org.kdive.api.command.CommandException;
import org.kdive.cmd.process.access.Layout;

/**
 * The entries of a maple tree (Linux 6.1+: mm_struct.mm_mt holds a process's VMAs), in index order,
 * walked the way crash's maple_tree.c walks it: node types from the encoded pointers, a node's
 * slots up to its last pivot. Slot counts and offsets come from the debuginfo's maple types.
 */
public final class MapleTree {
    private static final int DENSE = 0;
    private static final int LEAF_64 = 1;
    private static final int RANGE_64 = 2;
    private static final int ARANGE_64 = 3;
    private static final long NODE_MASK = 0xff;
    /** A tree deeper than this is corrupt (a 64-bit index space needs far fewer levels). */
    private static final int MAX_DEPTH = 32;

    private final Layout k;
    private final long range64Pivot;
    private final long range64Slot;
    private final int range64Slots;
    private final long arange64Pivot;
    private final long arange64Slot;
    private final int arange64Slots;
    private final long denseSlot;
    private final int denseSlots;
    private final Runnable cancelled;

    public MapleTree(Layout k, Runnable checkCancelled) {
        this.k = k;
        this.cancelled = checkCancelled;
        long mr64 = k.requireOffset("maple_node", "mr64");
        long ma64 = k.requireOffset("maple_node", "ma64");
        range64Pivot = mr64 + k.requireOffset("maple_range_64", "pivot");
        range64Slot = mr64 + k.requireOffset("maple_range_64", "slot");
        range64Slots = (int) k.memberCount("maple_range_64", "slot");
        arange64Pivot = ma64 + k.requireOffset("maple_arange_64", "pivot");
        arange64Slot = ma64 + k.requireOffset("maple_arange_64", "slot");
        arange64Slots = (int) k.memberCount("maple_arange_64", "slot");
        denseSlot = k.requireOffset("maple_node", "slot");
        denseSlots = (int) k.memberCount("maple_node", "slot");
        if (range64Slots <= 0 || arange64Slots <= 0) throw new CommandException("maple tree node types have no slot arrays in the debuginfo");
    }

    /** Every non-NULL entry of the tree rooted at {@code tree} (a struct maple_tree *). */
    public List<Long> entries(long tree) {
        List<Long> out = new ArrayList<>();
        walk(tree, out::add);
        return out;
    }

    public void walk(long tree, LongConsumer entry) {
        long root = k.u64(tree + k.requireOffset("maple_tree", "ma_root"));
        if (!isNode(root)) {
            if (root != 0) entry.accept(root);
            return;
        }
        node(root, 0, max(type(root)), 0, entry);
    }

    private static boolean isNode(long e) {
        return (e & 3) == 2 && Long.compareUnsigned(e, 4096) > 0;
    }

    private static int type(long e) {
        return (int) ((e >>> 3) & 0xf);
    }

    private long max(int type) {
        return type == DENSE ? denseSlots : -1L;  // ULONG_MAX for the range types
    }

    private void node(long enode, long min, long max, int depth, LongConsumer entry) {
        if (depth > MAX_DEPTH) throw new CommandException(String.format("maple tree deeper than %d levels at node %x: corrupt", MAX_DEPTH, enode));
        cancelled.run();
        long node = enode & ~NODE_MASK;
        int type = type(enode);
        switch (type) {
            case DENSE -> {
                for (int i = 0; i < denseSlots; i++) {
                    long e = k.u64(node + denseSlot + 8L * i);
                    if (e != 0) entry.accept(e);
                }
            }
            case LEAF_64, RANGE_64 -> ranges(enode, node, range64Pivot, range64Slot, range64Slots, min, max, depth, entry, true);
            case ARANGE_64 -> ranges(enode, node, arange64Pivot, arange64Slot, arange64Slots, min, max, depth, entry, false);
            default -> throw new CommandException(String.format("maple tree node %x has an unknown type %d", enode, type));
        }
    }

    private void ranges(long enode, long node, long pivotOff, long slotOff, int slots, long min, long max, int depth,
            LongConsumer entry, boolean range64) {
        boolean leaf = type(enode) < RANGE_64;
        long[] pivots = new long[slots - 1];
        long[] slot = new long[slots];
        for (int i = 0; i < slots - 1; i++) pivots[i] = k.u64(node + pivotOff + 8L * i);
        for (int i = 0; i < slots; i++) slot[i] = k.u64(node + slotOff + 8L * i);
        long first = min;
        for (int i = 0; i < slots; i++) {
            long last = max;
            if (i < slots - 1) {
                last = pivots[i];
            } else if (slot[i] == 0 && (!range64 || max != max(type(enode)))) {
                break;
            }
            if (last == 0 && i > 0) break;
            if (leaf) {
                if (slot[i] != 0) entry.accept(slot[i]);
            } else if (slot[i] != 0) {
                node(slot[i], first, last, depth + 1, entry);
            }
            if (last == max) break;
            if (Long.compareUnsigned(last, max) > 0) break;
            first = last + 1;
        }
    }
}
