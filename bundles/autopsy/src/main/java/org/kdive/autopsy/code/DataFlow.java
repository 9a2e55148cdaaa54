package org.kdive.autopsy.code;

import java.util.List;
import java.util.Optional;
import org.kdive.api.arch.CodeModel;
import org.kdive.api.arch.CodeModel.Assignment;
import org.kdive.api.arch.CodeModel.Operand;
import org.kdive.api.dis.Instruction;

/**
 * Where a register's value came from along a straight run of instructions (the function's code from
 * its entry up to the fault, as laid out), through the architecture's {@link CodeModel}. The run is
 * an approximation of the executed path: good enough for the short compare-and-trap sequences of
 * BUG_ON()/WARN_ON() and the loads before a faulting access.
 */
public final class DataFlow {
    /** How many copies and loads back a value is followed. */
    private static final int MAX_DEPTH = 8;

    private final CodeModel model;

    public DataFlow(CodeModel model) {
        this.model = model;
    }

    /** Where a value came from. */
    public sealed interface Origin permits Entry, Load, Constant, Computed {
    }

    /** The register's value at function entry (an argument when it is an argument register). */
    public record Entry(String register) implements Origin {
    }

    /** Loaded from memory at {@code base} + {@code displacement} ({@code base} null: absolute/pc-relative). */
    public record Load(Origin base, String baseRegister, long displacement, int width, Instruction at) implements Origin {
    }

    public record Constant(long value, Instruction at) implements Origin {
    }

    /** Computed by an instruction this analysis does not follow. */
    public record Computed(Instruction at) implements Origin {
    }

    public CodeModel model() {
        return model;
    }

    /** Index of the last instruction before {@code before} (exclusive) that changes {@code register}, or -1. */
    public int lastWriter(List<Instruction> run, String register, int before) {
        for (int j = before - 1; j >= 0; j--) {
            if (model.writes(run.get(j)).contains(register)) return j;
        }
        return -1;
    }

    /** Whether any instruction in [from, to) changes {@code register}. */
    public boolean writtenBetween(List<Instruction> run, String register, int from, int to) {
        for (int j = Math.max(0, from); j < to && j < run.size(); j++) if (model.writes(run.get(j)).contains(register)) return true;
        return false;
    }

    /** Where the value of {@code register} seen by instruction {@code before} came from. */
    public Origin origin(List<Instruction> run, String register, int before) {
        return origin(run, register, before, 0);
    }

    private Origin origin(List<Instruction> run, String register, int before, int depth) {
        int j = lastWriter(run, register, before);
        if (j < 0) return new Entry(register);
        Instruction w = run.get(j);
        Optional<Assignment> a = model.assignment(w);
        if (a.isPresent() && a.get().destination().equals(register) && (depth < MAX_DEPTH || a.get().idiom())) {
            Operand src = a.get().source();
            if (a.get().idiom()) return new Constant(src.immediate(), w);
            if (src.isMemory()) {
                if (src.base() == null || src.pcRelative()) {
                    return new Load(null, null, w.target() >= 0 ? w.target() : src.displacement(), a.get().width(), w);
                }
                return new Load(origin(run, src.base(), j, depth + 1), src.base(), src.displacement(), a.get().width(), w);
            }
            if (src.isRegister()) return origin(run, src.register(), j, depth + 1);
            if (src.kind() == Operand.Kind.IMMEDIATE) return new Constant(src.immediate(), w);
        }
        return new Computed(w);
    }

    /**
     * A register copy the code made of {@code register}'s entry value that still holds it at the end
     * of {@code run}: compilers keep an argument in another register (AArch64's {@code mov x5, x0})
     * before reusing the argument register. Copies narrower than {@code width} bytes do not count.
     *
     * @param holder the register that still holds the entry value
     * @param at     the copy instruction
     */
    public record Copy(String holder, Instruction at) {
    }

    /** The first register that holds {@code register}'s entry value at the end of {@code run}, copied at least {@code width} bytes wide. */
    public Optional<Copy> entryCopy(List<Instruction> run, String register, int width) {
        for (int j = 0; j < run.size(); j++) {
            Optional<Assignment> a = model.assignment(run.get(j));
            if (a.isEmpty() || a.get().idiom()) continue;
            Operand src = a.get().source();
            String dst = a.get().destination();
            if (!src.isRegister() || dst.equals(register) || src.width() > 0 && src.width() < width) continue;
            if (origin(run, dst, run.size()).equals(new Entry(register))) return Optional.of(new Copy(dst, run.get(j)));
        }
        return Optional.empty();
    }

    /** The value of a register truncated to {@code width} bytes. */
    public static long truncate(long value, int width) {
        return width >= 8 ? value : value & ((1L << (8 * width)) - 1);
    }
}
