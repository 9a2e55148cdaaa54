package org.kdive.arch.x86.orc;

/**
 * One decoded struct orc_entry: s16 sp_offset, s16 bp_offset, then a 16-bit word from the low
 * bits with sp_reg:4, bp_reg:4 and either type:2, end:1 (Linux 4.14–6.3, no .orc_header) or
 * type:3, signal:1 (6.4+, with .orc_header; END_OF_STACK is then a type). Both decode to the same
 * form: the older type numbers and end-of-stack as {@code spReg == REG_UNDEFINED && end}.
 */
public record OrcEntry(int spOffset, int bpOffset, int spReg, int bpReg, int type, boolean end) {
    public static final int SIZE = 6;

    public static final int REG_UNDEFINED = 0;
    public static final int REG_PREV_SP = 1;
    public static final int REG_DX = 2;
    public static final int REG_DI = 3;
    public static final int REG_BP = 4;
    public static final int REG_SP = 5;
    public static final int REG_R10 = 6;
    public static final int REG_R13 = 7;
    public static final int REG_BP_INDIRECT = 8;
    public static final int REG_SP_INDIRECT = 9;

    public static final int TYPE_CALL = 0;
    public static final int TYPE_REGS = 1;
    public static final int TYPE_REGS_PARTIAL = 2;

    public static OrcEntry decode(byte[] b, int off) {
        return decode(b, off, false);
    }

    /** @param withHeader the 6.4+ layout (the object has an .orc_header section) */
    public static OrcEntry decode(byte[] b, int off, boolean withHeader) {
        short sp = (short) ((b[off] & 0xff) | (b[off + 1] << 8));
        short bp = (short) ((b[off + 2] & 0xff) | (b[off + 3] << 8));
        int bits = (b[off + 4] & 0xff) | ((b[off + 5] & 0xff) << 8);
        int spReg = bits & 0xf;
        int bpReg = (bits >> 4) & 0xf;
        if (!withHeader) {
            return new OrcEntry(sp, bp, spReg, bpReg, (bits >> 8) & 3, ((bits >> 10) & 1) != 0);
        }
        int type = (bits >> 8) & 7;
        return switch (type) {
            case 0 -> new OrcEntry(sp, bp, REG_UNDEFINED, bpReg, TYPE_CALL, false); // undefined
            case 1 -> new OrcEntry(sp, bp, REG_UNDEFINED, bpReg, TYPE_CALL, true);  // end of stack
            case 2 -> new OrcEntry(sp, bp, spReg, bpReg, TYPE_CALL, false);
            case 3 -> new OrcEntry(sp, bp, spReg, bpReg, TYPE_REGS, false);
            case 4 -> new OrcEntry(sp, bp, spReg, bpReg, TYPE_REGS_PARTIAL, false);
            default -> new OrcEntry(sp, bp, spReg, bpReg, 3, false); // unknown: the unwinder stops
        };
    }

    /** No unwind information: the linker's filler between functions (not an end-of-stack marker). */
    public boolean isUndefined() {
        return spReg == REG_UNDEFINED && !end;
    }

    @Override
    public String toString() {
        String[] regs = {"undef", "prevsp", "dx", "di", "bp", "sp", "r10", "r13", "bp(ind)", "sp(ind)"};
        String[] types = {"call", "regs", "regs_partial", "?"};
        String r = spReg < regs.length ? regs[spReg] : "r" + spReg;
        String br = bpReg < regs.length ? regs[bpReg] : "r" + bpReg;
        return String.format("sp:%s%+d bp:%s%+d type:%s%s", r, spOffset, br, bpOffset, types[type], end ? " end" : "");
    }
}
