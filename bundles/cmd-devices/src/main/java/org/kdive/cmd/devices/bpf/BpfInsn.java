package org.kdive.cmd.devices.bpf;

/**
 * One 8-byte eBPF instruction as the kernel keeps it in {@code bpf_prog.insnsi} (little-endian
 * x86_64/arm64 layout: code, dst_reg in the low nibble and src_reg in the high nibble of byte 1,
 * a signed 16-bit offset, a signed 32-bit immediate).
 */
record BpfInsn(int code, int dst, int src, int off, int imm) {
    static final int SIZE = 8;

    // instruction classes (include/uapi/linux/bpf_common.h and bpf.h)
    static final int LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05, JMP32 = 0x06, ALU64 = 0x07;
    // size and mode
    static final int W = 0x00, H = 0x08, B = 0x10, DW = 0x18;
    static final int IMM = 0x00, ABS = 0x20, IND = 0x40, MEM = 0x60, ATOMIC = 0xc0;
    // operations
    static final int OP_ADD = 0x00, OP_AND = 0x50, OP_OR = 0x40, OP_XOR = 0xa0, OP_NEG = 0x80, OP_END = 0xd0, OP_XCHG = 0xe0,
            OP_CMPXCHG = 0xf0, FETCH = 0x01;
    static final int JA = 0x00, CALL = 0x80, EXIT = 0x90, TAIL_CALL = 0xf0;
    static final int SRC_X = 0x08;
    static final int PSEUDO_MAP_FD = 1, PSEUDO_CALL = 1;

    static BpfInsn decode(byte[] buf, int at) {
        int code = buf[at] & 0xff;
        int regs = buf[at + 1] & 0xff;
        int off = (short) ((buf[at + 2] & 0xff) | (buf[at + 3] & 0xff) << 8);
        int imm = (buf[at + 4] & 0xff) | (buf[at + 5] & 0xff) << 8 | (buf[at + 6] & 0xff) << 16 | (buf[at + 7] & 0xff) << 24;
        return new BpfInsn(code, regs & 0x0f, regs >>> 4, off, imm);
    }

    int cls() { return code & 0x07; }

    int size() { return code & 0x18; }

    int mode() { return code & 0xe0; }

    int op() { return code & 0xf0; }

    boolean srcX() { return (code & SRC_X) != 0; }

    /** The first half of a 16-byte ld_imm64 (the next slot holds the upper 32 bits of the constant). */
    boolean wide() { return code == (LD | IMM | DW); }
}
