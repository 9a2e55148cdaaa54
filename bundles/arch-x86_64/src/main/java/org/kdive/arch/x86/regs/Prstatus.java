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

    /** One register set per PRSTATUS note, in note order (= CPU order); short notes are skipped. */
    public static List<Registers> fromNotes(List<DumpNote> notes) {
        List<Registers> out = new ArrayList<>();
        for (DumpNote n : notes) {
            if (n.type() != DumpNote.NT_PRSTATUS) continue;
            if (n.name() != null && !n.name().isEmpty() && !n.name().startsWith("CORE")) continue;
            byte[] d = n.desc();
            if (d.length < PR_REG_OFFSET + PtRegs.PT_REGS_SIZE) continue;
            int words = Math.min(PtRegs.USER_REGS_WORDS, (d.length - PR_REG_OFFSET) / 8);
            out.add(PtRegs.decode(d, PR_REG_OFFSET, words));
        }
        return List.copyOf(out);
    }
}
