package org.kdive.arch.x86.dis;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.kdive.api.dis.Instruction;
import org.kdive.dis.capstone.Decoded;
import org.kdive.dis.capstone.Decoded.Kind;
import org.kdive.dis.capstone.Decoded.Operand;

/**
 * Renders capstone's decoded x86-64 instructions as gdb prints them (binutils' AT&T printer):
 * size suffixes only where no register operand implies the size, immediates unsigned in the operand
 * size, displacements whenever the encoding has one ("0x0(%rax,%rax,1)"), scale always printed,
 * branch targets as bare addresses, no space after commas.
 */
final class GdbSyntax {
    private static final Set<String> BRANCHES = Set.of("call", "jmp", "ljmp", "lcall", "loop", "loope", "loopne", "jrcxz", "jecxz", "xbegin");
    /** Memory-only instructions that binutils prints without a size suffix. */
    private static final Set<String> NO_SUFFIX = Set.of("lgdt", "lidt", "sgdt", "sidt", "lldt", "sldt", "ltr", "str",
            "invlpg", "clflush", "clflushopt", "clwb", "prefetch", "prefetchw", "prefetcht0", "prefetcht1", "prefetcht2",
            "prefetchnta", "fxsave", "fxrstor", "fxsave64", "fxrstor64", "xsave", "xrstor", "xsaveopt", "xsaves", "xrstors",
            "xsave64", "xrstor64", "xsaveopt64", "xsaves64", "xrstors64", "ldmxcsr", "stmxcsr", "cmpxchg16b", "cmpxchg8b",
            "call", "jmp", "push", "pop");
    private static final String[] SEGMENTS = {null, "es", "cs", "ss", "ds", "fs", "gs"};

    private GdbSyntax() {
    }

    static Instruction render(Decoded d) {
        Instruction special = special(d);
        if (special != null) return special;
        String[] words = d.mnemonic().split(" ");
        String att = words[words.length - 1];
        List<String> prefixes = new ArrayList<>();
        for (int i = 0; i < words.length - 1; i++) prefixes.add(words[i]);
        String name = d.name();
        boolean branch = BRANCHES.contains(name) || (name.startsWith("j") && !name.equals("jmp"));
        long target = -1;
        boolean dataTarget = false;
        List<String> ops = new ArrayList<>();
        boolean hasReg = false;
        boolean hasMem = false;
        boolean shiftByOne = d.opcode()[0] == 0xd0 || d.opcode()[0] == 0xd1;
        boolean shiftByCl = d.opcode()[0] == 0xd2 || d.opcode()[0] == 0xd3;
        boolean inOut = name.equals("in") || name.equals("out");
        if (shiftByCl && d.operands().stream().noneMatch(o -> o.kind() == Kind.REG && o.reg().equals("cl"))) {
            ops.add("%cl"); // capstone leaves the implicit count out of memory forms
        }
        for (Operand op : d.operands()) {
            if (shiftByCl && op.kind() == Kind.REG && op.reg().equals("cl") && ops.contains("%cl")) continue;
            if (shiftByOne && op.kind() == Kind.IMM) continue; // binutils leaves the implicit count out
            if (inOut && op.kind() == Kind.REG && op.reg().equals("dx")) {
                ops.add("(%dx)");
                continue;
            }
            switch (op.kind()) {
                case REG -> {
                    ops.add((branch ? "*" : "") + "%" + register(op.reg()));
                    if (!(shiftByCl && op.reg().equals("cl"))) hasReg = true;
                }
                case IMM -> {
                    if (branch) {
                        target = op.imm();
                        ops.add("0x" + Long.toHexString(op.imm()));
                    } else {
                        ops.add("$0x" + Long.toHexString(mask(op.imm(), op.size())));
                    }
                }
                case MEM -> {
                    ops.add((branch ? "*" : "") + memory(d, op));
                    hasMem = true;
                    // gdb comments a %rip-relative operand with the address it refers to
                    if ("rip".equals(op.base()) && target == -1) {
                        target = d.address() + d.bytes().length + op.disp();
                        dataTarget = true;
                    }
                }
            }
        }
        String mnemonic = att;
        if (name.equals("ljmp") || name.equals("lcall")) mnemonic = name;
        if ((att.equals("pushfq") || att.equals("popfq")) && d.operands().isEmpty()) mnemonic = att.substring(0, att.length() - 1);
        boolean suffixed = att.length() == name.length() + 1 && att.startsWith(name) && "bwlq".indexOf(att.charAt(att.length() - 1)) >= 0;
        if (suffixed && (hasReg || !hasMem || NO_SUFFIX.contains(name))) mnemonic = name;
        // binutils names every encoding of the left shift "shl"
        if (name.equals("sal")) mnemonic = "shl" + mnemonic.substring(3);
        StringBuilder m = new StringBuilder();
        m.append(unusedPrefixes(d, hasMem));
        for (String p : prefixes) m.append(p).append(' ');
        m.append(mnemonic);
        return new Instruction(d.address(), d.bytes(), m.toString(), String.join(",", ops), target, dataTarget);
    }

    /**
     * Prefix bytes binutils names because no operand uses them: a repeated 0x66 ("data16") and, in
     * gdb 10's printer, a segment override on an instruction without a memory operand ("cs call").
     */
    private static String unusedPrefixes(Decoded d, boolean hasMem) {
        StringBuilder sb = new StringBuilder();
        int opsize = 0;
        byte[] b = d.bytes();
        for (int i = 0; i < b.length; i++) {
            int x = b[i] & 0xff;
            if (x == 0x66) {
                if (++opsize > 1 || isPrefixOnlyNop(d)) sb.append("data16 ");
            } else if (x == 0x2e || x == 0x3e || x == 0x26 || x == 0x36 || x == 0x64 || x == 0x65) {
                if (!hasMem) sb.append(SEGMENTS[segmentIndex(x)]).append(' ');
            } else if (x != 0xf0 && x != 0xf2 && x != 0xf3 && x != 0x67) {
                break;
            }
        }
        return sb.toString();
    }

    private static boolean isPrefixOnlyNop(Decoded d) {
        return false;
    }

    private static int segmentIndex(int prefix) {
        return switch (prefix) {
            case 0x26 -> 1;
            case 0x2e -> 2;
            case 0x36 -> 3;
            case 0x3e -> 4;
            case 0x64 -> 5;
            default -> 6;
        };
    }

    /** Instructions capstone spells differently from binutils: string instructions, xchg %ax,%ax, vmgexit. */
    private static Instruction special(Decoded d) {
        byte[] b = d.bytes();
        int i = 0;
        boolean opsize = false;
        int opsizes = 0;
        boolean rexW = false;
        String rep = null;
        while (i < b.length) {
            int x = b[i] & 0xff;
            if (x == 0x66) {
                opsize = true;
                opsizes++;
            }
            else if (x == 0xf3) rep = "f3";
            else if (x == 0xf2) rep = "f2";
            else if (x >= 0x40 && x <= 0x4f) rexW = (x & 8) != 0;
            else if (x != 0x2e && x != 0x3e && x != 0x26 && x != 0x36 && x != 0x64 && x != 0x65 && x != 0x67) break;
            i++;
        }
        if (i >= b.length) return null;
        int op = b[i] & 0xff;
        if (op == 0x90 && opsize && i == b.length - 1 && !rexW && rep == null) {
            // 5.10's ftrace NOP 66 66 66 66 90: binutils names each 0x66 before the one the operand uses
            return new Instruction(d.address(), b, "data16 ".repeat(opsizes - 1) + "xchg", "%ax,%ax", -1);
        }
        if (rep != null && rep.equals("f3") && op == 0x0f && i + 2 < b.length && (b[i + 1] & 0xff) == 0x01 && (b[i + 2] & 0xff) == 0xd9) {
            return new Instruction(d.address(), b, "vmgexit", "", -1);
        }
        if (op == 0x9b && i == b.length - 1) return new Instruction(d.address(), b, "fwait", "", -1);
        if (op == 0xd7) return new Instruction(d.address(), b, "xlat", "%ds:(%rbx)", -1);
        if (op == 0x0f && i + 1 < b.length) {
            int op2 = b[i + 1] & 0xff;
            if (op2 == 0x07) return new Instruction(d.address(), b, rexW ? "sysretq" : "sysretl", "", -1);
            if (op2 == 0x01 && i + 2 < b.length && rep == null) {
                int op3 = b[i + 2] & 0xff;
                if (op3 == 0xc8) return new Instruction(d.address(), b, "monitor", "%rax,%ecx,%edx", -1);
                if (op3 == 0xc9) return new Instruction(d.address(), b, "mwait", "%eax,%ecx", -1);
            }
        }
        if (op < 0xa4 || op > 0xaf || op == 0xa8 || op == 0xa9) {
            if (op < 0x6c || op > 0x6f) return null;
        }
        boolean wide = (op & 1) == 1;
        char suffix = !wide ? 'b' : rexW ? 'q' : opsize ? 'w' : 'l';
        String acc = !wide ? "%al" : rexW ? "%rax" : opsize ? "%ax" : "%eax";
        boolean compare = op == 0xa6 || op == 0xa7 || op == 0xae || op == 0xaf;
        String prefix = rep == null ? "" : rep.equals("f2") ? "repnz " : compare ? "repz " : "rep ";
        String mnemonic;
        String operands;
        switch (op & 0xfe) {
            case 0xa4 -> { mnemonic = "movs" + suffix; operands = "%ds:(%rsi),%es:(%rdi)"; }
            case 0xa6 -> { mnemonic = "cmps" + suffix; operands = "%es:(%rdi),%ds:(%rsi)"; }
            case 0xaa -> { mnemonic = "stos"; operands = acc + ",%es:(%rdi)"; }
            case 0xac -> { mnemonic = "lods"; operands = "%ds:(%rsi)," + acc; }
            case 0xae -> { mnemonic = "scas"; operands = "%es:(%rdi)," + acc; }
            case 0x6c -> { mnemonic = "ins" + (suffix == 'q' ? 'l' : suffix); operands = "(%dx),%es:(%rdi)"; }
            case 0x6e -> { mnemonic = "outs" + (suffix == 'q' ? 'l' : suffix); operands = "%ds:(%rsi),(%dx)"; }
            default -> { return null; }
        }
        return new Instruction(d.address(), b, prefix + mnemonic, operands, -1);
    }

    /** binutils spells the debug registers %db0-%db7. */
    private static String register(String reg) {
        return reg.startsWith("dr") ? "db" + reg.substring(2) : reg;
    }

    private static String memory(Decoded d, Operand op) {
        StringBuilder sb = new StringBuilder();
        if (op.segment() != null) sb.append('%').append(op.segment()).append(':');
        boolean rip = "rip".equals(op.base());
        if (op.base() == null && op.index() == null) {
            sb.append("0x").append(Long.toHexString(op.disp()));
            return sb.toString();
        }
        if (rip || d.hasDisplacement() || op.disp() != 0) sb.append(signedHex(op.disp()));
        sb.append('(');
        if (op.base() != null) sb.append('%').append(op.base());
        if (op.index() != null) sb.append(",%").append(op.index()).append(',').append(op.scale());
        sb.append(')');
        return sb.toString();
    }

    private static String signedHex(long v) {
        return v < 0 ? "-0x" + Long.toHexString(-v) : "0x" + Long.toHexString(v);
    }

    private static long mask(long v, int size) {
        return switch (size) {
            case 1 -> v & 0xffL;
            case 2 -> v & 0xffffL;
            case 4 -> v & 0xffffffffL;
            default -> v;
        };
    }
}
