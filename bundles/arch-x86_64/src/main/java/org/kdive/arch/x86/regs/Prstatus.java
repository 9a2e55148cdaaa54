package org.kdive.arch.x86.regs;

import java.util.ArrayList;
import java.util.List;
import org.kdive.api.arch.Registers;
import org.kdive.api.dump.DumpNote;

/** The registers in x86_64 NT_PRSTATUS notes: struct elf_prstatus with pr_reg at offset 112. */
public final class Prstatus {
    public static final int PR_REG_OFFSET = 112;
    public static final int PR_PID_OFFSET = 32;
    public static final int SIZE = PR_REG_OFFSET + PtRegs.USER_REGS_WORDS * 8;

    private Prstatus() {
    }

    /**
     * One register set per CPU, from its PRSTATUS note, in CPU order; a CPU whose note is damaged or
     * too short keeps its place with an empty set (so the CPUs after it keep their numbers).
     */
    public static List<Registers> fromNotes(List<DumpNote> notes) {
        List<Registers> out = new ArrayList<>();
        for (DumpNote n : DumpNote.cpuNotes(notes)) {
            byte[] d = n == null ? null : n.desc();
            if (d == null || d.length < PR_REG_OFFSET + PtRegs.PT_REGS_SIZE) {
                out.add(Registers.NONE);
                continue;
            }
            int words = Math.min(PtRegs.USER_REGS_WORDS, (d.length - PR_REG_OFFSET) / 8);
            out.add(PtRegs.decode(d, PR_REG_OFFSET, words));
        }
        return List.copyOf(out);
    }
}
