package org.kdive.arch.x86.orc;

/**
 * One decoded struct orc_entry (Linux 4.14–6.3 layout, no .orc_header): s16 sp_offset,
 * s16 bp_offset, then a 16-bit word with sp_reg:4, bp_reg:4, type:2, end:1 from the low bits.
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
        short sp = (short) ((b[off] & 0xff) | (b[off + 1] << 8));
        short bp = (short) ((b[off + 2] & 0xff) | (b[off + 3] << 8));
        int bits = (b[off + 4] & 0xff) | ((b[off + 5] & 0xff) << 8);
        return new OrcEntry(sp, bp, bits & 0xf, (bits >> 4) & 0xf, (bits >> 8) & 3, ((bits >> 10) & 1) != 0);
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
