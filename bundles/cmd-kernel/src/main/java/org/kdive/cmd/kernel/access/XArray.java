package org.kdive.cmd.kernel.access;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.kdive.api.command.CommandException;
import org.kdive.api.symbols.Member;

/**
 * The entries of an XArray (also what radix_tree_root is since Linux 4.20), in index order, the
 * way crash's `tree -t xarray` finds them: xa_head is either one entry ("direct") or an internal
 * pointer (low bits 10) to an xa_node whose shift gives the height; leaf slots are entries with
 * an internal tag cleared. Every node is visited once, so a corrupt tree only ends the walk.
 */
public final class XArray {
    private static final long TAG_MASK = 3;
    private static final long TAG_INTERNAL = 2;
    /** Stops walks over garbage. */
    private static final int MAX_ENTRIES = 1 << 22;

    /** One entry: its index, the slot's value and its position ("root/1", or "direct"). */
    public record Entry(long index, long value, String path) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private final Set<Long> seen = new HashSet<>();
    private String problem;
    private final Kernel k;
    private final long slotsOffset;
    private final long shiftOffset;
    private final int chunkShift;

    private XArray(Kernel k) {
        this.k = k;
        if (k.type("struct xarray").isEmpty() || k.type("struct xa_node").isEmpty()) {
            throw new CommandException("xarray facility does not exist or has changed its format");
        }
        slotsOffset = k.requireOffset("xa_node", "slots");
        shiftOffset = k.requireOffset("xa_node", "shift");
        Optional<Member> slots = k.member("xa_node", "slots");
        long n = slots.isPresent() ? slots.get().type().resolve().count() : 0;
        if (n <= 0 || Long.bitCount(n) != 1) throw new CommandException("cannot determine length of xa_node.slots[] array");
        chunkShift = Long.numberOfTrailingZeros(n);
    }

    /** Entries of the struct xarray at {@code xarray}. */
    public static XArray ofRoot(Kernel k, long xarray) {
        XArray x = new XArray(k);
        long head = k.u64(xarray + k.requireOffset("xarray", "xa_head"));
        if ((head & TAG_MASK) == TAG_INTERNAL) {
            x.start(head & ~TAG_MASK);
        } else {
            // one entry stored in the head itself (crash shows it, even a NULL head, as index 0)
            long value = head & ~TAG_MASK;
            x.entries.add(new Entry(0, value, "direct"));
        }
        return x;
    }

    /** Entries below an xa_node pointer (tagged or not), crash's {@code -N}. */
    public static XArray ofNode(Kernel k, long node) {
        XArray x = new XArray(k);
        x.start((node & TAG_MASK) == TAG_INTERNAL ? node & ~TAG_MASK : node);
        return x;
    }

    private void start(long node) {
        try {
            int shift = k.memory().u8(node + shiftOffset);
            walk(node, shift / chunkShift + 1, "root", 0);
        } catch (RuntimeException e) {
            problem = "cannot read an xa_node: " + e.getMessage();
        }
    }

    private void walk(long node, int height, String path, long index) {
        if (!seen.add(node)) {
            problem = String.format("duplicate tree node: %x", node);
            return;
        }
        int size = 1 << chunkShift;
        for (int off = 0; off < size && problem == null; off++) {
            long slot = k.u64(node + slotsOffset + 8L * off);
            if (slot == 0) continue;
            if ((slot & TAG_MASK) == TAG_INTERNAL) slot &= ~TAG_INTERNAL;
            if (height == 1) {
                if (entries.size() >= MAX_ENTRIES) {
                    problem = "more than " + MAX_ENTRIES + " entries: walk stopped";
                    return;
                }
                entries.add(new Entry(index | off, slot, path));
            } else {
                walk(slot, height - 1, path + "/" + off, index | ((long) off << ((height - 1) * chunkShift)));
            }
        }
    }

    public List<Entry> entries() { return entries; }

    /** Why the walk ended early, or null. */
    public String problem() { return problem; }

    /** The slot index within its node, as crash's position shows it. */
    public long slotOf(Entry e) { return e.index() & ((1L << chunkShift) - 1); }
}
