package org.kdive.cmd.kernel.access;

import java.util.List;
import java.util.Optional;
import org.kdive.api.symbols.Enumerator;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.Type;

/**
 * Prints values from memory the way gdb (and so crash) does: structs as nested
 * "name = value," blocks, pointers in hex with {@code <symbol>} when they point at one, char
 * arrays as strings with {@code \000} escapes (crash turns gdb's repeat elision off).
 */
public final class ValuePrinter {
    private static final int MAX_ARRAY = 4096;
    private static final int MAX_DEPTH = 16;
    /** crash's "print elements": 256 characters of a char array, then "...". */
    private static final int PRINT_ELEMENTS = 256;

    private final Kernel k;
    /** gdb's output radix for integers: crash's -x makes it 16 (pointers print in hex either way). */
    private final boolean hex;

    public ValuePrinter(Kernel k) {
        this(k, false);
    }

    /** A printer showing integers in hexadecimal ({@code hex}), as crash's -x does. */
    public ValuePrinter(Kernel k, boolean hex) {
        this.k = k;
        this.hex = hex;
    }

    /** "name = value" of a member of the struct at {@code base}, indented by {@code indent}. */
    public String member(long base, Member m, String indent) {
        return indent + m.name() + " = " + value(base + m.offset(), m, m.type(), indent, 0);
    }

    /** A whole value of {@code type} at {@code addr}; nested lines use {@code indent}. */
    public String value(long addr, Type type, String indent) {
        return value(addr, null, type, indent, 0);
    }

    private String value(long addr, Member bitfield, Type type, String indent, int depth) {
        Type t = type.resolve();
        try {
            switch (t.kind()) {
                case STRUCT:
                case UNION:
                    return struct(addr, t, indent, depth);
                case ARRAY:
                    return array(addr, t, indent, depth);
                case POINTER:
                    return pointer(k.u64(addr), t);
                case ENUM:
                    return enumValue(readInt(addr, bitfield, t), t);
                case BASE:
                    return base(readInt(addr, bitfield, t), t);
                case FUNCTION:
                    return "{" + t.cName() + "} 0x" + Long.toHexString(addr);
                default:
                    return "<" + t.kind().name().toLowerCase() + ">";
            }
        } catch (RuntimeException e) {
            return String.format("<cannot read %x: %s>", addr, e.getMessage());
        }
    }

    private long readInt(long addr, Member bitfield, Type t) {
        int size = (int) Math.max(1, Math.min(8, t.size()));
        if (bitfield != null && bitfield.isBitfield()) {
            int bits = bitfield.bitSize();
            int bitOff = bitfield.bitOffset();
            int bytes = (bitOff + bits + 7) / 8;
            long raw = k.memory().unsigned(addr, bytes <= 1 ? 1 : bytes <= 2 ? 2 : bytes <= 4 ? 4 : 8);
            long v = (raw >>> bitOff) & (bits == 64 ? -1L : (1L << bits) - 1);
            if (t.isSigned() && bits < 64 && (v & (1L << (bits - 1))) != 0) v |= -1L << bits;
            return v;
        }
        long v = k.memory().unsigned(addr, size == 3 ? 4 : size > 4 && size < 8 ? 8 : size);
        if (t.isSigned() && size < 8) {
            int shift = 64 - size * 8;
            v = (v << shift) >> shift;
        }
        return v;
    }

    private String base(long v, Type t) {
        // with output radix 16 gdb prints bools and chars as plain numbers (no true/false, no 'c')
        if (t.isBool()) return hex ? hexOfSize(v, t.size()) : v != 0 ? "true" : "false";
        if (t.isFloat()) {
            return t.size() == 4 ? String.valueOf(Float.intBitsToFloat((int) v)) : String.valueOf(Double.longBitsToDouble(v));
        }
        String name = t.name() == null ? "" : t.name();
        String number = hex ? hexOfSize(v, t.size()) : !t.isSigned() && t.size() == 8 ? Long.toUnsignedString(v) : Long.toString(v);
        if (t.size() == 1 && name.contains("char") && !hex) {
            return number + " " + charLiteral((int) (v & 0xff));
        }
        return number;
    }

    /** gdb shows a negative value in hex as its two's complement in the type's width. */
    private static String hexOfSize(long v, long size) {
        long masked = size >= 8 || size <= 0 ? v : v & ((1L << (8 * size)) - 1);
        return "0x" + Long.toHexString(masked);
    }

    private static String charLiteral(int c) {
        return "'" + escape(c, '\'') + "'";
    }

    private static String escape(int c, char quote) {
        switch (c) {
            case '\n': return "\\n";
            case '\t': return "\\t";
            case '\r': return "\\r";
            case 0x07: return "\\a";
            case '\b': return "\\b";
            case '\f': return "\\f";
            case 0x0b: return "\\v";
            case 0x1b: return "\\033";
            case '\\': return "\\\\";
            default:
                if (c == quote) return "\\" + quote;
                if (c >= 0x20 && c < 0x7f) return String.valueOf((char) c);
                return String.format("\\%03o", c);
        }
    }

    private String enumValue(long v, Type t) {
        for (Enumerator e : t.enumerators()) if (e.value() == v) return e.name();
        return Long.toString(v);
    }

    private String pointer(long p, Type t) {
        if (p == 0) return "0x0";
        String hex = "0x" + Long.toHexString(p);
        Type target = t.target() == null ? null : t.target().resolve();
        if (target != null && target.kind() == Type.Kind.BASE && target.size() == 1 && target.name() != null
                && target.name().contains("char")) {
            try {
                return hex + " \"" + stringAt(p) + "\"";
            } catch (RuntimeException e) {
                return hex + " <error: Cannot access memory at address " + hex + ">";
            }
        }
        // only kernel addresses are named (gdb does not name per-CPU offsets such as 0x2 after the
        // per-CPU symbols linked at 0)
        Optional<Symbol> s = p < 0 ? k.containing(p) : Optional.empty();
        if (s.isPresent()) {
            Symbol sym = s.get();
            long off = p - sym.address();
            if (off == 0 || (sym.size() > 0 && off < sym.size())) {
                return hex + " <" + sym.name() + (off > 0 ? "+" + off : "") + ">";
            }
        }
        return hex;
    }

    private String stringAt(long p) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < 200; i++) {
            int c = k.memory().u8(p + i);
            if (c == 0) break;
            bytes.write(c);
        }
        byte[] b = bytes.toByteArray();
        return escapeString(b, b.length);
    }

    private static String escapeString(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        boolean afterOctal = false;
        for (int i = 0; i < n; i++) {
            int c = b[i] & 0xff;
            int len = c >= 0x80 ? printableUtf8(b, i, n) : 0;
            if (len > 0) {
                // gdb decodes the host charset (UTF-8): a valid printable character is shown as itself
                sb.append(new String(b, i, len, java.nio.charset.StandardCharsets.UTF_8));
                i += len - 1;
                afterOctal = false;
                continue;
            }
            boolean digit = c >= '0' && c <= '9';
            // gdb writes a digit after an octal escape in octal too ("\000\066.12"), so it cannot be read as part of it
            String e = afterOctal && digit ? String.format("\\%03o", c) : escape(c, '"');
            sb.append(e);
            afterOctal = e.length() == 4 && e.charAt(0) == '\\' && Character.isDigit(e.charAt(1));
        }
        return sb.toString();
    }

    /** The length of a valid UTF-8 sequence at {@code i} encoding a printable character, else 0. */
    private static int printableUtf8(byte[] b, int i, int n) {
        int c = b[i] & 0xff;
        int len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
        if (len == 0 || i + len > n) return 0;
        int cp = c & (0x7f >> len);
        for (int j = 1; j < len; j++) {
            int x = b[i + j] & 0xff;
            if ((x & 0xc0) != 0x80) return 0;
            cp = (cp << 6) | (x & 0x3f);
        }
        int min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
        int type = Character.getType(cp);
        boolean printable = type != Character.CONTROL && type != Character.UNASSIGNED && type != Character.SURROGATE
                && type != Character.LINE_SEPARATOR && type != Character.PARAGRAPH_SEPARATOR;
        return printable ? len : 0;
    }

    private String struct(long addr, Type t, String indent, int depth) {
        if (depth > MAX_DEPTH) return "{...}";
        List<Member> ms = t.members();
        if (ms == null || ms.isEmpty()) return t.isDeclaration() || t.size() < 0 ? "<incomplete type>" : "{<No data fields>}";
        StringBuilder sb = new StringBuilder("{\n");
        String in = indent + "  ";
        for (int i = 0; i < ms.size(); i++) {
            Member m = ms.get(i);
            sb.append(in);
            if (m.name() != null) sb.append(m.name()).append(" = ");
            sb.append(value(addr + m.offset(), m, m.type(), in, depth + 1));
            if (i + 1 < ms.size()) sb.append(',');
            sb.append('\n');
        }
        return sb.append(indent).append('}').toString();
    }

    private String array(long addr, Type t, String indent, int depth) {
        Type elem = t.target().resolve();
        long n = t.count();
        boolean chars = elem.kind() == Type.Kind.BASE && elem.size() == 1 && elem.name() != null && elem.name().contains("char");
        // a flexible or [0] array member prints as its address, a char one with gdb's empty string
        if (n <= 0 && chars) return "0x" + Long.toHexString(addr) + " \"\"";
        if (n <= 0) return "0x" + Long.toHexString(addr);
        long esize = Math.max(1, elem.size());
        if (elem.kind() == Type.Kind.BASE && esize == 1 && elem.name() != null && elem.name().contains("char")) {
            byte[] b = k.memory().read(addr, (int) Math.min(n, MAX_ARRAY));
            // the last NUL is the terminator gdb does not show; the others are shown (no repeat elision),
            // up to crash's 256 elements, then "..."
            int len = (int) (n > 0 && b.length == n && b[b.length - 1] == 0 ? n - 1 : Math.min(n, b.length));
            // gdb takes runs of one character whole (crash sets no repeat threshold) until 256 are shown
            int shown = 0;
            while (shown < len && shown < PRINT_ELEMENTS) {
                int run = 1;
                while (shown + run < len && b[shown + run] == b[shown]) run++;
                shown += run;
            }
            return "\"" + escapeString(b, shown) + "\"" + (shown < len ? "..." : "");
        }
        StringBuilder sb = new StringBuilder("{");
        long shown = Math.min(n, 200);
        // gdb prints an array's elements one level deeper: a struct element's members two columns
        // further in than the array's own line, its closing brace one level in ("pid_links = {{")
        String in = indent + "  ";
        for (long i = 0; i < shown; i++) {
            if (i > 0) sb.append(", ");
            sb.append(value(addr + i * esize, null, elem, in, depth + 1));
        }
        if (shown < n) sb.append("...");
        return sb.append('}').toString();
    }
}
