package org.kdive.cmd.devices.irq;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.cmd.devices.access.IndexedTree;
import org.kdive.cmd.devices.access.Kern;
import org.kdive.cmd.devices.access.Lists;

/**
 * The kernel's interrupt descriptors, wherever this kernel keeps them: a static irq_desc[] array,
 * the irq_desc_tree radix tree/XArray (CONFIG_SPARSE_IRQ before 6.5) or the sparse_irqs maple tree
 * (6.5 on). The number of IRQs is the array's length or the kernel's nr_irqs.
 */
final class Irqs {
    private final Kern k;
    private final int nrIrqs;
    private final long arrayBase;
    private final long descSize;
    /** irq → irq_desc for the trees; null for the array. */
    private final TreeMap<Integer, Long> tree;

    Irqs(Kern k, CommandContext ctx) {
        this.k = k;
        if (!k.hasStruct("irq_desc")) throw new CommandException("cannot determine size of irq_desc_t");
        descSize = k.requireSize("irq_desc");
        if (k.hasSymbol("irq_desc")) {
            arrayBase = k.requireSymbol("irq_desc");
            long len = k.arrayLength("irq_desc");
            nrIrqs = len > 0 ? (int) len : nrIrqsVariable();
            tree = null;
            return;
        }
        arrayBase = 0;
        nrIrqs = nrIrqsVariable();
        tree = new TreeMap<>();
        List<IndexedTree.Entry> entries;
        if (k.hasSymbol("sparse_irqs")) {
            entries = IndexedTree.maple(k, k.requireSymbol("sparse_irqs"), ctx);
        } else if (k.hasSymbol("irq_desc_tree")) {
            entries = IndexedTree.xarray(k, k.requireSymbol("irq_desc_tree"), ctx);
        } else {
            throw new CommandException("neither irq_desc, irq_desc_tree nor sparse_irqs symbols exist");
        }
        for (IndexedTree.Entry e : entries) {
            if (e.index() >= 0 && e.index() < Integer.MAX_VALUE) tree.put((int) e.index(), e.value());
        }
    }

    private int nrIrqsVariable() {
        if (k.hasSymbol("nr_irqs")) return (int) k.u32(k.requireSymbol("nr_irqs"));
        return 224;
    }

    int count() {
        if (nrIrqs <= 0) throw new CommandException("cannot determine number of IRQs");
        return nrIrqs;
    }

    /** The irq_desc of {@code irq}, or 0 when it has none. */
    long desc(int irq) {
        if (tree == null) return arrayBase + descSize * irq;
        Long d = tree.get(irq);
        return d == null ? 0 : d;
    }

    Map<Integer, Long> treeView() { return tree; }

    /** The irqaction chain of a descriptor. */
    List<Long> actions(long desc, CommandContext ctx) {
        long first = k.ptr(desc + k.off("irq_desc", "action"));
        return first == 0 ? List.of() : Lists.chain(k, first, k.off("irqaction", "next"), ctx);
    }

    String actionName(long action) {
        long p = k.ptr(action + k.off("irqaction", "name"));
        return k.string(p, 1024);
    }
}
