package org.kdive.cmd.symbols.paging;

import org.kdive.api.arch.PageWalk;
import org.kdive.cmd.symbols.format.Columns;

/** crash's "PTE PHYSICAL FLAGS" table of the entry that maps a page, with the architecture's flag names. */
public final class PteTable {
    private PteTable() {
    }

    /** Header and row, each column as wide as its widest cell. */
    public static String render(PageWalk.Step leaf) {
        String pte = Long.toHexString(leaf.entry());
        String phys = Long.toHexString(leaf.target());
        int w1 = Math.max(pte.length(), 3);
        int w2 = Math.max(phys.length(), 8);
        String flags = leaf.entry() == 0 ? "no mapping" : String.join("|", leaf.flags());
        return Columns.center("PTE", w1) + "  " + Columns.center("PHYSICAL", w2) + "  FLAGS\n"
                + Columns.centerRight(pte, w1) + "  " + Columns.centerRight(phys, w2) + "  (" + flags + ")\n";
    }
}
