package org.kdive.arch.arm64.dis;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.kdive.api.dis.Instruction;
import org.kdive.dis.capstone.Decoded;

/**
 * Capstone's AArch64 text as gdb/objdump print it: branch targets as plain addresses (the caller
 * appends "&lt;symbol+off&gt;"), memory offsets, shift amounts and bit positions in decimal, other
 * immediates in hex, and the condition codes gdb spells cc/cs where capstone says lo/hs.
 */
public final class GdbArm64Syntax {
    private static final Pattern IMM = Pattern.compile("#(-?)(0x[0-9a-f]+|[0-9]+)");
    private static final Pattern MEM = Pattern.compile("\\[([^\\]]*)\\]");
    /** movz/movn without a shift: gdb prints them as mov of the value they make. */
    private static final Pattern MOV_WIDE = Pattern.compile("^([wx]\\d+|[wx]zr), #(0x[0-9a-f]+|[0-9]+)$");
    /** Immediates that are bit positions, widths or shift counts: gdb prints them in decimal. */
    private static final Set<String> DECIMAL_IMM = Set.of("lsl", "lsr", "asr", "ror", "ubfx", "sbfx", "ubfiz", "sbfiz",
            "bfi", "bfxil", "extr", "tbz", "tbnz", "ccmp", "ccmn");
    private static final Set<String> BRANCHES = Set.of("b", "bl", "cbz", "cbnz", "tbz", "tbnz", "adr", "adrp");

    private GdbArm64Syntax() {
    }

    public static Instruction render(Decoded d) {
        String m = d.mnemonic();
        String ops = d.opStr() == null ? "" : d.opStr();
        if (m.startsWith("b.")) m = "b." + condition(m.substring(2));
        // capstone 4 leaves these as their base encodings; gdb prints the aliases
        if (m.equals("hint")) {
            String alias = switch (ops) {
                case "#0x19" -> "paciasp";
                case "#0x1b" -> "pacibsp";
                case "#0x1d" -> "autiasp";
                case "#0x1f" -> "autibsp";
                case "#0x22" -> "bti\tc";
                case "#0x24" -> "bti\tj";
                case "#0x26" -> "bti\tjc";
                case "#0x7" -> "xpaclri";
                default -> null;
            };
            if (alias != null) {
                int tab = alias.indexOf('\t');
                return new Instruction(d.address(), d.bytes(), tab < 0 ? alias : alias.substring(0, tab),
                        tab < 0 ? "" : alias.substring(tab + 1), -1);
            }
        }
        Matcher mov = MOV_WIDE.matcher(ops);
        if ((m.equals("movz") || m.equals("movn")) && mov.matches()) {
            long v = parse(mov.group(2));
            boolean w = mov.group(1).startsWith("w");
            if (m.equals("movn")) v = w ? ~v & 0xffffffffL : ~v;
            return new Instruction(d.address(), d.bytes(), "mov", mov.group(1) + ", #0x" + Long.toHexString(v), -1);
        }
        long target = -1;
        if (m.startsWith("b.") || BRANCHES.contains(m)) {
            // the last operand is the target address
            Matcher t = Pattern.compile("#(0x[0-9a-f]+|[0-9]+)$").matcher(ops);
            if (t.find()) {
                target = parse(t.group(1));
                if (m.equals("adrp")) target &= ~0xfffL;
                ops = ops.substring(0, t.start()) + String.format("0x%x", target);
            }
        }
        ops = memoryDecimal(ops);
        if (target == -1) ops = immediates(m, ops);
        return new Instruction(d.address(), d.bytes(), m, ops, target);
    }

    private static String condition(String c) {
        return switch (c) {
            case "lo" -> "cc";
            case "hs" -> "cs";
            default -> c;
        };
    }

    /** "[x0, #0x59]" → "[x0, #89]". */
    private static String memoryDecimal(String ops) {
        Matcher mm = MEM.matcher(ops);
        StringBuilder sb = new StringBuilder();
        while (mm.find()) {
            Matcher im = IMM.matcher(mm.group(1));
            StringBuilder in = new StringBuilder();
            while (im.find()) im.appendReplacement(in, "#" + im.group(1) + parse(im.group(2)));
            im.appendTail(in);
            mm.appendReplacement(sb, Matcher.quoteReplacement("[" + in + "]"));
        }
        mm.appendTail(sb);
        return sb.toString();
    }

    /** Immediates outside memory operands: hex, except shift amounts and bit fields (decimal). */
    private static String immediates(String mnemonic, String ops) {
        boolean decimal = DECIMAL_IMM.contains(mnemonic);
        StringBuilder sb = new StringBuilder();
        int depth = 0;
        int i = 0;
        while (i < ops.length()) {
            char c = ops.charAt(i);
            if (c == '[') depth++;
            if (c == ']') depth--;
            if (c == '#' && depth == 0) {
                Matcher im = IMM.matcher(ops);
                if (im.find(i) && im.start() == i) {
                    long v = parse(im.group(2));
                    // a post-index offset ("[sp], #16") is a memory offset: decimal as inside the brackets
                    boolean postIndex = sb.toString().endsWith("], ");
                    boolean shift = postIndex || sb.toString().endsWith("lsl ") || sb.toString().endsWith("lsr ")
                            || sb.toString().endsWith("asr ") || sb.toString().endsWith("ror ")
                            || sb.toString().endsWith("msl ");
                    if (decimal || shift) {
                        sb.append('#').append(im.group(1)).append(v);
                    } else if (im.group(1).isEmpty()) {
                        sb.append(String.format("#0x%x", v));
                    } else {
                        sb.append('#').append('-').append(v);
                    }
                    i = im.end();
                    continue;
                }
            }
            sb.append(c);
            i++;
        }
        return sb.toString();
    }

    private static long parse(String s) {
        return s.startsWith("0x") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseLong(s);
    }
}
