package org.kdive.arch.x86.code;

import java.util.HashMap;
import java.util.Map;

/** x86-64 general-purpose register names: every alias (%esi, %si, %sil) to its 64-bit register, with its width. */
final class X86Registers {
    private static final Map<String, String> CANON = new HashMap<>();
    private static final Map<String, Integer> WIDTH = new HashMap<>();

    static {
        String[][] legacy = {
            {"rax", "eax", "ax", "al"}, {"rbx", "ebx", "bx", "bl"}, {"rcx", "ecx", "cx", "cl"}, {"rdx", "edx", "dx", "dl"},
            {"rsi", "esi", "si", "sil"}, {"rdi", "edi", "di", "dil"}, {"rbp", "ebp", "bp", "bpl"}, {"rsp", "esp", "sp", "spl"},
        };
        for (String[] r : legacy) {
            put(r[0], r[0], 8);
            put(r[1], r[0], 4);
            put(r[2], r[0], 2);
            put(r[3], r[0], 1);
        }
        put("ah", "rax", 1);
        put("bh", "rbx", 1);
        put("ch", "rcx", 1);
        put("dh", "rdx", 1);
        for (int i = 8; i <= 15; i++) {
            String r = "r" + i;
            put(r, r, 8);
            put(r + "d", r, 4);
            put(r + "w", r, 2);
            put(r + "b", r, 1);
        }
        put("rip", "rip", 8);
    }

    private X86Registers() {
    }

    private static void put(String alias, String reg, int width) {
        CANON.put(alias, reg);
        WIDTH.put(alias, width);
    }

    /** The 64-bit register behind an alias ("esi" → "rsi"), or null. */
    static String canonical(String alias) { return CANON.get(alias); }

    /** Access width in bytes of an alias ("esi" → 4). */
    static int width(String alias) { return WIDTH.getOrDefault(alias, 8); }
}
