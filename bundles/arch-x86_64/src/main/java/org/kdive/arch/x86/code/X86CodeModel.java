package org.kdive.arch.x86.code;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.kdive.api.arch.CodeModel;
import org.kdive.api.dis.Instruction;

/**
 * What x86-64 instructions do, read from gdb's AT&T spelling: the registers they write, moves,
 * loads and zeroing idioms, jumps, and the cmp/test that sets the flags a jcc reads.
 */
public final class X86CodeModel implements CodeModel {
    public static final X86CodeModel INSTANCE = new X86CodeModel();

    /** Registers a call may change (caller-saved). */
    private static final List<String> CALL_CLOBBERED = List.of("rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11");
    /** How far back from a jcc the flag-setting compare is looked for. */
    private static final int COMPARE_WINDOW = 6;

    private X86CodeModel() {
    }

    @Override
    public List<Operand> operands(Instruction i) {
        return AttOperands.parseAll(i.operands());
    }

    @Override
    public Set<String> writes(Instruction i) {
        String m = i.mnemonic();
        Set<String> out = new HashSet<>();
        List<Operand> ops = operands(i);
        if (m.startsWith("call")) {
            out.addAll(CALL_CLOBBERED);
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

    /** mov/movzx/movsx into a register from a register, an immediate or memory without index; xor r,r. */
    @Override
    public Optional<Assignment> assignment(Instruction i) {
        List<Operand> ops = operands(i);
        String m = i.mnemonic();
        if ((m.startsWith("mov") && !m.startsWith("movs") || (m.startsWith("movs") || m.startsWith("movz")) && ops.size() == 2)
                && ops.size() == 2 && ops.get(1).isRegister()) {
            Operand src = ops.get(0);
            String dest = ops.get(1).register();
            if (src.isMemory() && src.index() == null) return Optional.of(new Assignment(dest, src, loadWidth(m, ops.get(1).width()), false));
            if (src.isRegister() || src.kind() == Operand.Kind.IMMEDIATE) return Optional.of(new Assignment(dest, src, ops.get(1).width(), false));
        }
        if (m.startsWith("xor") && ops.size() == 2 && ops.get(0).isRegister() && ops.get(1).isRegister()
                && ops.get(0).register().equals(ops.get(1).register())) {
            Operand zero = new Operand(Operand.Kind.IMMEDIATE, null, 0, 0, null, null, 0, 0, false, "$0x0");
            return Optional.of(new Assignment(ops.get(1).register(), zero, ops.get(1).width(), true));
        }
        return Optional.empty();
    }

    @Override
    public int accessWidth(Instruction i) {
        int width = suffixWidth(i.mnemonic());
        for (Operand o : operands(i)) if (o.isRegister()) width = o.width();
        return width;
    }

    @Override
    public boolean isJump(Instruction i) {
        return i.mnemonic().startsWith("j");
    }

    @Override
    public boolean isConditionalJump(Instruction i) {
        return i.mnemonic().startsWith("j") && !i.mnemonic().equals("jmp");
    }

    @Override
    public boolean endsRun(Instruction i) {
        String m = i.mnemonic();
        return m.startsWith("j") || m.startsWith("call") || m.startsWith("ret");
    }

    /**
     * The cmp/test before a jcc (at most {@value #COMPARE_WINDOW} instructions back, not across
     * another jump, call or return). {@code cmp src,dst; jCC} jumps when "dst REL src".
     */
    @Override
    public Optional<Comparison> comparison(List<Instruction> code, int branch) {
        int cmpIdx = -1;
        for (int j = branch - 1; j >= Math.max(0, branch - COMPARE_WINDOW); j--) {
            String m = code.get(j).mnemonic();
            if (m.startsWith("cmp") || m.startsWith("test")) {
                cmpIdx = j;
                break;
            }
            if (endsRun(code.get(j))) break;
        }
        if (cmpIdx < 0) return Optional.empty();
        Instruction cmp = code.get(cmpIdx);
        List<Operand> ops = operands(cmp);
        if (ops.size() != 2) return Optional.of(new Comparison(cmpIdx, null, null, 0, null, false));
        int width = accessWidth(cmp);
        if (width == 0) width = 8;
        String cc = code.get(branch).mnemonic().substring(1);
        boolean signed = cc.equals("l") || cc.equals("ge") || cc.equals("g") || cc.equals("le") || cc.equals("nge")
                || cc.equals("nl") || cc.equals("ng") || cc.equals("nle");
        return Optional.of(new Comparison(cmpIdx, ops.get(1), ops.get(0), width, relation(cc, cmp.mnemonic().startsWith("test")), signed));
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
    static int suffixWidth(String mnemonic) {
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
