package org.kdive.symbols.btf.types;

import java.util.List;
import org.kdive.api.KdiveException;
import org.kdive.api.symbols.Type;
import org.kdive.api.symbols.Type.Kind;

/**
 * A type's C spelling as gdb prints it (the API's {@link Type#cName()}): the declarator grows from
 * the inside out, so "char [16]", "struct list_head *", "void (*)(int)", "const char *", "char * const".
 */
final class CSpelling {
    private static final int MAX_DEPTH = 64;

    private CSpelling() {
    }

    static String spell(Type t) {
        return spell(t, "", 0);
    }

    private static String spell(Type t, String declarator, int depth) {
        if (depth > MAX_DEPTH) throw new KdiveException("BTF type nested too deeply (a reference cycle?)");
        if (t == null) return around("void", declarator);
        switch (t.kind()) {
            case VOID:
                return around("void", declarator);
            case BASE: case TYPEDEF:
                return around(t.name() == null ? "<anonymous>" : t.name(), declarator);
            case STRUCT: case UNION: case ENUM:
                return around(t.kind().name().toLowerCase(java.util.Locale.ROOT) + " " + (t.name() == null ? "{...}" : t.name()),
                        declarator);
            case POINTER: {
                Type to = t.target();
                String d = declarator.isEmpty() ? "*" : isWordStart(declarator) ? "* " + declarator : "*" + declarator;
                if (to != null && (to.kind() == Kind.ARRAY || to.kind() == Kind.FUNCTION)) d = "(" + d + ")";
                return spell(to, d, depth + 1);
            }
            case CONST: case VOLATILE: case RESTRICT: case ATOMIC: {
                String q = t.kind() == Kind.ATOMIC ? "_Atomic" : t.kind().name().toLowerCase(java.util.Locale.ROOT);
                Type to = t.target();
                if (to != null && to.kind() == Kind.POINTER) return spell(to, declarator.isEmpty() ? q : q + " " + declarator, depth + 1);
                return q + " " + spell(to, declarator, depth + 1);
            }
            case ARRAY:
                return spell(t.target(), declarator + (t.count() < 0 ? "[]" : "[" + t.count() + "]"), depth + 1);
            case FUNCTION:
                return spell(t.target(), declarator + "(" + parameters(t, depth) + ")", depth + 1);
            default:
                throw new IllegalStateException("kind " + t.kind());
        }
    }

    private static String parameters(Type fn, int depth) {
        List<Type> ps = fn.parameters();
        boolean varargs = fn instanceof BtfType b && b.isVarargs();
        if (ps.isEmpty()) return varargs ? "..." : "void";
        StringBuilder sb = new StringBuilder();
        for (Type p : ps) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(spell(p, "", depth + 1));
        }
        if (varargs) sb.append(", ...");
        return sb.toString();
    }

    private static boolean isWordStart(String s) {
        char c = s.charAt(0);
        return Character.isLetter(c) || c == '_';
    }

    private static String around(String base, String declarator) {
        return declarator.isEmpty() ? base : base + " " + declarator;
    }
}
