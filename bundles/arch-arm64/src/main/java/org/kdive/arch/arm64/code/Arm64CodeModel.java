package org.kdive.arch.arm64.code;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.kdive.api.arch.CodeModel;
import org.kdive.api.dis.Instruction;
import org.kdive.arch.arm64.regs.Arm64Regs;

/**
 * What AArch64 instructions do, read from gdb's spelling (destination first): loads (ldr*), register
 * copies and constants (mov), the flag-setting compare (cmp/cmn/tst, subs/adds into xzr) before a
 * b.cond, and the compare-and-branch instructions (cbz/cbnz/tbz/tbnz) that are their own compare.
 * Register names are the 64-bit ones (w5 is x5 with width 4).
 */
public final class Arm64CodeModel implements CodeModel {
    public static final Arm64CodeModel INSTANCE = new Arm64CodeModel();
    private static final int COMPARE_WINDOW = 6;
    private static final Pattern REG = Pattern.compile("^([xw])(\\d+)$");
    private static final Pattern MEM = Pattern.compile("^\\[([a-z0-9]+)(?:,\\s*#(-?\\d+))?\\]!?$");

    private Arm64CodeModel() {
    }

    @Override
    public List<Operand> operands(Instruction i) {
        List<Operand> out = new ArrayList<>();
        for (String t : split(i.operands())) out.add(operand(t, i));
        return out;
    }

    /** Splits at top-level commas (not inside [...]). */
    static List<String> split(String ops) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int k = 0; k < ops.length(); k++) {
            char c = ops.charAt(k);
            if (c == '[') depth++;
            else if (c == ']') depth--;
            else if (c == ',' && depth == 0) {
                out.add(ops.substring(start, k).trim());
                start = k + 1;
            }
        }
        if (!ops.isBlank()) out.add(ops.substring(start).trim());
        return out;
    }

    private static Operand operand(String t, Instruction i) {
        Matcher r = REG.matcher(t);
        if (r.matches()) {
            return new Operand(Operand.Kind.REGISTER, "x" + r.group(2), r.group(1).equals("w") ? 4 : 8, 0, null, null, 1, 0, false, t);
        }
        if (t.equals("sp") || t.equals("wsp")) return new Operand(Operand.Kind.REGISTER, "sp", 8, 0, null, null, 1, 0, false, t);
        if (t.equals("xzr") || t.equals("wzr")) {
            return new Operand(Operand.Kind.IMMEDIATE, null, 0, 0, null, null, 1, 0, false, t);
        }
        if (t.startsWith("#")) {
            String v = t.substring(1);
            long n = v.startsWith("0x") ? Long.parseUnsignedLong(v.substring(2), 16)
                    : v.startsWith("-0x") ? -Long.parseUnsignedLong(v.substring(3), 16) : parseOr(v);
            return new Operand(Operand.Kind.IMMEDIATE, null, 0, 0, null, null, 1, n, false, t);
        }
        Matcher m = MEM.matcher(t);
        if (m.matches()) {
            String base = m.group(1);
            Matcher br = REG.matcher(base);
            String b = br.matches() ? "x" + br.group(2) : base;
            long disp = m.group(2) == null ? 0 : Long.parseLong(m.group(2));
            return new Operand(Operand.Kind.MEMORY, null, 0, disp, b, null, 1, 0, false, t);
        }
        return new Operand(Operand.Kind.OTHER, null, 0, 0, null, null, 1, 0, false, t);
    }

    private static long parseOr(String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public Set<String> writes(Instruction i) {
        String m = i.mnemonic();
        Set<String> out = new HashSet<>();
        if (m.equals("bl") || m.equals("blr")) {
            out.addAll(Arm64Regs.ROLES.callClobbered());
            return out;
        }
        if (isJump(i) || m.equals("ret") || m.equals("brk") || m.startsWith("cmp") || m.startsWith("cmn") || m.startsWith("tst")
                || m.equals("nop") || m.startsWith("str") || m.startsWith("stp") || m.startsWith("stur") || m.equals("paciasp")
                || m.equals("autiasp") || m.startsWith("hint") || m.startsWith("bti") || m.startsWith("dmb") || m.startsWith("dsb")
                || m.startsWith("isb") || m.startsWith("prfm")) {
            if ((m.startsWith("str") || m.startsWith("stp")) && i.operands().endsWith("!")) addBase(i, out);
            return out;
        }
        List<Operand> ops = operands(i);
        if (m.equals("ldp") && ops.size() >= 2) {
            if (ops.get(0).isRegister()) out.add(ops.get(0).register());
            if (ops.get(1).isRegister()) out.add(ops.get(1).register());
            return out;
        }
        if (!ops.isEmpty() && ops.get(0).isRegister()) out.add(ops.get(0).register());
        return out;
    }

    private void addBase(Instruction i, Set<String> out) {
        for (Operand o : operands(i)) if (o.isMemory() && o.base() != null) out.add(o.base());
    }

    @Override
    public Optional<Assignment> assignment(Instruction i) {
        String m = i.mnemonic();
        List<Operand> ops = operands(i);
        if (ops.size() != 2 || !ops.get(0).isRegister()) return Optional.empty();
        String dst = ops.get(0).register();
        Operand src = ops.get(1);
        if (m.equals("mov") || m.equals("movz")) {
            if (src.text().equals("xzr") || src.text().equals("wzr")) return Optional.of(new Assignment(dst, src, 0, true));
            return Optional.of(new Assignment(dst, src, 0, false));
        }
        if (src.isMemory() && (m.equals("ldr") || m.equals("ldur") || m.startsWith("ldrb") || m.startsWith("ldrh")
                || m.equals("ldrsw") || m.startsWith("ldrsb") || m.startsWith("ldrsh"))) {
            int width = m.endsWith("b") ? 1 : m.endsWith("h") ? 2 : m.equals("ldrsw") ? 4 : ops.get(0).width();
            return Optional.of(new Assignment(dst, src, width, false));
        }
        return Optional.empty();
    }

    @Override
    public int accessWidth(Instruction i) {
        for (Operand o : operands(i)) if (o.isRegister()) return o.width();
        return 0;
    }

    @Override
    public boolean isJump(Instruction i) {
        String m = i.mnemonic();
        return m.equals("b") || m.startsWith("b.") || m.equals("cbz") || m.equals("cbnz") || m.equals("tbz") || m.equals("tbnz")
                || m.equals("br");
    }

    @Override
    public boolean isConditionalJump(Instruction i) {
        String m = i.mnemonic();
        return m.startsWith("b.") || m.equals("cbz") || m.equals("cbnz") || m.equals("tbz") || m.equals("tbnz");
    }

    @Override
    public boolean endsRun(Instruction i) {
        String m = i.mnemonic();
        return isJump(i) || m.equals("bl") || m.equals("blr") || m.equals("ret") || m.equals("brk");
    }

    @Override
    public Optional<Comparison> comparison(List<Instruction> code, int branch) {
        Instruction b = code.get(branch);
        String m = b.mnemonic();
        List<Operand> bops = operands(b);
        if ((m.equals("cbz") || m.equals("cbnz")) && !bops.isEmpty()) {
            Operand zero = new Operand(Operand.Kind.IMMEDIATE, null, 0, 0, null, null, 1, 0, false, "#0");
            return Optional.of(new Comparison(branch, bops.get(0), zero, bops.get(0).width(), m.equals("cbz") ? "==" : "!=", false));
        }
        if ((m.equals("tbz") || m.equals("tbnz")) && bops.size() >= 2) {
            long bit = bops.get(1).immediate();
            Operand mask = new Operand(Operand.Kind.IMMEDIATE, null, 0, 0, null, null, 1, 1L << bit, false, "#" + (1L << bit));
            return Optional.of(new Comparison(branch, bops.get(0), mask, bops.get(0).width(), m.equals("tbz") ? "== 0" : "!= 0", false));
        }
        if (!m.startsWith("b.")) return Optional.empty();
        String cond = m.substring(2);
        for (int k = branch - 1; k >= 0 && k >= branch - COMPARE_WINDOW; k--) {
            Instruction c = code.get(k);
            String cm = c.mnemonic();
            List<Operand> ops = operands(c);
            boolean cmp = cm.equals("cmp") || cm.equals("cmn");
            boolean subs = (cm.equals("subs") || cm.equals("adds")) && ops.size() == 3;
            if (cm.equals("tst") && ops.size() == 2) {
                String rel = switch (cond) { case "eq" -> "== 0"; case "ne" -> "!= 0"; case "mi" -> "< 0"; case "pl" -> ">= 0";
                    default -> "? " + cond; };
                return Optional.of(new Comparison(k, ops.get(0), ops.get(1), ops.get(0).width(), rel, false));
            }
            if (cmp && ops.size() == 2 || subs) {
                Operand lhs = subs ? ops.get(1) : ops.get(0);
                Operand rhs = subs ? ops.get(2) : ops.get(1);
                String rel = relation(cond);
                boolean signed = Set.of("lt", "le", "gt", "ge").contains(cond);
                return Optional.of(new Comparison(k, lhs, rhs, lhs.width(), rel, signed));
            }
            if (!writes(c).isEmpty() && (cm.startsWith("adds") || cm.startsWith("subs") || cm.startsWith("ands"))) break;
            if (endsRun(c)) break;
        }
        return Optional.empty();
    }

    /** The relation lhs REL rhs that holds when b.COND is taken after cmp lhs, rhs. */
    static String relation(String cond) {
        return switch (cond) {
            case "eq" -> "==";
            case "ne" -> "!=";
            case "cc", "lo" -> "<";
            case "cs", "hs" -> ">=";
            case "hi" -> ">";
            case "ls" -> "<=";
            case "lt" -> "<";
            case "le" -> "<=";
            case "gt" -> ">";
            case "ge" -> ">=";
            default -> "? " + cond;
        };
    }
}
