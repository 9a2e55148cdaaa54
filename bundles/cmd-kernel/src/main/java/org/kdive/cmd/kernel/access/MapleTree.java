package org.kdive.cmd.kernel.access;

import java.util.HashSet;
import java.util.Set;
import org.kdive.api.command.CommandException;
import org.kdive.api.symbols.Type;

/**
 * A walk over a maple tree (Linux 6.1+: mm_struct.mm_mt, 6.5+'s sparse_irqs) in the order and with
 * the ranges crash's `tree -t maple` shows: a node's type sits in bits 3-6 of the encoded pointer,
 * range_64 nodes (and leaf_64 leaves) hold pivots and slots, arange_64 nodes add gaps and
 * metadata. Every layout and constant that the kernel defines in code (slot counts, type numbers)
 * is read from the dump: mt_slots[], enum maple_type and the structures' members. Each node is
 * visited once, so a corrupt tree ends the walk with a problem instead of looping.
 */
public final class MapleTree {
    private static final long NODE_MASK = 255;
    private static final int TYPE_SHIFT = 3;
    private static final long TYPE_MASK = 0x0f;
    private static final long RESERVED_RANGE = 4096;
    private static final long ZERO_ENTRY = (257L << 2) | 2;
    private static final long HEIGHT_MASK = 0x7c;
    private static final int HEIGHT_SHIFT = 2;
    private static final int MAX_NODES = 1 << 20;

    /** What the walk reports, in crash's order. */
    public interface Visitor {
        /** The tree's header line (-v, a root walk only). */
        void tree(long address, long flags, int height, long root);

        /** A node met at {@code depth} covering min..max (-v prints it before its contents). */
        void node(long node, int type, long min, long max, int depth, long parent, String contents);

        /** A slot of a leaf (entry may be 0); {@code index} counts from 1 over non-NULL entries. */
        void entry(long entry, long min, long max, int depth, String path, int slot);

        /** crash's message for a pivot beyond its node's maximum (the walk of that node stops). */
        void badPivot(String message);
    }

    private final Kernel k;
    private final int dense;
    private final int leaf64;
    private final int range64;
    private final int arange64;
    private final int[] slots;
    private final long nodeSize;
    private final long parentOff;
    private final long slotOff;
    private final long mr64Off;
    private final long ma64Off;
    private final long rPivotOff;
    private final long rSlotOff;
    private final long aPivotOff;
    private final long aSlotOff;
    private final long aGapOff;
    private final long aMetaOff;
    private final long metaEndOff;
    private final long metaGapOff;
    private final Set<Long> seen = new HashSet<>();
    private Visitor visitor;
    private boolean verbose;
    private String problem;

    public MapleTree(Kernel k) {
        this.k = k;
        if (k.type("struct maple_tree").isEmpty() || k.type("struct maple_node").isEmpty() || !k.hasSymbol("mt_slots")) {
            throw new CommandException("maple trees do not exist in this kernel");
        }
        Type types = k.type("enum maple_type").orElseThrow(() -> new CommandException("enum maple_type: not in the debuginfo"));
        dense = (int) enumerator(types, "maple_dense");
        leaf64 = (int) enumerator(types, "maple_leaf_64");
        range64 = (int) enumerator(types, "maple_range_64");
        arange64 = (int) enumerator(types, "maple_arange_64");
        int n = (int) Math.max(4, k.arrayLength("mt_slots"));
        long at = k.requireSymbol("mt_slots");
        slots = new int[n];
        for (int i = 0; i < n; i++) slots[i] = k.memory().u8(at + i);
        nodeSize = k.requireSize("maple_node");
        parentOff = k.requireOffset("maple_node", "parent");
        slotOff = k.requireOffset("maple_node", "slot");
        mr64Off = k.requireOffset("maple_node", "mr64");
        ma64Off = k.requireOffset("maple_node", "ma64");
        rPivotOff = k.requireOffset("maple_range_64", "pivot");
        rSlotOff = k.requireOffset("maple_range_64", "slot");
        aPivotOff = k.requireOffset("maple_arange_64", "pivot");
        aSlotOff = k.requireOffset("maple_arange_64", "slot");
        aGapOff = k.requireOffset("maple_arange_64", "gap");
        aMetaOff = k.requireOffset("maple_arange_64", "meta");
        metaEndOff = k.requireOffset("maple_metadata", "end");
        metaGapOff = k.requireOffset("maple_metadata", "gap");
    }

    private static long enumerator(Type t, String name) {
        return t.enumeratorValue(name).orElseThrow(() -> new CommandException("enum maple_type has no " + name));
    }

    /** Walks the tree of the struct maple_tree at {@code tree}. */
    public void walkRoot(long tree, boolean verbose, Visitor v) {
        this.visitor = v;
        this.verbose = verbose;
        long root = k.u64(tree + k.requireOffset("maple_tree", "ma_root"));
        long flags = k.u32(tree + k.requireOffset("maple_tree", "ma_flags"));
        if (verbose) v.tree(tree, flags, (int) ((flags & HEIGHT_MASK) >>> HEIGHT_SHIFT), root);
        if (!isNode(root)) {
            v.entry(root, 0, 0, 0, "", 0);
        } else {
            node(root, 0, max(type(root)), 0, "root");
        }
    }

    /** Walks from an encoded node pointer (crash's -N), its position "direct". */
    public void walkNode(long encoded, boolean verbose, Visitor v) {
        this.visitor = v;
        this.verbose = verbose;
        node(encoded, 0, max(type(encoded)), 0, "direct");
    }

    /** Why the walk ended early, or null. */
    public String problem() { return problem; }

    private static boolean isNode(long entry) {
        return (entry & 3) == 2 && Long.compareUnsigned(entry, RESERVED_RANGE) > 0;
    }

    private int type(long entry) {
        return (int) ((entry >>> TYPE_SHIFT) & TYPE_MASK);
    }

    private long max(int type) {
        return type == dense ? slots[dense] : -1L;
    }

    private boolean isLeaf(int type) {
        return type < range64;
    }

    /** crash's text of one entry's value under -v. */
    public static String describe(long entry) {
        if ((entry & 1) != 0) return String.format("value %d (0x%x) [0x%x]", entry >>> 1, entry >>> 1, entry);
        if (entry == ZERO_ENTRY) return "zero (" + (entry >>> 2) + ")";
        if (Long.compareUnsigned(entry, RESERVED_RANGE) < 0 && (entry & 3) == 2) return String.format("UNKNOWN ENTRY (0x%x)", entry);
        return "0x" + Long.toHexString(entry);
    }

    private void node(long encoded, long min, long max, int depth, String path) {
        if (problem != null) return;
        long node = encoded & ~NODE_MASK;
        int type = type(encoded);
        if (!seen.add(node) || seen.size() > MAX_NODES) {
            problem = String.format("duplicate maple node: %x", node);
            return;
        }
        byte[] buf;
        try {
            buf = k.memory().read(node, (int) nodeSize);
        } catch (RuntimeException e) {
            problem = String.format("cannot read maple node %x: %s", node, e.getMessage());
            return;
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(buf).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        if (type == dense) {
            if (verbose) visitor.node(node, type, min, max, depth, b.getLong((int) parentOff), "");
            for (int i = 0; i < slots[dense]; i++) {
                visitor.entry(b.getLong((int) (slotOff + 8L * i)), min + i, min + i, depth, path, i);
            }
        } else if (type == leaf64 || type == range64) {
            walkRange(b, encoded, type, node, min, max, depth, path, mr64Off + rPivotOff, mr64Off + rSlotOff, slots[range64], false);
        } else if (type == arange64) {
            walkRange(b, encoded, type, node, min, max, depth, path, ma64Off + aPivotOff, ma64Off + aSlotOff, slots[arange64], true);
        } else {
            if (verbose) visitor.node(node, type, min, max, depth, b.getLong((int) parentOff), null);
            problem = "maple node " + Long.toHexString(node) + " has an unknown type " + type;
        }
    }

    private void walkRange(java.nio.ByteBuffer b, long encoded, int type, long node, long min, long max, int depth, String path,
            long pivotOff, long slotsOff, int count, boolean arange) {
        if (verbose) visitor.node(node, type, min, max, depth, b.getLong((int) parentOff), contents(b, pivotOff, slotsOff, count, arange));
        boolean leaf = isLeaf(type);
        long first = min;
        for (int i = 0; i < count; i++) {
            long slot = b.getLong((int) (slotsOff + 8L * i));
            long last = max;
            if (i < count - 1) {
                last = b.getLong((int) (pivotOff + 8L * i));
            } else if (slot == 0 && (arange || max != max(type(encoded)))) {
                break;
            }
            if (last == 0 && i > 0) break;
            if (leaf) {
                visitor.entry(slot, first, last, depth + 1, path, i);
            } else if (slot != 0) {
                node(slot, first, last, depth + 1, path + "/" + i);
                if (problem != null) return;
            }
            if (last == max) break;
            if (Long.compareUnsigned(last, max) > 0) {
                visitor.badPivot(String.format("node %x last (%s) > max (%s) at pivot %d!", node, Long.toUnsignedString(last),
                        Long.toUnsignedString(max), i));
                break;
            }
            first = last + 1;
        }
    }

    /** crash's " contents: ..." of a node under -v. */
    private String contents(java.nio.ByteBuffer b, long pivotOff, long slotsOff, int count, boolean arange) {
        StringBuilder sb = new StringBuilder(" contents: ");
        if (arange) {
            for (int i = 0; i < count; i++) sb.append(Long.toUnsignedString(b.getLong((int) (aGapOffIn() + 8L * i)))).append(' ');
            long meta = ma64Off + aMetaOff;
            sb.append(String.format("| %02X %02X| ", b.get((int) (meta + metaEndOff)) & 0xff, b.get((int) (meta + metaGapOff)) & 0xff));
        }
        int i = 0;
        for (; i < count - 1; i++) {
            sb.append(pointer(b.getLong((int) (slotsOff + 8L * i)))).append(' ')
                    .append(Long.toUnsignedString(b.getLong((int) (pivotOff + 8L * i)))).append(' ');
        }
        sb.append(pointer(b.getLong((int) (slotsOff + 8L * i))));
        return sb.toString();
    }

    private long aGapOffIn() {
        return ma64Off + aGapOff;
    }

    /** C's %p: "(nil)" or 0x and hex digits. */
    public static String pointer(long p) {
        return p == 0 ? "(nil)" : "0x" + Long.toHexString(p);
    }
}
