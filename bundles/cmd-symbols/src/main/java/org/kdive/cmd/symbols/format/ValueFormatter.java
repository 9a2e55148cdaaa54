package org.kdive.cmd.symbols.format;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.kdive.api.command.CommandException;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.api.session.Memory;
import org.kdive.api.symbols.Enumerator;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Type;
import org.kdive.api.symbols.Type.Kind;
import org.kdive.cmd.symbols.expr.Value;
import org.kdive.cmd.symbols.types.CDecl;

/**
 * Prints values as gdb 10.2 does with crash's settings: pretty structs, 256 elements, no
 * {@code <repeats N times>} (crash sets the threshold to 0x7fffffff), symbolic pointers, strings
 * behind char pointers.
 *
 * @param format     gdb's /FMT letter (x, d, u, o, t, c, a, z) or 0
 * @param outputHex  crash's output radix 16 ({@code -x}): integers in hex, the rest unchanged
 */
public record ValueFormatter(Symbolizer symbolizer, char format, boolean outputHex) {
    /** crash's "print elements" (gdb's default is 200). */
    static final int PRINT_MAX = 256;

    public ValueFormatter withFormat(char f) {
        return new ValueFormatter(symbolizer, f, outputHex);
    }

    /** The top-level rendering of {@code print}: pointers get their type in parentheses. */
    public String top(Value v) {
        if (v.isNoDebugText()) {
            return "{<text variable, no debug info>} 0x" + Long.toHexString(v.address()) + symbolizer.suffix(v.address());
        }
        if (v.isNoDebugData()) {
            throw new CommandException("'" + v.noDebugName() + "' has unknown type; cast it to its declared type");
        }
        Type t = v.resolved();
        StringBuilder sb = new StringBuilder();
        if (format != 0 && isScalar(t)) {
            return scalarFormatted(v, format);
        }
        if (t.kind() == Kind.POINTER && format == 0) {
            Type original = v.type();
            boolean plainCharPointer = original.kind() == Kind.POINTER && original.name() == null
                    && "char".equals(unqualified(original.target()).name());
            if (!plainCharPointer) sb.append('(').append(CDecl.name(original)).append(") ");
        }
        sb.append(value(v, 0));
        return sb.toString();
    }

    private static Type unqualified(Type t) {
        Type cur = t;
        while (cur != null && (cur.kind() == Kind.CONST || cur.kind() == Kind.VOLATILE
                || cur.kind() == Kind.RESTRICT || cur.kind() == Kind.ATOMIC)) cur = cur.target();
        return cur == null ? org.kdive.cmd.symbols.types.Synthetic.VOID : cur;
    }

    static boolean isScalar(Type t) {
        return switch (t.kind()) {
            case BASE, POINTER, ENUM -> true;
            default -> false;
        };
    }

    /** gdb's common_val_print at nesting depth {@code recurse}. */
    public String value(Value v, int recurse) {
        StringBuilder sb = new StringBuilder();
        value(sb, v, recurse);
        return sb.toString();
    }

    private void value(StringBuilder sb, Value v, int recurse) {
        Type t = v.resolved();
        switch (t.kind()) {
            case STRUCT, UNION -> struct(sb, v, t, recurse);
            case ARRAY -> array(sb, v, t, recurse);
            case POINTER -> pointer(sb, v, t);
            case ENUM -> enumValue(sb, v, t);
            case BASE -> base(sb, v, t);
            case FUNCTION -> sb.append('{').append(CDecl.name(v.type())).append("} 0x")
                    .append(Long.toHexString(v.address())).append(symbolizer.suffix(v.address()));
            case VOID -> sb.append("void");
            default -> sb.append(scalarFormatted(v, 'x'));
        }
    }

    private void struct(StringBuilder sb, Value v, Type t, int recurse) {
        List<Member> members = t.members();
        if (members.isEmpty() && (t.isDeclaration() || t.size() < 0)) {
            sb.append("<incomplete type>");
            return;
        }
        if (members.isEmpty()) {
            sb.append("{<No data fields>}"); // gdb's words for a struct without members (lockdep_map_p without lockdep)
            return;
        }
        sb.append('{');
        boolean seen = false;
        for (Member m : members) {
            sb.append(seen ? ",\n" : "\n");
            seen = true;
            sb.append(" ".repeat(2 + 2 * recurse));
            boolean anonymous = m.name() == null || m.name().isEmpty();
            if (!anonymous) sb.append(m.name()).append(" = ");
            memberValue(sb, v, m, recurse + 1);
        }
        if (seen) sb.append('\n').append(" ".repeat(2 * recurse));
        sb.append('}');
    }

    /** One member's value (bitfields extracted) at depth {@code recurse}. */
    public void memberValue(StringBuilder sb, Value whole, Member m, int recurse) {
        try {
            value(sb, member(whole, m), recurse);
        } catch (CommandException e) {
            if (!e.getMessage().startsWith("Cannot access memory")) throw e;
            sb.append("<error: ").append(e.getMessage()).append('>');
        }
    }

    /** A member of a struct value; bitfields become computed values of the member's type. */
    public static Value member(Value whole, Member m) {
        if (!m.isBitfield()) return whole.part(m.type(), m.offset());
        long bitPos = m.offset() * 8 + m.bitOffset();
        long firstByte = bitPos / 8;
        int shift = (int) (bitPos % 8);
        int span = (shift + m.bitSize() + 7) / 8;
        byte[] raw = whole.part(org.kdive.cmd.symbols.types.Synthetic.array(
                org.kdive.cmd.symbols.types.Synthetic.UCHAR, span), firstByte).bytes();
        long bits = 0;
        for (int i = Math.min(8, raw.length) - 1; i >= 0; i--) bits = (bits << 8) | (raw[i] & 0xff);
        bits >>>= shift;
        if (span > 8 && shift > 0) bits |= (long) (raw[8] & 0xff) << (64 - shift);
        int w = m.bitSize();
        if (w < 64) {
            bits &= (1L << w) - 1;
            Type rt = m.type().resolve();
            if ((rt.kind() == Kind.BASE || rt.kind() == Kind.ENUM) && rt.isSigned() && !rt.isBool()
                    && ((bits >>> (w - 1)) & 1) != 0) bits |= -1L << w;
        }
        return Value.of(m.type(), bits);
    }

    private void array(StringBuilder sb, Value v, Type t, int recurse) {
        Type elem = t.target();
        long esize = elem == null ? -1 : elem.resolve().size();
        long count = t.count();
        if (esize <= 0 || count <= 0 || t.size() <= 0) {
            // gdb: an array of unspecified length prints like a pointer to its first element
            long addr = v.address();
            unpackedPointer(sb, elem, addr);
            return;
        }
        if (format == 0 && isTextual(elem)) {
            sb.append(printString(v.bytes(), (int) count, false));
            return;
        }
        sb.append('{');
        long n = Math.min(count, PRINT_MAX);
        for (long i = 0; i < n; i++) {
            if (i != 0) sb.append(", ");
            value(sb, v.part(elem, i * esize), recurse + 1);
        }
        if (n < count) sb.append("...");
        sb.append('}');
    }

    /** One-byte integers are characters to gdb (char, signed char, unsigned char, u8 …). */
    public static boolean isTextual(Type t) {
        if (t == null) return false;
        Type r = t.resolve();
        return r.kind() == Kind.BASE && r.size() == 1 && !r.isBool() && !r.isFloat();
    }

    private void pointer(StringBuilder sb, Value v, Type t) {
        if (format != 0 && format != 's') {
            sb.append(scalarFormatted(v, format));
            return;
        }
        unpackedPointer(sb, t.target(), v.bits());
    }

    private void unpackedPointer(StringBuilder sb, Type target, long addr) {
        Type rt = target == null ? null : target.resolve();
        sb.append("0x").append(Long.toHexString(addr));
        sb.append(symbolizer.suffix(addr));
        if (rt != null && rt.kind() != Kind.FUNCTION && isTextual(target) && addr != 0) {
            sb.append(' ').append(stringAt(addr));
        }
    }

    /** The C string at {@code addr} as gdb prints it (256 characters at most, then "..."). */
    String stringAt(long addr) {
        Memory memory = symbolizer.memory();
        byte[] buf = new byte[PRINT_MAX];
        int n = 0;
        boolean error = false;
        boolean terminated = false;
        while (n < PRINT_MAX) {
            if (!readByte(memory, addr + n, buf, n)) {
                error = true;
                break;
            }
            if (buf[n] == 0) {
                terminated = true;
                break;
            }
            n++;
        }
        // gdb peeks past a full buffer: "..." only when the string really goes on
        boolean more = false;
        if (!terminated && !error) {
            byte[] peek = new byte[1];
            more = readByte(memory, addr + n, peek, 0) && peek[0] != 0;
        }
        StringBuilder sb = new StringBuilder();
        if (!error || n > 0) sb.append(printString(Arrays.copyOf(buf, n), n, more));
        if (error) sb.append("<error: Cannot access memory at address 0x").append(Long.toHexString(addr + n)).append('>');
        return sb.toString();
    }

    private static boolean readByte(Memory memory, long addr, byte[] buf, int at) {
        try {
            memory.read(addr, buf, at, 1);
            return true;
        } catch (MemoryAccessException | CommandException e) {
            return false;
        }
    }

    /**
     * gdb 10.2's generic_printstr for {@code length} one-byte characters under crash's settings: the
     * final NUL dropped, runs of equal characters taken whole until 256 characters are reached, no
     * repeat counts, "..." when something is left.
     */
    static String printString(byte[] s, int length, boolean forceEllipses) {
        if (!forceEllipses && length > 0 && s[length - 1] == 0) length--;
        if (length == 0) return "\"\"";
        StringBuilder sb = new StringBuilder("\"");
        int i = 0;
        boolean afterOctal = false;
        while (i < length && i < PRINT_MAX) {
            int run = 1;
            while (i + run < length && s[i + run] == s[i]) run++;
            String e = escape(s[i], '"');
            for (int k = 0; k < run; k++) {
                // gdb writes a digit after an octal escape in octal too ("\000\066.12"), so it cannot be read as part of it
                boolean digit = s[i] >= '0' && s[i] <= '9';
                sb.append(afterOctal && digit ? String.format("\\%03o", s[i] & 0xff) : e);
                afterOctal = afterOctal && digit || e.length() == 4 && e.charAt(0) == '\\' && Character.isDigit(e.charAt(1));
            }
            i += run;
        }
        sb.append('"');
        if (forceEllipses || i < length) sb.append("...");
        return sb.toString();
    }

    static String escape(byte b, char quote) {
        int c = b & 0xff;
        switch (c) {
            case '\n': return "\\n";
            case '\t': return "\\t";
            case '\b': return "\\b";
            case '\f': return "\\f";
            case '\r': return "\\r";
            case 7: return "\\a";
            case 11: return "\\v";
            case 27: return "\\033";
            case '\\': return "\\\\";
            default:
        }
        if (c == quote) return "\\" + quote;
        if (c >= 0x20 && c < 0x7f) return String.valueOf((char) c);
        return String.format("\\%03o", c);
    }

    private void enumValue(StringBuilder sb, Value v, Type t) {
        if (format != 0) {
            sb.append(scalarFormatted(v, format));
            return;
        }
        long val = v.asLong();
        List<Enumerator> es = t.enumerators();
        for (Enumerator e : es) {
            if (e.value() == val) {
                sb.append(e.name());
                return;
            }
        }
        if (isFlagEnum(es) && val > 0) {
            List<String> parts = new ArrayList<>();
            long rest = val;
            for (Enumerator e : es) {
                if (e.value() != 0 && (rest & e.value()) == e.value()) {
                    parts.add(e.name());
                    rest &= ~e.value();
                }
            }
            if (rest != 0) parts.add("unknown: 0x" + Long.toHexString(rest));
            sb.append('(').append(String.join(" | ", parts)).append(')');
            return;
        }
        sb.append(val);
    }

    /** gdb's flag enum: non-negative values whose bits do not overlap. */
    private static boolean isFlagEnum(List<Enumerator> es) {
        long mask = 0;
        for (Enumerator e : es) {
            if (e.value() < 0) return false;
            if ((mask & e.value()) != 0) return false;
            mask |= e.value();
        }
        return !es.isEmpty();
    }

    private void base(StringBuilder sb, Value v, Type t) {
        if (t.isFloat()) {
            if (format != 0) sb.append(scalarFormatted(v, format));
            else sb.append(formatDouble(v.asDouble(), t.size() == 4 ? 9 : 17));
            return;
        }
        if (format != 0 || outputHex) {
            sb.append(scalarFormatted(v, format != 0 ? format : 'x'));
            return;
        }
        if (t.isBool()) {
            long b = v.bits();
            sb.append(b == 0 ? "false" : b == 1 ? "true" : Long.toString(b));
            return;
        }
        long val = v.asLong();
        sb.append(t.isSigned() ? Long.toString(val) : Long.toUnsignedString(val));
        if (isTextual(t)) sb.append(" '").append(escape((byte) val, '\'')).append('\'');
    }

    static String formatDouble(double d, int digits) {
        if (Double.isNaN(d)) return "nan(0x" + Long.toHexString(Double.doubleToRawLongBits(d) & 0xfffffffffffffL) + ")";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return (1 / d < 0) ? "-0" : "0";
        BigDecimal bd = new BigDecimal(d).round(new MathContext(digits)).stripTrailingZeros();
        int exp = bd.precision() - bd.scale() - 1;
        if (exp < -4 || exp >= digits) {
            String unscaled = bd.unscaledValue().abs().toString();
            String mant = unscaled.length() > 1 ? unscaled.charAt(0) + "." + unscaled.substring(1) : unscaled;
            return (bd.signum() < 0 ? "-" : "") + mant + "e" + (exp < 0 ? "-" : "+") + String.format("%02d", Math.abs(exp));
        }
        return bd.toPlainString();
    }

    /** gdb's print_scalar_formatted for one /FMT letter. */
    public String scalarFormatted(Value v, char fmt) {
        Type t = v.resolved();
        int size = (int) Math.max(1, Math.min(8, t.size() <= 0 ? 8 : t.size()));
        long bits = v.bits();
        long mask = size == 8 ? -1L : (1L << (8 * size)) - 1;
        long u = bits & mask;
        int shift = 64 - 8 * size;
        long s = (u << shift) >> shift;
        return switch (fmt) {
            case 'x' -> "0x" + Long.toHexString(u);
            case 'z' -> "0x" + String.format("%0" + (2 * size) + "x", u);
            case 'd' -> Long.toString(s);
            case 'u' -> Long.toUnsignedString(u);
            case 'o' -> u == 0 ? "0" : "0" + Long.toOctalString(u);
            case 't' -> Long.toBinaryString(u);
            case 'c' -> s + " '" + escape((byte) u, '\'') + "'";
            case 'a' -> "0x" + Long.toHexString(u) + symbolizer.suffix(u);
            default -> throw new CommandException("Undefined output format \"" + fmt + "\".");
        };
    }
}
