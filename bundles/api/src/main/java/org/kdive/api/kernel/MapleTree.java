package org.kdive.api.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Set;
import java.util.function.LongConsumer;
import org.kdive.api.command.CommandException;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Type;

/**
 * The one walker of the kernel's maple trees (Linux 6.1+: a process's VMAs in mm_struct.mm_mt, 6.5+'s
 * sparse_irqs), for every command: nodes and entries in index order, as crash's maple_tree.c walks
 * them. An encoded node pointer carries the node's type in bits 3-6; range_64 nodes (and leaf_64
 * leaves) hold pivots (each slot's last index) and slots, arange_64 nodes add gaps and metadata,
 * dense nodes hold one entry per index. The type numbers come from the debuginfo's enum maple_type,
 * slot and pivot counts from the lengths of the structures' arrays, offsets from their members.
 * <p>
 * Bounded: a node met twice, a tree deeper than {@link #MAX_DEPTH} or larger than {@link #MAX_NODES}
 * nodes, an unknown node type or an unreadable node ends the walk with a {@link DamagedTreeException}
 * (what the visitor got before stays valid).
 */
public final class MapleTree {
    /** Deeper is corrupt: the kernel's MAPLE_HEIGHT_MAX is 31 levels. */
    public static final int MAX_DEPTH = 32;
    /** More nodes than this in one walk (millions of entries) is taken for a damaged tree. */
    public static final int MAX_NODES = 1 << 20;
    // include/linux/maple_tree.h macros, not in the debuginfo
    private static final long NODE_MASK = 255;
    private static final int TYPE_SHIFT = 3;
    private static final long TYPE_MASK = 0x0f;
    private static final long HEIGHT_MASK = 0x7c;
    private static final int HEIGHT_SHIFT = 2;
    /** xarray's internal entries below 4096 are never node pointers. */
    private static final long RESERVED_RANGE = 4096;

    /** A node's kind, from enum maple_type. */
    public enum Kind { DENSE, LEAF_64, RANGE_64, ARANGE_64, UNKNOWN }

    /**
     * One node as read. {@code path} is the slot path from the walk's start ("" there, "/3/5" below);
     * {@code parent} the raw parent field; {@code pivots}, {@code slots} the node's arrays (empty
     * pivots for dense nodes, both null for an UNKNOWN one); {@code gaps}, {@code metaEnd} and
     * {@code metaGap} only for arange_64 nodes (else null and -1). The arrays are the walk's: read only.
     */
    public record Node(long address, long encoded, int type, Kind kind, long min, long max, int depth, long parent, String path,
            long[] pivots, long[] slots, long[] gaps, int metaEnd, int metaGap) {
        public boolean leaf() { return kind == Kind.DENSE || kind == Kind.LEAF_64; }
    }

    /**
     * One slot of a leaf covering {@code first..last} (value 0: a NULL range), or the tree's root
     * when that is no node (then {@code node} is null, the range 0..0 and slot 0).
     */
    public record Entry(long value, long first, long last, Node node, int slot) {
    }

    /** What a walk reports, in index order. */
    @FunctionalInterface
    public interface Visitor {
        /** A walk from a struct maple_tree starts here: its flags and ma_root. */
        default void root(long tree, long flags, long root) {
        }

        /** A node, before its entries or children. */
        default void node(Node node) {
        }

        /** A leaf's slot; false ends the walk. */
        boolean entry(Entry entry);

        /** A pivot beyond its node's maximum: that node's walk stops there, the rest goes on. */
        default void badPivot(Node node, int slot, long pivot) {
        }
    }

    /** The walk ended at a damaged (or unreadable) node. */
    public static final class DamagedTreeException extends CommandException {
        private static final long serialVersionUID = 1L;
        private final long node;

        public DamagedTreeException(long node, String message, Throwable cause) {
            super(message, "damaged-maple-tree");
            this.node = node;
            if (cause != null) initCause(cause);
        }

        /** The node (decoded address) where the walk stopped. */
        public long node() { return node; }
    }

    private final Session session;
    private final Layout layout;
    private final Runnable checkCancelled;

    private MapleTree(Session session, Layout layout, Runnable checkCancelled) {
        this.session = session;
        this.layout = layout;
        this.checkCancelled = checkCancelled;
    }

    /**
     * A walker for this session's kernel; {@code checkCancelled} runs before each node (it throws
     * to cancel). Throws a CommandException when the kernel has no maple trees.
     */
    public static MapleTree of(Session s, Runnable checkCancelled) {
        return new MapleTree(s, s.cached(MapleTree.class.getName(), () -> Layout.read(s)), checkCancelled);
    }

    public static MapleTree of(Session s) {
        return of(s, () -> { });
    }

    /** The tree's height from its ma_flags. */
    public static int height(long flags) {
        return (int) ((flags & HEIGHT_MASK) >>> HEIGHT_SHIFT);
    }

    /** Whether an entry is an encoded node pointer (as ma_root or an inner node's slot). */
    public static boolean isNode(long entry) {
        return (entry & 3) == 2 && Long.compareUnsigned(entry, RESERVED_RANGE) > 0;
    }

    /** The maple_type number an encoded node pointer carries. */
    public static int type(long encoded) {
        return (int) ((encoded >>> TYPE_SHIFT) & TYPE_MASK);
    }

    /** Walks the struct maple_tree at {@code tree}. */
    public void walk(long tree, Visitor v) {
        walk(tree, 0, -1L, v);
    }

    /** Walks from an encoded node pointer (its path ""), over the node type's whole index range. */
    public void walkNode(long encoded, Visitor v) {
        new Walk(v, 0, -1L).node(encoded, 0, layout.maxOf(type(encoded)), 0, "");
    }

    /** Every non-NULL entry of the tree at {@code tree} (a struct maple_tree *), in index order. */
    public void entries(long tree, LongConsumer entry) {
        walk(tree, e -> {
            if (e.value() != 0) entry.accept(e.value());
            return true;
        });
    }

    /** The entry whose range holds {@code index}, 0 when none: one path down the tree. */
    public long find(long tree, long index) {
        long[] found = {0};
        walk(tree, index, index, e -> {
            found[0] = e.value();
            return false;
        });
        return found[0];
    }

    /** The lowest non-NULL entry, 0 when the tree is empty. */
    public long first(long tree) {
        long[] found = {0};
        walk(tree, e -> {
            found[0] = e.value();
            return e.value() == 0;
        });
        return found[0];
    }

    /** Walks only the slots whose ranges meet from..to (unsigned). */
    private void walk(long tree, long from, long to, Visitor v) {
        long root = session.memory().u64(tree + layout.rootOff);
        long flags = session.memory().u32(tree + layout.flagsOff);
        v.root(tree, flags, root);
        Walk w = new Walk(v, from, to);
        if (isNode(root)) {
            w.node(root, 0, layout.maxOf(type(root)), 0, "");
        } else if (from == 0) {
            v.entry(new Entry(root, 0, 0, null, 0));
        }
    }

    /** One walk's state: the nodes seen (bounded), whether the visitor stopped it. */
    private final class Walk {
        private final Visitor v;
        private final long from;
        private final long to;
        private final Set<Long> seen = new HashSet<>();
        private boolean stopped;

        Walk(Visitor v, long from, long to) {
            this.v = v;
            this.from = from;
            this.to = to;
        }

        void node(long encoded, long min, long max, int depth, String path) {
            long address = encoded & ~NODE_MASK;
            if (depth > MAX_DEPTH) {
                throw new DamagedTreeException(address, String.format("maple tree deeper than %d levels at node %x", MAX_DEPTH, address), null);
            }
            if (!seen.add(address)) throw new DamagedTreeException(address, String.format("duplicate maple node: %x", address), null);
            if (seen.size() > MAX_NODES) {
                throw new DamagedTreeException(address, String.format("more than %d maple nodes at node %x", MAX_NODES, address), null);
            }
            checkCancelled.run();
            ByteBuffer b;
            try {
                b = ByteBuffer.wrap(session.memory().read(address, layout.nodeSize)).order(ByteOrder.LITTLE_ENDIAN);
            } catch (RuntimeException e) {
                throw new DamagedTreeException(address, String.format("cannot read maple node %x: %s", address, e.getMessage()), e);
            }
            int type = type(encoded);
            Kind kind = layout.kind(type);
            long parent = b.getLong(layout.parentOff);
            switch (kind) {
                case DENSE -> dense(new Node(address, encoded, type, kind, min, max, depth, parent, path, new long[0],
                        longs(b, layout.denseSlotOff, layout.denseSlots), null, -1, -1));
                case LEAF_64, RANGE_64 -> ranges(new Node(address, encoded, type, kind, min, max, depth, parent, path,
                        longs(b, layout.rangePivotOff, layout.rangeSlots - 1), longs(b, layout.rangeSlotOff, layout.rangeSlots), null, -1, -1));
                case ARANGE_64 -> ranges(new Node(address, encoded, type, kind, min, max, depth, parent, path,
                        longs(b, layout.arangePivotOff, layout.arangeSlots - 1), longs(b, layout.arangeSlotOff, layout.arangeSlots),
                        longs(b, layout.arangeGapOff, layout.arangeSlots), meta(b, layout.metaEndOff), meta(b, layout.metaGapOff)));
                default -> {
                    v.node(new Node(address, encoded, type, kind, min, max, depth, parent, path, null, null, null, -1, -1));
                    throw new DamagedTreeException(address, "maple node " + Long.toHexString(address) + " has an unknown type " + type, null);
                }
            }
        }

        private void dense(Node n) {
            v.node(n);
            long[] slots = n.slots();
            for (int i = 0; i < slots.length && !stopped; i++) {
                if (meets(n.min() + i, n.min() + i)) stopped = !v.entry(new Entry(slots[i], n.min() + i, n.min() + i, n, i));
            }
        }

        /** A range node's slots up to its last pivot (a 0 pivot past slot 0 ends the node's data). */
        private void ranges(Node n) {
            v.node(n);
            long[] pivots = n.pivots();
            long[] slots = n.slots();
            long max = n.max();
            long first = n.min();
            for (int i = 0; i < slots.length && !stopped; i++) {
                long last = max;
                if (i < pivots.length) {
                    last = pivots[i];
                } else if (slots[i] == 0 && (n.kind() == Kind.ARANGE_64 || max != layout.maxOf(n.type()))) {
                    break;
                }
                if (last == 0 && i > 0) break;
                if (Long.compareUnsigned(first, to) > 0) break;
                if (meets(first, last)) {
                    if (n.leaf()) {
                        stopped = !v.entry(new Entry(slots[i], first, last, n, i));
                    } else if (slots[i] != 0) {
                        node(slots[i], first, last, n.depth() + 1, n.path() + "/" + i);
                    }
                }
                if (last == max) break;
                if (Long.compareUnsigned(last, max) > 0) {
                    v.badPivot(n, i, last);
                    break;
                }
                first = last + 1;
            }
        }

        private boolean meets(long first, long last) {
            return Long.compareUnsigned(first, to) <= 0 && Long.compareUnsigned(last, from) >= 0;
        }
    }

    private static long[] longs(ByteBuffer b, int offset, int count) {
        long[] out = new long[Math.max(0, count)];
        for (int i = 0; i < out.length; i++) out[i] = b.getLong(offset + 8 * i);
        return out;
    }

    private static int meta(ByteBuffer b, int offset) {
        return offset < 0 ? -1 : b.get(offset) & 0xff;
    }

    /** Offsets, counts and type numbers from the debuginfo, read once a session. */
    private static final class Layout {
        int rootOff;
        int flagsOff;
        int nodeSize;
        int parentOff;
        int denseSlotOff;
        int denseSlots;
        int rangePivotOff;
        int rangeSlotOff;
        int rangeSlots;
        int arangePivotOff;
        int arangeSlotOff;
        int arangeGapOff;
        int arangeSlots;
        int metaEndOff = -1;
        int metaGapOff = -1;
        long dense;
        long leaf64;
        long range64;
        long arange64;

        static Layout read(Session s) {
            if (s.symbols().type("struct maple_tree").isEmpty() || s.symbols().type("struct maple_node").isEmpty()) {
                throw new CommandException("maple trees do not exist in this kernel");
            }
            Layout l = new Layout();
            Type tree = struct(s, "maple_tree");
            l.rootOff = (int) member(tree, "maple_tree", "ma_root").offset();
            l.flagsOff = (int) member(tree, "maple_tree", "ma_flags").offset();
            Type node = struct(s, "maple_node");
            l.nodeSize = (int) node.size();
            l.parentOff = (int) member(node, "maple_node", "parent").offset();
            Member denseSlot = member(node, "maple_node", "slot");
            l.denseSlotOff = (int) denseSlot.offset();
            l.denseSlots = count(denseSlot, "maple_node");
            RangeArrays range = RangeArrays.read(s, node, "mr64", "maple_range_64");
            l.rangePivotOff = range.pivotOff();
            l.rangeSlotOff = range.slotOff();
            l.rangeSlots = range.slots();
            RangeArrays arange = RangeArrays.read(s, node, "ma64", "maple_arange_64");
            l.arangePivotOff = arange.pivotOff();
            l.arangeSlotOff = arange.slotOff();
            l.arangeSlots = arange.slots();
            long ma64 = member(node, "maple_node", "ma64").offset();
            Type arangeType = struct(s, "maple_arange_64");
            l.arangeGapOff = (int) (ma64 + member(arangeType, "maple_arange_64", "gap").offset());
            // arange_64's metadata (end, gap) sits in its own member
            var meta = arangeType.member("meta");
            var metaType = s.symbols().type("struct maple_metadata").map(Type::resolve);
            if (meta.isPresent() && metaType.isPresent()) {
                long at = ma64 + meta.get().offset();
                l.metaEndOff = (int) (at + member(metaType.get(), "maple_metadata", "end").offset());
                l.metaGapOff = (int) (at + member(metaType.get(), "maple_metadata", "gap").offset());
            }
            // every array read must lie inside the node read
            long end = Math.max(l.denseSlotOff + 8L * l.denseSlots, Math.max(l.rangeSlotOff + 8L * l.rangeSlots, l.arangeSlotOff + 8L * l.arangeSlots));
            end = Math.max(end, Math.max(l.rangePivotOff + 8L * (l.rangeSlots - 1), l.arangePivotOff + 8L * (l.arangeSlots - 1)));
            end = Math.max(end, Math.max(l.arangeGapOff + 8L * l.arangeSlots, Math.max(l.metaEndOff, l.metaGapOff) + 1L));
            if (l.nodeSize <= 0 || end > l.nodeSize || l.parentOff + 8L > l.nodeSize || l.rangeSlots < 2 || l.arangeSlots < 2) {
                throw new CommandException("the maple node types in the debuginfo do not fit struct maple_node (" + l.nodeSize + " bytes)");
            }
            Type types = s.symbols().type("enum maple_type").orElseThrow(() -> new CommandException("enum maple_type: not in the debuginfo"));
            l.dense = enumerator(types, "maple_dense");
            l.leaf64 = enumerator(types, "maple_leaf_64");
            l.range64 = enumerator(types, "maple_range_64");
            l.arange64 = enumerator(types, "maple_arange_64");
            return l;
        }

        /** A range node type's pivot and slot arrays, at their offsets in struct maple_node (member {@code union}). */
        private record RangeArrays(int pivotOff, int slotOff, int slots) {
            static RangeArrays read(Session s, Type node, String union, String struct) {
                long base = member(node, "maple_node", union).offset();
                Type t = struct(s, struct);
                Member slot = member(t, struct, "slot");
                return new RangeArrays((int) (base + member(t, struct, "pivot").offset()), (int) (base + slot.offset()), count(slot, struct));
            }
        }

        Kind kind(int type) {
            if (type == dense) return Kind.DENSE;
            if (type == leaf64) return Kind.LEAF_64;
            if (type == range64) return Kind.RANGE_64;
            if (type == arange64) return Kind.ARANGE_64;
            return Kind.UNKNOWN;
        }

        /** A node type's highest index: a dense node's slot count, ULONG_MAX for the range types. */
        long maxOf(int type) {
            return type == dense ? denseSlots : -1L;
        }

        private static Type struct(Session s, String name) {
            return s.symbols().type("struct " + name).map(Type::resolve)
                    .orElseThrow(() -> new CommandException("struct " + name + ": not in the debuginfo"));
        }

        private static Member member(Type t, String struct, String name) {
            return t.member(name).orElseThrow(() -> new CommandException("struct " + struct + " has no member " + name + " in the debuginfo"));
        }

        private static int count(Member array, String struct) {
            Type t = array.type().resolve();
            if (t.kind() != Type.Kind.ARRAY || t.count() <= 0) {
                throw new CommandException("struct " + struct + "." + array.name() + " is not an array of known length in the debuginfo");
            }
            return (int) t.count();
        }

        private static long enumerator(Type t, String name) {
            return t.enumeratorValue(name).orElseThrow(() -> new CommandException("enum maple_type has no " + name));
        }
    }
}
