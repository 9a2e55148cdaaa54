package org.kdive.symbols.dwarf.types;

import java.util.List;
import org.kdive.api.KdiveException;
import org.kdive.api.symbols.Type;
import org.kdive.api.symbols.Type.Kind;

/**
 * C spellings of types as gdb (and so crash) prints them: the declarator is built inside out,
 * "char [16]", "struct list_head *", "void (*)(struct virtqueue *)", "char * const", "const char *".
 */
public final class CNames {
    private static final int MAX_DEPTH = 64;

    private CNames() {
    }

    public static String spell(Type t) {
        return spell(t, "", 0);
    }

    /** The spelling of {@code t} around an inner declarator (e.g. "*" or a variable name). */
    public static String spell(Type t, String inner, int depth) {
        if (depth > MAX_DEPTH) throw new KdiveException("type nested too deeply (a reference cycle?)");
        if (t == null) return join("void", inner);
        switch (t.kind()) {
            case VOID: return join(t.name() == null ? "void" : t.name(), inner);
            case BASE: case TYPEDEF: return join(t.name() == null ? "<anonymous>" : t.name(), inner);
            case STRUCT: return join("struct " + (t.name() == null ? "{...}" : t.name()), inner);
            case UNION: return join("union " + (t.name() == null ? "{...}" : t.name()), inner);
            case ENUM: return join("enum " + (t.name() == null ? "{...}" : t.name()), inner);
            case POINTER: {
                Type to = t.target();
                String ptr = inner.isEmpty() ? "*" : startsWithWord(inner) ? "* " + inner : "*" + inner;
                if (to != null && (to.kind() == Kind.ARRAY || to.kind() == Kind.FUNCTION)) ptr = "(" + ptr + ")";
                return spell(to, ptr, depth + 1);
            }
            case CONST: case VOLATILE: case RESTRICT: case ATOMIC: {
                String q = qualifier(t.kind());
                Type to = t.target();
                if (to != null && to.kind() == Kind.POINTER) {
                    return spell(to, inner.isEmpty() ? q : q + " " + inner, depth + 1);
                }
                return q + " " + spell(to, inner, depth + 1);
            }
            case ARRAY: {
                long n = t.count();
                return spell(t.target(), inner + (n < 0 ? "[]" : "[" + n + "]"), depth + 1);
            }
            case FUNCTION: {
                return spell(t.target(), inner + "(" + parameters(t, depth) + ")", depth + 1);
            }
            default: throw new IllegalStateException("kind " + t.kind());
        }
    }

    static String parameters(Type fn, int depth) {
        List<Type> ps = fn.parameters();
        boolean varargs = fn instanceof DwarfType d && d.isVarargs();
        boolean prototyped = !(fn instanceof DwarfType d) || d.isPrototyped();
        if (ps.isEmpty()) return varargs ? "..." : prototyped ? "void" : "";
        StringBuilder sb = new StringBuilder();
        for (Type p : ps) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(spell(p, "", depth + 1));
        }
        if (varargs) sb.append(", ...");
        return sb.toString();
    }

    private static String qualifier(Kind k) {
        switch (k) {
            case CONST: return "const";
            case VOLATILE: return "volatile";
            case RESTRICT: return "restrict";
            default: return "_Atomic";
        }
    }

    private static boolean startsWithWord(String s) {
        return !s.isEmpty() && (Character.isLetter(s.charAt(0)) || s.charAt(0) == '_');
    }

    private static String join(String base, String inner) {
        if (inner.isEmpty()) return base;
        // "char [16]" and "int (void)" take a space; "char *" too; gdb puts no space before "[" only after "*"
        return base + " " + inner;
    }
}
