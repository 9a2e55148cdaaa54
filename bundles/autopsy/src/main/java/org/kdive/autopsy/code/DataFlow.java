package org.kdive.autopsy.code;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.kdive.api.dis.Instruction;

/**
 * Which registers an instruction changes, and where a register's value came from along a straight
 * run of instructions (the function's code from its entry up to the fault, as laid out). The run is
 * an approximation of the executed path: good enough for the short compare-and-trap sequences of
 * BUG_ON()/WARN_ON() and the loads before a faulting access.
 */
public final class DataFlow {
    private DataFlow() {
    }

    /** Where a value came from. */
    public sealed interface Origin permits Entry, Load, Constant, Computed {
    }

    /** The register's value at function entry (an argument for rdi…r9). */
    public record Entry(String register) implements Origin {
    }

    /** Loaded from memory at {@code base} + {@code displacement} ({@code base} null: absolute/rip-relative). */
    public record Load(Origin base, String baseRegister, long displacement, int width, Instruction at) implements Origin {
    }

    public record Constant(long value, Instruction at) implements Origin {
    }

    /** Computed by an instruction this analysis does not follow. */
    public record Computed(Instruction at) implements Origin {
    }

    /** 64-bit registers {@code i} may change. */
    public static Set<String> writes(Instruction i) {
        String m = i.mnemonic();
        Set<String> out = new HashSet<>();
        List<Operand> ops = Operand.parseAll(i.operands());
        if (m.startsWith("call")) {
            out.addAll(Registers64.CALL_CLOBBERED);
            return out;
        }
        if (m.startsWith("cmp") || m.startsWith("test") || m.startsWith("j") || m.startsWith("nop") || m.equals("ud2")
                || m.equals("int3") || m.startsWith("ret") || m.equals("bt") || m.startsWith("bt") && m.length() == 3 && m.charAt(2) != 's'
                && m.charAt(2) != 'r' && m.charAt(2) != 'c' || m.startsWith("prefetch") || m.startsWith("lfence") || m.startsWith("mfence")) {
            return out;
        }
        if (m.startsWith("push")) {
            out.add("rsp");
            return out;
        }
        if (m.startsWith("pop")) {
            out.add("rsp");
            if (!ops.isEmpty() && ops.get(0).isRegister()) out.add(ops.get(0).register());
            return out;
        }
        if ((m.startsWith("div") || m.startsWith("idiv") || m.startsWith("mul") || m.startsWith("imul")) && ops.size() == 1
                || m.startsWith("rdtsc") || m.equals("cpuid") || m.startsWith("clt") || m.startsWith("cqto") || m.startsWith("cwt")
                || m.startsWith("cdq") || m.startsWith("cqo")) {
            out.add("rax");
            out.add("rdx");
            if (m.equals("cpuid")) {
                out.add("rbx");
                out.add("rcx");
            }
            return out;
        }
        if (m.startsWith("rep") || m.startsWith("movs") && ops.isEmpty() || m.startsWith("stos")) {
            out.add("rcx");
            out.add("rsi");
            out.add("rdi");
            return out;
        }
        if (m.startsWith("xchg") || m.startsWith("xadd") || m.startsWith("cmpxchg")) {
            for (Operand o : ops) if (o.isRegister()) out.add(o.register());
            if (m.startsWith("cmpxchg")) out.add("rax");
            return out;
        }
        if (!ops.isEmpty() && ops.get(ops.size() - 1).isRegister()) out.add(ops.get(ops.size() - 1).register());
        return out;
    }

    /** Index of the last instruction before {@code before} (exclusive) that changes {@code register}, or -1. */
    public static int lastWriter(List<Instruction> run, String register, int before) {
        for (int j = before - 1; j >= 0; j--) {
            if (writes(run.get(j)).contains(register)) return j;
        }
        return -1;
    }

    /** Whether any instruction in [from, to) changes {@code register}. */
    public static boolean writtenBetween(List<Instruction> run, String register, int from, int to) {
        for (int j = Math.max(0, from); j < to && j < run.size(); j++) if (writes(run.get(j)).contains(register)) return true;
        return false;
    }

    /** Where the value of {@code register} seen by instruction {@code before} came from. */
    public static Origin origin(List<Instruction> run, String register, int before) {
        return origin(run, register, before, 0);
    }

    private static Origin origin(List<Instruction> run, String register, int before, int depth) {
        int j = lastWriter(run, register, before);
        if (j < 0) return new Entry(register);
        Instruction w = run.get(j);
        List<Operand> ops = Operand.parseAll(w.operands());
        String m = w.mnemonic();
        if (depth < 8 && m.startsWith("mov") && !m.startsWith("movs") || depth < 8 && (m.startsWith("movs") || m.startsWith("movz"))
                && ops.size() == 2) {
            if (ops.size() == 2 && ops.get(1).isRegister() && ops.get(1).register().equals(register)) {
                Operand src = ops.get(0);
                if (src.isMemory() && src.index() == null) {
                    int width = loadWidth(m, ops.get(1).width());
                    if (src.base() == null || src.base().equals("rip")) return new Load(null, null, w.target() >= 0 ? w.target() : src.displacement(), width, w);
                    return new Load(origin(run, src.base(), j, depth + 1), src.base(), src.displacement(), width, w);
                }
                if (src.isRegister()) return origin(run, src.register(), j, depth + 1);
                if (src.kind() == Operand.Kind.IMMEDIATE) return new Constant(src.immediate(), w);
            }
        }
        if (m.startsWith("xor") && ops.size() == 2 && ops.get(0).isRegister() && ops.get(1).isRegister()
                && ops.get(0).register().equals(ops.get(1).register())) {
            return new Constant(0, w);
        }
        return new Computed(w);
    }

    /** Bytes a load reads: from the suffix of movzbl/movswl…, else the destination width. */
    static int loadWidth(String mnemonic, int destWidth) {
        if (mnemonic.startsWith("movz") || mnemonic.startsWith("movs")) {
            if (mnemonic.length() >= 5) {
                return switch (mnemonic.charAt(4)) {
                    case 'b' -> 1;
                    case 'w' -> 2;
                    case 'l' -> 4;
                    default -> destWidth;
                };
            }
        }
        return destWidth;
    }

    /** Operand width from an AT&T suffix (cmpb → 1), or 0 when the mnemonic has none. */
    public static int suffixWidth(String mnemonic) {
        if (mnemonic.length() < 4) return 0;
        return switch (mnemonic.charAt(mnemonic.length() - 1)) {
            case 'b' -> 1;
            case 'w' -> 2;
            case 'l' -> 4;
            case 'q' -> 8;
            default -> 0;
        };
    }
}
