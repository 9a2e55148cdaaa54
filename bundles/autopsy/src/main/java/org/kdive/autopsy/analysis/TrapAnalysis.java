package org.kdive.autopsy.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.kdive.api.KdiveException;
import org.kdive.api.dis.Instruction;
import org.kdive.autopsy.code.DataFlow;
import org.kdive.autopsy.code.Operand;
import org.kdive.autopsy.code.Registers64;
import org.kdive.autopsy.source.Condition;

/**
 * How a BUG()/WARN() trap was reached: the conditional jump to the ud2 (or around it), the compare
 * before it, the compared values at the fault and the C expressions they are.
 */
final class TrapAnalysis {
    /** One side of the compare. */
    record Side(Operand operand, String text, OptionalLong value, int width, Expressions.Described what) {
    }

    /**
     * @param relation C operator between {@code right} (AT&T destination) and {@code left} (source) that held
     *                 when the trap fired, e.g. "<" for {@code cmp %edx,%esi; jb}
     */
    record Result(Instruction branch, boolean taken, Instruction compare, Side left, Side right, String relation,
            boolean signed, List<Instruction> path) {
    }

    private TrapAnalysis() {
    }

    static Result analyse(FunctionContext f, long trap) {
        List<Instruction> code = f.code.instructions();
        int trapIdx = f.code.indexOf(trap);
        int branchIdx = -1;
        boolean taken = true;
        List<Integer> jumps = f.code.jumpsTo(trap);
        for (int j : jumps) {
            if (!code.get(j).mnemonic().equals("jmp")) {
                branchIdx = j;
                break;
            }
        }
        if (branchIdx < 0 && trapIdx > 0 && isConditional(code.get(trapIdx - 1))) {
            branchIdx = trapIdx - 1;
            taken = false; // falls through into the trap when the jump around it is not taken
        }
        if (branchIdx < 0) return null;
        Instruction branch = code.get(branchIdx);
        int cmpIdx = -1;
        for (int j = branchIdx - 1; j >= Math.max(0, branchIdx - 6); j--) {
            String m = code.get(j).mnemonic();
            if (m.startsWith("cmp") || m.startsWith("test")) {
                cmpIdx = j;
                break;
            }
            if (m.startsWith("j") || m.startsWith("call") || m.startsWith("ret")) break;
        }
        List<Instruction> path = code.subList(0, branchIdx + 1);
        if (cmpIdx < 0) return new Result(branch, taken, null, null, null, null, false, path);
        Instruction cmp = code.get(cmpIdx);
        List<Operand> ops = Operand.parseAll(cmp.operands());
        if (ops.size() != 2) return new Result(branch, taken, cmp, null, null, null, false, path);
        int width = DataFlow.suffixWidth(cmp.mnemonic());
        for (Operand o : ops) if (o.isRegister()) width = o.width();
        if (width == 0) width = 8;
        Side left = side(f, path, ops.get(0), cmpIdx, width);
        Side right = side(f, path, ops.get(1), cmpIdx, width);
        String cc = branch.mnemonic().substring(1);
        String rel = relation(cc, cmp.mnemonic().startsWith("test"));
        if (!taken) rel = negate(rel);
        boolean signed = cc.equals("l") || cc.equals("ge") || cc.equals("g") || cc.equals("le") || cc.equals("nge")
                || cc.equals("nl") || cc.equals("ng") || cc.equals("nle");
        return new Result(branch, taken, cmp, left, right, rel, signed, path);
    }

    private static boolean isConditional(Instruction i) {
        return i.mnemonic().startsWith("j") && !i.mnemonic().equals("jmp");
    }

    private static Side side(FunctionContext f, List<Instruction> path, Operand o, int cmpIdx, int width) {
        OptionalLong value = OptionalLong.empty();
        DataFlow.Origin origin = null;
        switch (o.kind()) {
            case REGISTER -> {
                if (!DataFlow.writtenBetween(path, o.register(), cmpIdx + 1, path.size())) {
                    value = OptionalLong.of(Registers64.truncate(f.reg(o.register()), o.width()));
                }
                origin = DataFlow.origin(path, o.register(), cmpIdx);
            }
            case IMMEDIATE -> value = OptionalLong.of(Registers64.truncate(o.immediate(), width));
            case MEMORY -> {
                if (o.base() != null && o.index() == null && !o.base().equals("rip")
                        && !DataFlow.writtenBetween(path, o.base(), cmpIdx + 1, path.size())) {
                    try {
                        value = OptionalLong.of(f.session.memory().unsigned(f.reg(o.base()) + o.displacement(), width));
                    } catch (KdiveException e) {
                        // the value stays unknown
                    }
                }
                if (o.base() != null && o.index() == null) {
                    origin = new DataFlow.Load(DataFlow.origin(path, o.base(), cmpIdx), o.base(), o.displacement(), width, path.get(cmpIdx));
                }
            }
            default -> {
            }
        }
        Expressions.Described what = origin == null ? null : Expressions.describe(f, origin);
        return new Side(o, o.text(), value, width, what);
    }

    /** "dst REL src" that makes jCC jump after cmp src,dst (or after test: "dst & src REL 0"). */
    private static String relation(String cc, boolean test) {
        if (test) {
            return switch (cc) {
                case "e", "z" -> "== 0";
                case "ne", "nz" -> "!= 0";
                case "s" -> "< 0";
                case "ns" -> ">= 0";
                default -> "?" + cc;
            };
        }
        return switch (cc) {
            case "b", "c", "nae", "l", "nge" -> "<";
            case "ae", "nb", "nc", "ge", "nl" -> ">=";
            case "a", "nbe", "g", "nle" -> ">";
            case "be", "na", "le", "ng" -> "<=";
            case "e", "z" -> "==";
            case "ne", "nz" -> "!=";
            default -> "?" + cc;
        };
    }

    private static String negate(String rel) {
        return switch (rel) {
            case "<" -> ">=";
            case ">=" -> "<";
            case ">" -> "<=";
            case "<=" -> ">";
            case "==" -> "!=";
            case "!=" -> "==";
            case "== 0" -> "!= 0";
            case "!= 0" -> "== 0";
            case "< 0" -> ">= 0";
            case ">= 0" -> "< 0";
            default -> "!(" + rel + ")";
        };
    }

    /** Flips "a REL b" to "b REL' a". */
    static String mirror(String rel) {
        return switch (rel) {
            case "<" -> ">";
            case ">" -> "<";
            case "<=" -> ">=";
            case ">=" -> "<=";
            default -> rel;
        };
    }

    /** The source condition's sides matched to the compare's sides: {sourceSide → Side}, in source order. */
    static Map<String, Side> match(Condition cond, Result r) {
        Map<String, Side> out = new LinkedHashMap<>();
        if (cond == null || cond.left() == null || r == null || r.left() == null) return out;
        List<Side> sides = new ArrayList<>(List.of(r.left(), r.right()));
        for (String s : List.of(cond.left(), cond.right())) {
            for (Side side : sides) {
                if (Expressions.matches(s, side.what())) {
                    out.put(s, side);
                    sides.remove(side);
                    break;
                }
            }
        }
        if (out.size() == 1 && sides.size() == 1) {
            // the other side is whatever is left
            String other = out.containsKey(cond.left()) ? cond.right() : cond.left();
            out.put(other, sides.get(0));
        }
        return out;
    }
}
