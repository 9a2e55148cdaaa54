package org.kdive.autopsy.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Optional;
import org.kdive.api.KdiveException;
import org.kdive.api.arch.CodeModel;
import org.kdive.api.arch.CodeModel.Comparison;
import org.kdive.api.arch.CodeModel.Operand;
import org.kdive.api.dis.Instruction;
import org.kdive.autopsy.code.DataFlow;
import org.kdive.autopsy.source.Condition;

/**
 * How a BUG()/WARN() trap was reached: the conditional jump to the trap instruction (or around it),
 * the compare that decides it (as the architecture's {@link CodeModel} finds it), the compared values
 * at the fault and the C expressions they are.
 */
final class TrapAnalysis {
    /** One side of the compare. */
    record Side(Operand operand, String text, OptionalLong value, int width, Expressions.Described what) {
    }

    /**
     * @param left     the compare's second side ({@link Comparison#rhs()}), printed first as the
     *                 disassembler lists it
     * @param right    the compare's first side ({@link Comparison#lhs()})
     * @param relation C operator that held between {@code right} and {@code left} when the trap fired
     */
    record Result(Instruction branch, boolean taken, Instruction compare, Side left, Side right, String relation,
            boolean signed, List<Instruction> path) {
    }

    private TrapAnalysis() {
    }

    static Result analyse(FunctionContext f, long trap) {
        CodeModel model = f.code.model();
        List<Instruction> code = f.code.instructions();
        int trapIdx = f.code.indexOf(trap);
        int branchIdx = -1;
        boolean taken = true;
        List<Integer> jumps = f.code.jumpsTo(trap);
        for (int j : jumps) {
            if (model.isConditionalJump(code.get(j))) {
                branchIdx = j;
                break;
            }
        }
        if (branchIdx < 0 && trapIdx > 0 && model.isConditionalJump(code.get(trapIdx - 1))) {
            branchIdx = trapIdx - 1;
            taken = false; // falls through into the trap when the jump around it is not taken
        }
        if (branchIdx < 0) return null;
        Instruction branch = code.get(branchIdx);
        List<Instruction> path = code.subList(0, branchIdx + 1);
        Optional<Comparison> c = model.comparison(code, branchIdx);
        if (c.isEmpty()) return new Result(branch, taken, null, null, null, null, false, path);
        int cmpIdx = c.get().index();
        Instruction cmp = code.get(cmpIdx);
        if (c.get().lhs() == null || c.get().rhs() == null) return new Result(branch, taken, cmp, null, null, null, false, path);
        int width = c.get().width();
        Side left = side(f, path, c.get().rhs(), cmpIdx, width);
        Side right = side(f, path, c.get().lhs(), cmpIdx, width);
        String rel = c.get().relation();
        if (!taken) rel = negate(rel);
        return new Result(branch, taken, cmp, left, right, rel, c.get().signed(), path);
    }

    private static Side side(FunctionContext f, List<Instruction> path, Operand o, int cmpIdx, int width) {
        OptionalLong value = OptionalLong.empty();
        DataFlow.Origin origin = null;
        switch (o.kind()) {
            case REGISTER -> {
                if (!f.flow.writtenBetween(path, o.register(), cmpIdx + 1, path.size())) {
                    value = OptionalLong.of(DataFlow.truncate(f.reg(o.register()), o.width()));
                }
                origin = f.flow.origin(path, o.register(), cmpIdx);
            }
            case IMMEDIATE -> value = OptionalLong.of(DataFlow.truncate(o.immediate(), width));
            case MEMORY -> {
                if (o.base() != null && o.index() == null && !o.pcRelative()
                        && !f.flow.writtenBetween(path, o.base(), cmpIdx + 1, path.size())) {
                    try {
                        value = OptionalLong.of(f.session.memory().unsigned(f.reg(o.base()) + o.displacement(), width));
                    } catch (KdiveException e) {
                        // the value stays unknown
                    }
                }
                if (o.base() != null && o.index() == null) {
                    origin = new DataFlow.Load(f.flow.origin(path, o.base(), cmpIdx), o.base(), o.displacement(), width, path.get(cmpIdx));
                }
            }
            default -> {
            }
        }
        Expressions.Described what = origin == null ? null : Expressions.describe(f, origin);
        return new Side(o, o.text(), value, width, what);
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
