package org.kdive.dis.capstone;

import java.util.List;

/**
 * What capstone says about one instruction: its own text plus, for x86 handles, the decoded
 * details (cs_x86) an x86 printer renders from. For other architectures the x86 fields are zero and
 * {@link #operands} is empty.
 *
 * @param name      capstone's base instruction name (Intel spelling, no size suffix), e.g. "mov"
 * @param prefix    capstone's prefix groups: [0] rep/repne/lock, [1] segment, [2] 0x66, [3] 0x67
 * @param opcode    opcode bytes (trailing zeros unused)
 * @param modrmOffset offset of the ModR/M byte in {@link #bytes}, 0 when there is none
 */
public record Decoded(long address, byte[] bytes, String mnemonic, String opStr, String name,
               int[] prefix, int[] opcode, int rex, int modrm, int sib, int modrmOffset, List<Operand> operands) {

    public enum Kind { REG, IMM, MEM }

    /** One operand in AT&T order; register names without '%', null when absent. */
    public record Operand(Kind kind, int size, String reg, long imm, String segment, String base, String index, int scale, long disp) {
    }

    /** Whether the memory operand's encoding carries a displacement (binutils then prints it, even 0). */
    public boolean hasDisplacement() {
        if (modrmOffset == 0) return false;
        int mod = (modrm >> 6) & 3;
        int rm = modrm & 7;
        if (mod == 1 || mod == 2) return true;
        return mod == 0 && (rm == 5 || (rm == 4 && (sib & 7) == 5));
    }
}
