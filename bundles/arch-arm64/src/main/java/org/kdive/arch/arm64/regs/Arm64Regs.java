package org.kdive.arch.arm64.regs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.function.LongUnaryOperator;
import org.kdive.api.arch.RegisterRoles;
import org.kdive.api.arch.Registers;
import org.kdive.api.dump.DumpNote;

/**
 * The AArch64 register set as Linux saves it: struct user_pt_regs (x0..x30, sp, pc, pstate: 34
 * words) at the start of struct pt_regs and in NT_PRSTATUS's pr_reg; pt_regs continues with
 * orig_x0, syscallno and the frame record (stackframe[2]) the entry code links into the chain.
 */
public final class Arm64Regs {
    public static final String PC = "pc";
    public static final String SP = "sp";
    public static final String FP = "x29";
    public static final String LR = "x30";
    public static final int USER_REGS_WORDS = 34;
    /** offsetof(struct elf_prstatus, pr_reg) on 64-bit Linux. */
    public static final int PR_REG_OFFSET = 112;
    /** sizeof(struct pt_regs) and offsetof(struct pt_regs, stackframe) of 6.1 when DWARF does not say. */
    public static final int PT_REGS_SIZE = 0x150;
    public static final int STACKFRAME_OFFSET = 0x130;
    private static final int ORIG_X0_OFFSET = 272;
    private static final int SYSCALLNO_OFFSET = 280;

    /** AAPCS64 as the kernel uses it: x0-x7 arguments, x0 result, x0-x18 caller-saved, x29 fp, x30 lr. */
    public static final RegisterRoles ROLES = new RegisterRoles(PC, SP, FP, LR, "x0",
            List.of("x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7"),
            List.of("x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14",
                    "x15", "x16", "x17", "x18", "x30"),
            "AAPCS64");

    private Arm64Regs() {
    }

    /** user_pt_regs at {@code off} of {@code b} (little-endian), plus orig_x0/syscallno when {@code full}. */
    public static Registers decode(byte[] b, int off, boolean full) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < 31; i++) m.put("x" + i, le(b, off + 8 * i));
        m.put(SP, le(b, off + 8 * 31));
        m.put(PC, le(b, off + 8 * 32));
        m.put("pstate", le(b, off + 8 * 33));
        if (full && b.length >= off + SYSCALLNO_OFFSET + 4) {
            m.put("orig_x0", le(b, off + ORIG_X0_OFFSET));
            m.put("syscallno", le(b, off + SYSCALLNO_OFFSET) & 0xffffffffL);
        }
        return new Registers(m, PC, SP);
    }

    /**
     * One register set per CPU, from its NT_PRSTATUS note, in CPU order; a CPU whose note is damaged
     * or too short keeps its place with an empty set (so the CPUs after it keep their numbers).
     */
    public static List<Registers> fromNotes(List<DumpNote> notes) {
        List<Registers> out = new ArrayList<>();
        for (DumpNote n : DumpNote.cpuNotes(notes)) {
            if (n == null || n.desc().length < PR_REG_OFFSET + USER_REGS_WORDS * 8) out.add(Registers.NONE);
            else out.add(decode(n.desc(), PR_REG_OFFSET, false));
        }
        return List.copyOf(out);
    }

    /** EL0 (user) when PSTATE.M[3:2] is 0. */
    public static boolean kernelMode(Registers r) {
        return (r.get("pstate").orElse(0) & 0xc) != 0;
    }

    /**
     * crash's arm64 exception frame (arm64_print_exception_frame): PC and LR with their symbols in
     * kernel mode, SP and PSTATE, then X29 down to X0 three a line; user mode adds ORIG_X0 and
     * SYSCALLNO. {@code where} names a code address ("sym+off") or returns null; {@code strip}
     * removes pointer-authentication bits from LR.
     */
    public static List<String> format(Registers r, LongFunction<String> where, LongUnaryOperator strip) {
        List<String> lines = new ArrayList<>();
        boolean kernel = kernelMode(r);
        long pc = r.pc();
        long lr = strip.applyAsLong(r.get(LR).orElse(0));
        long sp = r.sp();
        long pstate = r.get("pstate").orElse(0);
        if (kernel && where == null) {
            // no symbols at hand (formatRegisters): the values only
            lines.add(String.format("     PC: %016x", pc));
            lines.add(String.format("     LR: %016x", lr));
            lines.add(String.format("     SP: %016x  PSTATE: %08x", sp, pstate));
        } else if (kernel) {
            lines.add(String.format("     PC: %016x  [%s]", pc, name(where, pc)));
            lines.add(String.format("     LR: %016x  [%s]", lr, name(where, lr)));
            lines.add(String.format("     SP: %016x  PSTATE: %08x", sp, pstate));
        } else {
            lines.add(String.format("     PC: %016x   LR: %016x   SP: %016x", pc, lr, sp));
        }
        StringBuilder line = new StringBuilder("    ");
        for (int i = 29, n = 1; i >= 0; i--, n++) {
            line.append(String.format("%sX%d: %016x", i < 10 ? " " : "", i, r.get("x" + i).orElse(0)));
            if (i == 0 || n % 3 == 0) {
                lines.add(line.toString());
                line = new StringBuilder("    ");
            } else {
                line.append("  ");
            }
        }
        if (!kernel) {
            lines.add(String.format("    ORIG_X0: %016x  SYSCALLNO: %x  PSTATE: %08x", r.get("orig_x0").orElse(0),
                    r.get("syscallno").orElse(0), pstate));
        }
        return lines;
    }

    private static String name(LongFunction<String> where, long addr) {
        String w = where == null ? null : where.apply(addr);
        return w == null ? "unknown or invalid address" : w;
    }

    static long le(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = (v << 8) | (b[off + i] & 0xff);
        return v;
    }
}
