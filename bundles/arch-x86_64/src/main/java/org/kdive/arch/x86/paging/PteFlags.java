package org.kdive.arch.x86.paging;

import java.util.ArrayList;
import java.util.List;

/** Names of the flag bits of an x86_64 page-table entry, in crash's spelling and order. */
final class PteFlags {
    private static final long PRESENT = 1L;
    private static final long PSE = 1L << 7;
    private static final long PROTNONE = 1L << 8;
    private static final long GLOBAL = 1L << 8;
    /** Bit → name in crash's order; PSE and PROTNONE depend on PRESENT and are handled apart. */
    private static final String[] BEFORE_PSE = {"PRESENT", "RW", "USER", "PWT", "PCD", "ACCESSED", "DIRTY"};

    private PteFlags() {
    }

    /** E.g. [PRESENT, RW, ACCESSED, DIRTY, PSE, GLOBAL, NX]. */
    static List<String> names(long entry) {
        List<String> out = new ArrayList<>();
        for (int bit = 0; bit < BEFORE_PSE.length; bit++) {
            if ((entry & (1L << bit)) != 0) out.add(BEFORE_PSE[bit]);
        }
        boolean present = (entry & PRESENT) != 0;
        if (present && (entry & PSE) != 0) out.add("PSE");
        if (!present && (entry & PROTNONE) != 0) out.add("PROTNONE");
        if ((entry & GLOBAL) != 0) out.add("GLOBAL");
        if (entry < 0) out.add("NX");
        return out;
    }
}
