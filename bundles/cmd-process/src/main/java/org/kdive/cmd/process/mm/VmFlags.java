package org.kdive.cmd.process.mm;

import java.util.ArrayList;
import java.util.List;
import org.kdive.cmd.process.access.Layout;

/**
 * vm_area_struct.vm_flags bits named as crash's `vm -f` names them. Bits whose meaning changed over
 * time are named by what the kernel has: GROWSUP where expand_upwards exists (else NOHUGEPAGE),
 * HUGEPAGE where mm_struct.pmd_huge_pte exists (else MAPPED_COPY).
 */
public final class VmFlags {
    private VmFlags() {
    }

    public static List<String> names(Layout k, long flags) {
        boolean growsUp = k.symbol("expand_upwards").isPresent();
        boolean thp = k.hasMember("mm_struct", "pmd_huge_pte");
        List<String> out = new ArrayList<>();
        add(out, flags, 0x1, "READ");
        add(out, flags, 0x2, "WRITE");
        add(out, flags, 0x4, "EXEC");
        add(out, flags, 0x8, "SHARED");
        add(out, flags, 0x10, "MAYREAD");
        add(out, flags, 0x20, "MAYWRITE");
        add(out, flags, 0x40, "MAYEXEC");
        add(out, flags, 0x80, "MAYSHARE");
        add(out, flags, 0x100, "GROWSDOWN");
        add(out, flags, 0x200, growsUp ? "GROWSUP" : "NOHUGEPAGE");
        add(out, flags, 0x400, "PFNMAP");
        add(out, flags, 0x800, "DENYWRITE");
        add(out, flags, 0x1000, "EXECUTABLE");
        add(out, flags, 0x2000, "LOCKED");
        add(out, flags, 0x4000, "IO");
        add(out, flags, 0x8000, "SEQ_READ");
        add(out, flags, 0x10000, "RAND_READ");
        add(out, flags, 0x20000, "DONTCOPY");
        add(out, flags, 0x40000, "DONTEXPAND");
        add(out, flags, 0x80000, "RESERVED");
        add(out, flags, 0x400000, "HUGETLB");
        add(out, flags, 0x100000, "ACCOUNT");
        add(out, flags, 0x800000, "NONLINEAR");
        add(out, flags, 0x1000000, thp ? "HUGEPAGE" : "MAPPED_COPY");
        add(out, flags, 0x2000000, "INSERTPAGE");
        add(out, flags, 0x4000000, "ALWAYSDUMP");
        add(out, flags, 0x8000000, "CAN_NONLINEAR");
        add(out, flags, 0x10000000, "MIXEDMAP");
        add(out, flags, 0x20000000, "SAO");
        add(out, flags, 0x40000000, "PFN_AT_MMAP");
        add(out, flags, 0x80000000L, "MERGEABLE");
        return out;
    }

    private static void add(List<String> out, long flags, long bit, String name) {
        if ((flags & bit) != 0) out.add(name);
    }
}
