package org.kdive.cmd.symbols.paging;

import java.util.ArrayList;
import java.util.List;
import org.kdive.cmd.symbols.format.Columns;

/** crash's x86_64 "PTE PHYSICAL FLAGS" table of one page-table entry. */
public final class PteTable {
    private static final long PHYSICAL_MASK = 0x000ffffffffff000L;
    private static final long PRESENT = 1L;
    private static final long PSE = 1L << 7;
    private static final long PROTNONE = 1L << 8;
    /** Bit → name in crash's order; PSE and PROTNONE depend on PRESENT and are handled apart. */
    private static final String[] BEFORE_PSE = {"PRESENT", "RW", "USER", "PWT", "PCD", "ACCESSED", "DIRTY"};

    private PteTable() {
    }

    public static long physical(long entry) {
        return entry & PHYSICAL_MASK;
    }

    /** The entry's flag names, e.g. [PRESENT, RW, ACCESSED, DIRTY, PSE, GLOBAL, NX]. */
    public static List<String> flags(long entry) {
        List<String> out = new ArrayList<>();
        for (int bit = 0; bit < BEFORE_PSE.length; bit++) {
            if ((entry & (1L << bit)) != 0) out.add(BEFORE_PSE[bit]);
        }
        boolean present = (entry & PRESENT) != 0;
        if (present && (entry & PSE) != 0) out.add("PSE");
        if (!present && (entry & PROTNONE) != 0) out.add("PROTNONE");
        if ((entry & (1L << 8)) != 0) out.add("GLOBAL");
        if (entry < 0) out.add("NX");
        return out;
    }

    /** Header and row, each column as wide as its widest cell. */
    public static String render(long entry) {
        String pte = Long.toHexString(entry);
        String phys = Long.toHexString(physical(entry));
        int w1 = Math.max(pte.length(), 3);
        int w2 = Math.max(phys.length(), 8);
        String flags = entry == 0 ? "no mapping" : String.join("|", flags(entry));
        return Columns.center("PTE", w1) + "  " + Columns.center("PHYSICAL", w2) + "  FLAGS\n"
                + Columns.centerRight(pte, w1) + "  " + Columns.centerRight(phys, w2) + "  (" + flags + ")\n";
    }
}
