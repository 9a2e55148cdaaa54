package org.kdive.cmd.devices.access;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;

/**
 * The entries of the kernel's index-to-pointer trees in index order: an XArray (also what a
 * radix_tree_root and an IDR are since Linux 4.20) and a maple tree (sparse_irqs since 6.5). Which
 * one a root is comes from its type in the debuginfo. Each node is visited once; a corrupt tree
 * ends the walk with a warning.
 */
public final class IndexedTree {
    /** One non-NULL entry and the first index it covers. */
    public record Entry(long index, long value) {
    }

    private static final int MAX_ENTRIES = 1 << 22;

    private final Kern k;
    private final CommandContext ctx;
    private final List<Entry> entries = new ArrayList<>();
    private final Set<Long> seen = new HashSet<>();

    private IndexedTree(Kern k, CommandContext ctx) {
        this.k = k;
        this.ctx = ctx;
    }

    /** The entries of the struct xarray (or radix_tree_root) at {@code root}. */
    public static List<Entry> xarray(Kern k, long root, CommandContext ctx) {
        IndexedTree t = new IndexedTree(k, ctx);
        String rootType = k.hasMember("xarray", "xa_head") ? "xarray" : "radix_tree_root";
        long head = k.ptr(root + k.off(rootType, "xa_head"));
        if ((head & 3) == 2 && Long.compareUnsigned(head, 4096) > 0) {
            String node = k.hasStruct("xa_node") ? "xa_node" : "radix_tree_node";
            long slots = k.off(node, "slots");
            long shiftOff = k.off(node, "shift");
            long n = k.memberLength(node, "slots");
            if (n <= 0 || Long.bitCount(n) != 1) throw new CommandException("cannot determine the length of " + node + ".slots[]");
            t.xaNode(head & ~3L, 0, slots, shiftOff, (int) n);
        } else if (head != 0) {
            t.entries.add(new Entry(0, head));
        }
        return t.entries;
    }

    private void xaNode(long node, long base, long slotsOff, long shiftOff, int nslots) {
        if (!seen.add(node) || entries.size() >= MAX_ENTRIES) {
            Lists.warn(ctx, "xarray node " + Long.toHexString(node) + " seen twice: the tree is corrupt");
            return;
        }
        if (ctx != null) ctx.checkCancelled();
        int shift;
        byte[] slots;
        try {
            shift = k.u8(node + shiftOff);
            slots = k.memory().read(node + slotsOff, nslots * 8);
        } catch (RuntimeException e) {
            Lists.warn(ctx, "cannot read xarray node " + Long.toHexString(node) + ": " + e.getMessage());
            return;
        }
        for (int i = 0; i < nslots; i++) {
            long v = org.kdive.api.session.Memory.le(java.util.Arrays.copyOfRange(slots, i * 8, i * 8 + 8), 8);
            if (v == 0) continue;
            long index = base + ((long) i << shift);
            boolean internal = (v & 3) == 2;
            if (internal && Long.compareUnsigned(v, 4096) < 0) continue;   // sibling / retry entries
            if (internal && shift > 0) {
                xaNode(v & ~3L, index, slotsOff, shiftOff, nslots);
            } else {
                entries.add(new Entry(index, v));
            }
        }
    }

    // ---- maple tree ---------------------------------------------------------------------------

    private static final int MAPLE_NODE_MASK = 255;
    private static final int TYPE_SHIFT = 3;
    private static final int TYPE_MASK = 15;
    private static final int MAPLE_RANGE_64 = 2;
    private static final int MAPLE_ARANGE_64 = 3;

    /** The entries of the struct maple_tree at {@code root}, each with the first index of its range. */
    public static List<Entry> maple(Kern k, long root, CommandContext ctx) {
        IndexedTree t = new IndexedTree(k, ctx);
        long head = k.ptr(root + k.off("maple_tree", "ma_root"));
        if ((head & 3) == 2 && Long.compareUnsigned(head, 4096) > 0) {
            t.mapleNode(head, 0, -1L);
        } else if (head != 0) {
            t.entries.add(new Entry(0, head));
        }
        return t.entries;
    }

    private void mapleNode(long enode, long min, long max) {
        long node = enode & ~(long) MAPLE_NODE_MASK;
        int type = (int) ((enode >>> TYPE_SHIFT) & TYPE_MASK);
        if (!seen.add(node) || entries.size() >= MAX_ENTRIES) {
            Lists.warn(ctx, "maple node " + Long.toHexString(node) + " seen twice: the tree is corrupt");
            return;
        }
        if (ctx != null) ctx.checkCancelled();
        boolean leaf = type < MAPLE_RANGE_64;
        String kind = type == MAPLE_ARANGE_64 ? "ma64" : "mr64";
        String struct = type == MAPLE_ARANGE_64 ? "maple_arange_64" : "maple_range_64";
        long base = node + k.off("maple_node", kind);
        int nslots = (int) k.memberLength(struct, "slot");
        long pivotOff = k.off(struct, "pivot");
        long slotOff = k.off(struct, "slot");
        long first = min;
        for (int i = 0; i < nslots; i++) {
            long last = max;
            long slot;
            try {
                slot = k.ptr(base + slotOff + 8L * i);
                if (i < nslots - 1) last = k.u64(base + pivotOff + 8L * i);
                else if (slot == 0) break;
            } catch (RuntimeException e) {
                Lists.warn(ctx, "cannot read maple node " + Long.toHexString(node) + ": " + e.getMessage());
                return;
            }
            if (last == 0 && i > 0) break;
            if (leaf) {
                if (slot != 0) entries.add(new Entry(first, slot));
            } else if (slot != 0) {
                mapleNode(slot, first, last);
            }
            if (last == max) break;
            if (Long.compareUnsigned(last, max) > 0) {
                Lists.warn(ctx, "maple node " + Long.toHexString(node) + ": pivot " + i + " beyond its range");
                break;
            }
            first = last + 1;
        }
    }
}
