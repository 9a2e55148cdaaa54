package org.kdive.arch.x86.code;

import java.util.ArrayList;
import java.util.List;
import org.kdive.api.arch.CodeModel.Operand;
import org.kdive.api.arch.CodeModel.Operand.Kind;

/**
 * Parses AT&T-syntax operands as gdb prints them: a register ({@code %esi}), an immediate
 * ({@code $0x0}) or a memory reference ({@code 0x38(%rdi)}, {@code -0x8(%rbp,%rax,8)}). Registers are
 * kept as their 64-bit name plus the access width.
 */
final class AttOperands {
    private AttOperands() {
    }

    /** Splits "a,b" at the commas that are not inside parentheses. */
    static List<Operand> parseAll(String operands) {
        List<Operand> out = new ArrayList<>();
        if (operands == null) return out;
        String s = operands.strip();
        int hash = s.indexOf(" #"); // gdb's "# 0x…" comment for rip-relative operands
        if (hash >= 0) s = s.substring(0, hash).strip();
        int lt = s.indexOf(" <"); // branch targets carry "<sym+off>"
        if (lt >= 0) s = s.substring(0, lt).strip();
        if (s.isEmpty()) return out;
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') depth++;
            else if (c == ')') depth--;
            else if (c == ',' && depth == 0) {
                out.add(parse(s.substring(start, i).strip()));
                start = i + 1;
            }
        }
        out.add(parse(s.substring(start).strip()));
        return out;
    }

    static Operand parse(String t) {
        if (t.startsWith("%")) {
            String r = X86Registers.canonical(t.substring(1));
            if (r != null) return new Operand(Kind.REGISTER, r, X86Registers.width(t.substring(1)), 0, null, null, 0, 0, false, t);
            return other(t);
        }
        if (t.startsWith("$")) {
            Long v = number(t.substring(1));
            return new Operand(v == null ? Kind.OTHER : Kind.IMMEDIATE, null, 0, 0, null, null, 0, v == null ? 0 : v, false, t);
        }
        int open = t.indexOf('(');
        if (open >= 0 && t.endsWith(")") && !t.contains(":")) {
            Long disp = open == 0 ? Long.valueOf(0) : number(t.substring(0, open));
            String[] parts = t.substring(open + 1, t.length() - 1).split(",", -1);
            String base = parts.length > 0 && parts[0].startsWith("%") ? X86Registers.canonical(parts[0].substring(1)) : null;
            String index = parts.length > 1 && parts[1].startsWith("%") ? X86Registers.canonical(parts[1].substring(1)) : null;
            int scale = parts.length > 2 && !parts[2].isEmpty() ? Integer.parseInt(parts[2].strip()) : 1;
            if (disp != null) return new Operand(Kind.MEMORY, null, 0, disp, base, index, scale, 0, "rip".equals(base), t);
        }
        return other(t);
    }

    private static Operand other(String t) {
        return new Operand(Kind.OTHER, null, 0, 0, null, null, 0, 0, false, t);
    }

    private static Long number(String s) {
        String t = s.strip();
        boolean neg = t.startsWith("-");
        if (neg) t = t.substring(1);
        try {
            long v = t.startsWith("0x") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
            return neg ? -v : v;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
