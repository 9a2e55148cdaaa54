package org.kdive.arch.arm64.paging;

import java.util.ArrayList;
import java.util.List;

/** The Linux arm64 PTE bits crash's vtop names (arch/arm64/include/asm/pgtable-prot.h), in crash's order. */
public final class PteFlags {
    private PteFlags() {
    }

    public static List<String> names(long pte) {
        List<String> out = new ArrayList<>();
        if (pte == 0) return out;
        if ((pte & 1) != 0) out.add("VALID");
        if ((pte & (1L << 58)) != 0) out.add("PROT_NONE");
        if ((pte & (1L << 6)) != 0) out.add("USER");
        if ((pte & (1L << 7)) != 0) out.add("RDONLY");
        if ((pte & (3L << 8)) != 0) out.add("SHARED");
        if ((pte & (1L << 10)) != 0) out.add("AF");
        if ((pte & (1L << 11)) != 0) out.add("NG");
        if ((pte & (1L << 53)) != 0) out.add("PXN");
        if ((pte & (1L << 54)) != 0) out.add("UXN");
        if ((pte & (1L << 55)) != 0) out.add("DIRTY");
        if ((pte & (1L << 56)) != 0) out.add("SPECIAL");
        return out;
    }
}
