package org.kdive.cmd.process.mm;

import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.kdive.api.arch.MachineFacts;
import org.kdive.api.arch.MappedRange;
import org.kdive.api.arch.PageWalk;
import org.kdive.api.session.Session;
import org.kdive.cmd.process.access.Layout;
import org.kdive.cmd.process.access.PathNames;

/**
 * What backs each page of a user VMA, as crash's `vm -p` tells it: the physical page the process's
 * page table maps, else the swap slot a non-present entry names, else the file page the VMA maps
 * there, else nothing. Mapped stretches come from the architecture's range walk (no per-page walk
 * over large holes); only a hole of a single page-table entry is walked to read its swap entry.
 */
public final class UserPages {
    /** One page: {@code physical} ≥ 0 when mapped; else swap (type ≥ 0) or file or nothing. */
    public record Page(long virtual, long physical, long pte, long swapType, long swapOffset, String swapFile, String file, long fileOffset) {
        public boolean mapped() { return physical >= 0; }

        public boolean swapped() { return physical < 0 && swapType >= 0; }

        public boolean inFile() { return physical < 0 && swapType < 0 && file != null; }
    }

    private final Session session;
    private final Layout k;
    private final Optional<MachineFacts> machine;
    private final Swaps swaps;
    private final int page;

    public UserPages(Layout k, Optional<MachineFacts> machine) {
        this.k = k;
        this.session = k.session();
        this.machine = machine;
        this.swaps = new Swaps(k, new PathNames(k));
        this.page = k.pageSize();
    }

    /** Calls {@code each} for every page of {@code vma} from {@code from}, in order. */
    public void pages(long pgdVirtual, Vma vma, long from, java.util.function.Consumer<Page> each, Runnable checkCancelled) {
        long pgd = session.memory().toPhysical(pgdVirtual);
        long start = Math.max(vma.start(), from) & -(long) page;
        Iterator<MappedRange> ranges = session.arch().mappings(pgd, start, vma.end());
        long va = start;
        while (Long.compareUnsigned(va, vma.end()) < 0 && ranges.hasNext()) {
            MappedRange r = ranges.next();
            long rEnd = r.end() == 0 ? -1L : r.end();
            for (; Long.compareUnsigned(va, vma.end()) < 0 && Long.compareUnsigned(va, rEnd) < 0; va += page) {
                if (Long.compareUnsigned(va, r.start()) < 0) continue;
                checkCancelled.run();
                if (r.mapped()) {
                    each.accept(new Page(va, r.physical() + (va - r.start()), 0, -1, -1, null, null, 0));
                } else {
                    long pte = r.size() <= page ? leafEntry(pgd, va) : 0;
                    each.accept(unmapped(vma, va, pte));
                }
            }
        }
        for (; Long.compareUnsigned(va, vma.end()) < 0; va += page) each.accept(unmapped(vma, va, 0));
    }

    /** The raw entry of the last level the walk reached for a non-present page (0 when none). */
    private long leafEntry(long pgd, long va) {
        PageWalk w = session.arch().walk(pgd, va);
        List<PageWalk.Step> steps = w.steps();
        return steps.isEmpty() ? 0 : steps.get(steps.size() - 1).entry();
    }

    private Page unmapped(Vma vma, long va, long pte) {
        if (pte != 0 && machine.isPresent()) {
            MachineFacts.PteBits bits = machine.get().decodePte(session, pte);
            if (!bits.present() && bits.swapType() >= 0 && swaps.available()) {
                return new Page(va, -1, pte, bits.swapType(), bits.swapOffset(), swaps.device(bits.swapType()), null, 0);
            }
        }
        if (vma.file() != 0 && !vma.path().isEmpty()) {
            long offset = ((va - vma.start()) / page + vma.pgoff()) * page;
            return new Page(va, -1, pte, -1, -1, null, vma.path(), offset);
        }
        return new Page(va, -1, pte, -1, -1, null, null, 0);
    }
}
