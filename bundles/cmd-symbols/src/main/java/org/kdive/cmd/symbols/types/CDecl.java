package org.kdive.cmd.symbols.types;

import java.util.ArrayList;
import java.util.List;
import org.kdive.api.symbols.Enumerator;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Type;
import org.kdive.api.symbols.Type.Kind;

/**
 * C declarations spelled the way gdb (as embedded in crash) prints them: {@code struct list_head *next},
 * {@code void (*callback)(struct vqb_virtqueue *)}, {@code char [16]}, and whole struct bodies
 * ({@code ptype}) with four blanks per nesting level.
 *
 * <p>{@code show} follows gdb: &gt; 0 expands the named type itself, 0 prints named types by name and
 * expands anonymous ones, &lt; 0 abbreviates anonymous bodies as {@code {...}}. As in crash's gdb,
 * unnamed members keep their parent's {@code show}, so anonymous unions print in full.
 */
public final class CDecl {
    private CDecl() {
    }

    /** The type's name as gdb's whatis prints it ("struct list_head *", "unsigned int", "char [16]"). */
    public static String name(Type t) {
        return declare(t, "", -1, 0);
    }

    /** A declaration of {@code var} (may be empty for an abstract declarator). */
    public static String declare(Type t, String var, int show, int level) {
        if (t == null) t = Synthetic.VOID;
        if (show > 0) t = stripTypedefs(t);
        String decl = var == null ? "" : var;
        Type cur = t;
        boolean prevPointer = false;
        boolean isConst = false;
        boolean isVolatile = false;
        for (int guard = 0; guard < 64; guard++) {
            Kind k = cur.kind();
            if (k == Kind.CONST || k == Kind.VOLATILE || k == Kind.RESTRICT || k == Kind.ATOMIC) {
                if (k == Kind.CONST) isConst = true;
                if (k == Kind.VOLATILE) isVolatile = true;
                cur = cur.target() == null ? Synthetic.VOID : cur.target();
                continue;
            }
            if (k == Kind.POINTER) {
                String q = quals(isConst, isVolatile).strip();
                decl = "*" + (q.isEmpty() ? "" : " " + q + (decl.isEmpty() ? "" : " ")) + decl;
                isConst = isVolatile = false;
                prevPointer = true;
                cur = cur.target() == null ? Synthetic.VOID : cur.target();
                continue;
            }
            if (k == Kind.ARRAY) {
                if (prevPointer) decl = "(" + decl + ")";
                decl = decl + "[" + (cur.count() >= 0 ? Long.toString(cur.count()) : "") + "]";
                prevPointer = false;
                cur = cur.target() == null ? Synthetic.VOID : cur.target();
                continue;
            }
            if (k == Kind.FUNCTION) {
                if (prevPointer) decl = "(" + decl + ")";
                decl = decl + "(" + parameters(cur) + ")";
                prevPointer = false;
                cur = cur.target() == null ? Synthetic.VOID : cur.target();
                continue;
            }
            break;
        }
        String base = quals(isConst, isVolatile) + base(cur, show, level);
        return decl.isEmpty() ? base : base + " " + decl;
    }

    /**
     * gdb shows C integer types by their short names whatever spelling the compiler put in DWARF
     * ("long unsigned int" is printed "unsigned long"), and so does crash.
     */
    public static String gdbBaseName(String dwarfName) {
        return switch (dwarfName) {
            case "long int" -> "long";
            case "long unsigned int" -> "unsigned long";
            case "long long int" -> "long long";
            case "long long unsigned int" -> "unsigned long long";
            case "short int" -> "short";
            case "short unsigned int" -> "unsigned short";
            default -> dwarfName;
        };
    }

    private static String quals(boolean isConst, boolean isVolatile) {
        return (isConst ? "const " : "") + (isVolatile ? "volatile " : "");
    }

    private static String parameters(Type fn) {
        List<Type> ps = fn.parameters();
        if (ps.isEmpty()) return "void";
        List<String> out = new ArrayList<>();
        for (Type p : ps) out.add(declare(p, "", -1, 0));
        return String.join(", ", out);
    }

    static Type stripTypedefs(Type t) {
        Type cur = t;
        for (int i = 0; i < 64 && cur.kind() == Kind.TYPEDEF && cur.target() != null; i++) cur = cur.target();
        return cur;
    }

    /** The base of a declaration: a named type, or a struct/union/enum body. */
    private static String base(Type t, int show, int level) {
        Kind k = t.kind();
        String tag = switch (k) {
            case STRUCT -> "struct";
            case UNION -> "union";
            case ENUM -> "enum";
            default -> null;
        };
        if (tag == null) {
            if (k == Kind.VOID) return "void";
            if (t.name() == null) return "<unnamed type>";
            return k == Kind.BASE ? gdbBaseName(t.name()) : t.name();
        }
        if (show <= 0 && t.name() != null) return tag + " " + t.name();
        String head = t.name() == null ? tag + " " : tag + " " + t.name() + " ";
        if (show < 0) return head + "{...}";
        if (k == Kind.ENUM) return head + enumBody(t);
        return head + body(t, show, level);
    }

    private static String enumBody(Type t) {
        StringBuilder sb = new StringBuilder("{");
        long last = 0;
        boolean first = true;
        for (Enumerator e : t.enumerators()) {
            if (!first) sb.append(", ");
            first = false;
            sb.append(e.name());
            if (e.value() != last) {
                sb.append(" = ").append(e.value());
                last = e.value();
            }
            last++;
        }
        return sb.append('}').toString();
    }

    /** "{\n" members "}" with members at level+4 and the brace at level. */
    private static String body(Type t, int show, int level) {
        StringBuilder sb = new StringBuilder("{\n");
        List<Member> members = t.members();
        String pad = " ".repeat(level + 4);
        if (members.isEmpty()) {
            sb.append(pad).append(t.isDeclaration() || t.size() < 0 ? "<incomplete type>" : "<no data fields>").append('\n');
        }
        for (Member m : members) {
            boolean anonymous = m.name() == null || m.name().isEmpty();
            int newShow = anonymous ? show : show - 1;
            sb.append(pad).append(declare(m.type(), anonymous ? "" : m.name(), newShow, level + 4));
            if (m.isBitfield()) sb.append(" : ").append(m.bitSize());
            sb.append(";\n");
        }
        sb.append(" ".repeat(level)).append('}');
        return sb.toString();
    }

    /** gdb's ptype of a struct/union/enum type: the body lines, ending in "}". */
    public static String ptype(Type t) {
        return declare(t, "", 1, 0);
    }

    /** The member's byte offset as gdb reports it (bitfields: the byte holding their first bit). */
    public static long byteOffset(Member m) {
        return m.isBitfield() ? (m.offset() * 8 + m.bitOffset()) / 8 : m.offset();
    }
}
