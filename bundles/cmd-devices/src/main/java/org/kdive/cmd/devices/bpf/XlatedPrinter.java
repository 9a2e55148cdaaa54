package org.kdive.cmd.devices.bpf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.LongFunction;

/**
 * The translated (post-verifier) eBPF instructions of a program as crash's {@code bpf -t} prints
 * them: crash follows the kernel's own disassembler (kernel/bpf/disasm.c) of Linux 4.16, so ALU32
 * operations read "(u32) r0 &= (u32) 255" rather than today's "w0 &= 255".
 *
 * <p>Where crash 8.0.6 prints nonsense this prints what the instruction is: a JMP32 branch (Linux
 * 5.1; crash's class table calls class 6 "BUG") as the kernel prints it, "if w0 > 0x3 goto pc+1";
 * the kernel-internal tail call (BPF_JMP|BPF_TAIL_CALL, which crash reads as a conditional jump
 * with a "(null)" operator) as "tail_call"; atomic operations other than add (Linux 5.12) as the
 * kernel prints them.
 */
final class XlatedPrinter {
    private static final String[] ALU_OPS = {"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=", "^=", "=", "s>>=", "endian", null, null};
    private static final String[] JMP_OPS = {"jmp", "==", ">", ">=", "&", "!=", "s>", "s>=", "call", "exit", "<", "<=", "s<", "s<=", null, null};
    private static final String[] LDST = {"u32", "u16", "u8", "u64"};
    private static final String[] CLASSES = {"ld", "ldx", "st", "stx", "alu", "jmp", "BUG", "alu64"};

    /** map address to "map[id:N]" (null when no loaded map is there); a call instruction to its callee's name. */
    private final LongFunction<String> mapName;
    private final IntFunction<String> helperName;

    XlatedPrinter(LongFunction<String> mapName, IntFunction<String> helperName) {
        this.mapName = mapName;
        this.helperName = helperName;
    }

    /** One printed instruction: its slot, text, raw bytes (16 for ld_imm64) and decoded fields. */
    record Line(int index, String text, byte[] bytes, BpfInsn insn) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index", index);
            m.put("code", insn.code());
            m.put("dstReg", insn.dst());
            m.put("srcReg", insn.src());
            m.put("off", insn.off());
            m.put("imm", insn.imm());
            m.put("text", text);
            m.put("bytes", hex(bytes, ""));
            return m;
        }
    }

    List<Line> lines(byte[] buf) {
        List<Line> out = new ArrayList<>();
        int n = buf.length / BpfInsn.SIZE;
        for (int i = 0; i < n; i++) {
            BpfInsn insn = BpfInsn.decode(buf, i * BpfInsn.SIZE);
            BpfInsn next = insn.wide() && i + 1 < n ? BpfInsn.decode(buf, (i + 1) * BpfInsn.SIZE) : null;
            int len = next != null ? 2 * BpfInsn.SIZE : BpfInsn.SIZE;
            byte[] bytes = java.util.Arrays.copyOfRange(buf, i * BpfInsn.SIZE, i * BpfInsn.SIZE + len);
            out.add(new Line(i, text(insn, next), bytes, insn));
            if (insn.wide()) i++;
        }
        return out;
    }

    /** crash's listing: "% 4d: " and the instruction; with opcodes, the bytes below it. */
    static String render(List<Line> lines, boolean opcodes) {
        StringBuilder sb = new StringBuilder();
        for (Line l : lines) {
            sb.append(String.format("%4d: ", l.index())).append(l.text()).append('\n');
            if (opcodes) {
                sb.append("       ").append(hex(java.util.Arrays.copyOf(l.bytes(), BpfInsn.SIZE), " "));
                if (l.bytes().length > BpfInsn.SIZE) {
                    sb.append(' ').append(hex(java.util.Arrays.copyOfRange(l.bytes(), BpfInsn.SIZE, l.bytes().length), " "));
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /** bpftool's byte listing of up to 8 bytes: two hex digits each, separated by {@code sep}. */
    private static String hex(byte[] b, String sep) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b.length; i++) {
            if (i > 0) sb.append(i % 16 == 0 ? "\n" : i % 8 == 0 ? "  " : sep);
            sb.append(String.format("%02x", b[i] & 0xff));
        }
        return sb.toString();
    }

    String text(BpfInsn i, BpfInsn next) {
        String c = String.format("(%02x) ", i.code());
        switch (i.cls()) {
            case BpfInsn.ALU, BpfInsn.ALU64 -> {
                boolean alu32 = i.cls() == BpfInsn.ALU;
                String w = alu32 ? "(u32) " : "";
                if (i.op() == BpfInsn.OP_END) {
                    if (!alu32) return String.format("BUG_alu64_%02x", i.code());
                    return c + "r" + i.dst() + " = " + (i.srcX() ? "be" : "le") + i.imm() + " r" + i.dst();
                }
                if (i.op() == BpfInsn.OP_NEG) return c + "r" + i.dst() + " = " + w + "-r" + i.dst();
                String op = ALU_OPS[i.op() >> 4];
                if (i.srcX()) return c + w + "r" + i.dst() + " " + op + " " + w + "r" + i.src();
                return c + w + "r" + i.dst() + " " + op + " " + w + i.imm();
            }
            case BpfInsn.STX -> {
                String sz = LDST[i.size() >> 3];
                if (i.mode() == BpfInsn.MEM) return c + String.format("*(%s *)(r%d %+d) = r%d", sz, i.dst(), i.off(), i.src());
                if (i.mode() == BpfInsn.ATOMIC) return c + atomic(i, sz);
                return String.format("BUG_%02x", i.code());
            }
            case BpfInsn.ST -> {
                if (i.mode() != BpfInsn.MEM) return String.format("BUG_st_%02x", i.code());
                return c + String.format("*(%s *)(r%d %+d) = %d", LDST[i.size() >> 3], i.dst(), i.off(), i.imm());
            }
            case BpfInsn.LDX -> {
                if (i.mode() != BpfInsn.MEM) return String.format("BUG_ldx_%02x", i.code());
                return c + String.format("r%d = *(%s *)(r%d %+d)", i.dst(), LDST[i.size() >> 3], i.src(), i.off());
            }
            case BpfInsn.LD -> {
                String sz = LDST[i.size() >> 3];
                if (i.mode() == BpfInsn.ABS) return c + String.format("r0 = *(%s *)skb[%d]", sz, i.imm());
                if (i.mode() == BpfInsn.IND) return c + String.format("r0 = *(%s *)skb[r%d + %d]", sz, i.src(), i.imm());
                if (i.mode() == BpfInsn.IMM && i.size() == BpfInsn.DW) {
                    long imm = (next == null ? 0L : (long) next.imm() << 32) | (i.imm() & 0xffffffffL);
                    String map = mapName.apply(imm);
                    return c + "r" + i.dst() + " = " + (map != null ? map : "0x" + Long.toHexString(imm));
                }
                return String.format("BUG_ld_%02x", i.code());
            }
            case BpfInsn.JMP, BpfInsn.JMP32 -> {
                boolean j32 = i.cls() == BpfInsn.JMP32;
                String r = j32 ? "w" : "r";
                if (!j32 && i.op() == BpfInsn.CALL) {
                    if (i.src() == BpfInsn.PSEUDO_CALL) return c + String.format("call pc%+d", i.imm());
                    return c + "call " + helperName.apply(i.imm()) + "#" + i.imm();
                }
                if (!j32 && i.op() == BpfInsn.TAIL_CALL) return c + "tail_call";
                if (!j32 && i.code() == (BpfInsn.JMP | BpfInsn.JA)) return c + String.format("goto pc%+d", i.off());
                if (!j32 && i.code() == (BpfInsn.JMP | BpfInsn.EXIT)) return c + "exit";
                String op = JMP_OPS[i.op() >> 4];
                if (op == null || (j32 && (i.op() == BpfInsn.CALL || i.op() == BpfInsn.EXIT || i.op() == BpfInsn.JA))) {
                    return c + CLASSES[i.cls()];
                }
                if (i.srcX()) return c + String.format("if %s%d %s %s%d goto pc%+d", r, i.dst(), op, r, i.src(), i.off());
                return c + String.format("if %s%d %s 0x%x goto pc%+d", r, i.dst(), op, i.imm(), i.off());
            }
            default -> {
                return c + CLASSES[i.cls()];
            }
        }
    }

    /** BPF_ATOMIC: crash's "lock ... += r" for an add; the other operations as the kernel prints them. */
    private static String atomic(BpfInsn i, String sz) {
        int imm = i.imm();
        String mem = String.format("(%s *)(r%d %+d)", sz, i.dst(), i.off());
        String r = "r";   // the kernel names registers r whatever the operand size
        if (imm == BpfInsn.OP_ADD) return "lock *" + mem + " += r" + i.src();
        int op = imm & ~BpfInsn.FETCH;
        String name = switch (op) {
            case BpfInsn.OP_ADD -> "add";
            case BpfInsn.OP_AND -> "and";
            case BpfInsn.OP_OR -> "or";
            case BpfInsn.OP_XOR -> "xor";
            default -> null;
        };
        if (name != null && (imm & BpfInsn.FETCH) == 0) {
            return "lock *" + mem + " " + ALU_OPS[op >> 4] + " " + r + i.src();
        }
        if (name != null) {
            return String.format("%s%d = atomic%s_fetch_%s(%s, %s%d)", r, i.src(), i.size() == BpfInsn.DW ? "64" : "", name, mem, r, i.src());
        }
        if (imm == (BpfInsn.OP_XCHG | BpfInsn.FETCH)) {
            return String.format("%s%d = atomic%s_xchg(%s, %s%d)", r, i.src(), i.size() == BpfInsn.DW ? "64" : "", mem, r, i.src());
        }
        if (imm == (BpfInsn.OP_CMPXCHG | BpfInsn.FETCH)) {
            return String.format("r0 = atomic%s_cmpxchg(%s, r0, %s%d)", i.size() == BpfInsn.DW ? "64" : "", mem, r, i.src());
        }
        return String.format("BUG_%02x", i.code());
    }
}
