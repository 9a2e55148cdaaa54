package org.kdive.cmd.symbols.paging;

import java.util.List;
import org.kdive.api.arch.KernelArch;

/**
 * A page-table walk as the architecture explains it ({@link KernelArch#explain}): the steps to
 * print and, when the walk reached a page, the leaf entry (PTE, or the PMD/PUD of a large page).
 *
 * @param steps  the lines crash prints, without the arch's failure message
 * @param mapped whether a page was reached
 * @param leaf   the last entry read (the leaf when mapped)
 */
public record Walk(List<String> steps, boolean mapped, long leaf) {
    private static final String PAGE = "  PAGE: ";
    private static final String ARROW = " => ";

    public static Walk of(KernelArch arch, long pgdPhys, long vaddr) {
        List<String> lines = arch.explain(pgdPhys, vaddr);
        boolean mapped = !lines.isEmpty() && lines.get(lines.size() - 1).startsWith(PAGE);
        // on failure the arch ends with its reason; crash just stops after the entry that was not present
        List<String> steps = mapped || lines.isEmpty() ? lines : lines.subList(0, lines.size() - 1);
        long leaf = 0;
        for (String l : steps) {
            int arrow = l.indexOf(ARROW);
            if (arrow > 0) leaf = Long.parseUnsignedLong(l.substring(arrow + ARROW.length()).trim(), 16);
        }
        return new Walk(List.copyOf(steps), mapped, leaf);
    }
}
