package org.kdive.arch.x86.regs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kdive.api.arch.Registers;

/**
 * The x86_64 register frame: struct pt_regs (kernel ABI, 21 words) and user_regs_struct (pt_regs
 * plus the segment bases and selectors, 27 words), as saved in PRSTATUS notes and on the stack.
 */
public final class PtRegs {
    /** Register names in memory order of pt_regs / user_regs_struct. */
    public static final List<String> MEMORY_ORDER = List.of(
            "r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8",
            "rax", "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "rflags", "rsp", "ss",
            "fs_base", "gs_base", "ds", "es", "fs", "gs");

    /** The order crash prints them in; {@link Registers#values()} iterates in this order. */
    public static final List<String> PRINT_ORDER = List.of(
            "rip", "rsp", "rflags", "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp",
            "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "orig_rax", "cs", "ss",
            "fs_base", "gs_base", "ds", "es", "fs", "gs");

    public static final int PT_REGS_WORDS = 21;
    public static final int PT_REGS_SIZE = PT_REGS_WORDS * 8;
    public static final int USER_REGS_WORDS = 27;
    /** offsetof(struct pt_regs, ip): where an iret frame (ip, cs, flags, sp, ss) starts. */
    public static final int IRET_FRAME_OFFSET = 16 * 8;

    public static final String PC = "rip";
    public static final String SP = "rsp";

    private PtRegs() {
    }

    /** Offset of a register within pt_regs / user_regs_struct. */
    public static int offsetOf(String name) {
        int i = MEMORY_ORDER.indexOf(name);
        if (i < 0) throw new IllegalArgumentException("no x86_64 register " + name);
        return i * 8;
    }

    /** Registers from {@code words} little-endian 64-bit values in memory order. */
    public static Registers decode(byte[] raw, int offset, int words) {
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        long[] v = new long[words];
        for (int i = 0; i < words; i++) v[i] = b.getLong(offset + 8 * i);
        return fromWords(v);
    }

    public static Registers fromWords(long[] words) {
        Map<String, Long> byName = new LinkedHashMap<>();
        for (int i = 0; i < words.length && i < MEMORY_ORDER.size(); i++) byName.put(MEMORY_ORDER.get(i), words[i]);
        return ordered(byName);
    }

    /** Puts the values in print order (unknown names last). */
    public static Registers ordered(Map<String, Long> values) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String n : PRINT_ORDER) {
            Long v = values.get(n);
            if (v != null) m.put(n, v);
        }
        values.forEach(m::putIfAbsent);
        return new Registers(m, PC, SP);
    }

    /** crash's register block: 3 per line, then ORIG_RAX/CS/SS; absent registers are left out. */
    public static List<String> format(Registers r) {
        List<String> lines = new java.util.ArrayList<>();
        String[][] rows = {
            {"rip", "rsp", "rflags"}, {"rax", "rbx", "rcx"}, {"rdx", "rsi", "rdi"},
            {"rbp", "r8", "r9"}, {"r10", "r11", "r12"}, {"r13", "r14", "r15"}};
        for (String[] row : rows) {
            StringBuilder sb = new StringBuilder("   ");
            for (String n : row) {
                if (r.get(n).isEmpty()) continue;
                long v = r.get(n).getAsLong();
                String label = n.equals("rflags") ? "RFLAGS" : n.toUpperCase();
                String value = n.equals("rflags") ? String.format("%08x", v) : String.format("%016x", v);
                sb.append(String.format(" %3s: %s ", label, value));
            }
            lines.add(sb.toString().replaceAll("\\s+$", ""));
        }
        StringBuilder last = new StringBuilder("   ");
        r.get("orig_rax").ifPresent(v -> last.append(String.format(" ORIG_RAX: %016x ", v)));
        r.get("cs").ifPresent(v -> last.append(String.format(" CS: %04x ", v)));
        r.get("ss").ifPresent(v -> last.append(String.format(" SS: %04x ", v)));
        lines.add(last.toString().replaceAll("\\s+$", ""));
        return lines;
    }
}
