package org.kdive.cmd.symbols;

import java.util.Optional;
import org.kdive.api.KdiveException;
import org.kdive.api.session.Memory;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.Type;
import org.kdive.api.symbols.Type.Kind;
import org.kdive.cmd.symbols.expr.Value;
import org.kdive.cmd.symbols.format.ValueFormatter;
import org.kdive.cmd.symbols.types.CDecl;
import org.kdive.cmd.symbols.types.OffsetLayout;

/**
 * crash's {@code struct -p}: each top-level pointer member is shown with its declared type, and on
 * the next line ("  -> ") what it points to: a function's symbol, a string, NULL, "(not accessible)",
 * or the pointed-to structure as gdb prints {@code *ptr}. Other members print as usual.
 */
final class Dereference {
    /** crash's read_string limit (BUFSIZE - 1). */
    private static final int MAX_STRING = 1499;

    private Dereference() {
    }

    static String struct(ValueFormatter f, String keyword, Type type, Value v, Memory memory) {
        String full = keyword + " " + type.name() + " " + f.value(v, 0) + "\n";
        StringBuilder out = new StringBuilder();
        for (String line : full.split("\n", -1)) {
            if (line.isEmpty()) continue;
            int indent = line.length() - line.stripLeading().length();
            int eq = line.indexOf(" =");
            if (indent != 2 || line.contains("{") || line.contains("}") || eq < 0) {
                out.append(line).append('\n');
                continue;
            }
            String d = member(f, type, v, line.substring(2, eq), memory);
            out.append(d != null ? d : line + "\n");
        }
        return out.toString();
    }

    /** The member's -p lines, or null when it is not a pointer member (printed as usual). */
    static String member(ValueFormatter f, Type type, Value v, String name, Memory memory) {
        String decl = declaration(type, name);
        Member m = OffsetLayout.findMember(type.resolve(), name).orElse(null);
        if (decl == null || m == null) return null;
        boolean funcptr = decl.contains("(*" + name + ")(");
        boolean ptrptr = decl.contains("**" + name + ";");
        boolean plain = decl.contains(" *" + name + ";");
        boolean typedefPtr = !funcptr && !ptrptr && !plain && decl.contains(" " + name + ";")
                && m.type().kind() == Kind.TYPEDEF && m.type().resolve().kind() == Kind.POINTER;
        if (!funcptr && !ptrptr && !plain && !typedefPtr) return null;
        long target;
        try {
            target = memory.u64(v.address() + m.offset());
        } catch (KdiveException e) {
            return "  " + name + ": cannot access " + type.name() + "." + name + " " + Long.toHexString(v.address() + m.offset()) + "\n";
        }
        var symbols = f.symbolizer().symbols();
        String sym = exactSymbol(symbols, target);
        boolean useSymbol = sym != null && symbols.variable(sym).map(x -> switch (x.type().resolve().kind()) {
            case ARRAY, UNION, STRUCT, BASE, POINTER -> true;
            default -> false;
        }).orElse(false);
        String typeptr;
        String hex = "0x" + Long.toHexString(target);
        StringBuilder out = new StringBuilder();
        if (funcptr) {
            out.append("  ").append(decl, 0, decl.indexOf(';')).append(" = ").append(hex).append("\n  -> ");
            out.append(sym != null ? "<" + sym + ">\n" : target != 0 ? "(unknown)\n" : "NULL\n");
            return out.toString();
        }
        if (ptrptr) {
            typeptr = decl.substring(0, decl.indexOf("**") + 2);
        } else if (typedefPtr) {
            typeptr = decl.substring(0, decl.indexOf(' '));
        } else {
            typeptr = decl.substring(0, decl.indexOf('*') + 1);
        }
        boolean charptr = !ptrptr && !typedefPtr && typeptr.contains("char *");
        boolean voidptr = !ptrptr && !typedefPtr && typeptr.contains("void *");
        if (charptr) {
            out.append("  ").append(typeptr).append(name).append(" = ").append(hex).append("\n  -> ");
            if (sym != null) out.append('<').append(sym).append("> ");
            if (target == 0) {
                out.append("NULL\n");
            } else {
                String str = string(memory, target);
                out.append(str == null ? "(not accessible)\n" : "\"" + str + "\"\n");
            }
            return out.toString();
        }
        if (voidptr && !useSymbol) {
            out.append("  ").append(typeptr).append(name).append(" = ").append(hex).append("\n  -> ");
            out.append(sym != null ? "<" + sym + ">\n" : target == 0 ? "NULL\n" : "(unknown target type)\n");
            return out.toString();
        }
        if (target == 0 || !memory.isReadable(target)) {
            out.append("  ").append(typeptr).append(typedefPtr ? " " : "").append(name).append(" = ").append(hex).append("\n  -> ");
            out.append(target == 0 ? "NULL\n" : "(not accessible)\n");
            return out.toString();
        }
        if (ptrptr) {
            out.append("  ").append(typeptr).append(name).append(" = ").append(hex).append("\n  -> ");
            if (sym != null) out.append('<').append(sym).append("> ");
            try {
                out.append(Long.toHexString(memory.u64(target))).append('\n');
            } catch (KdiveException e) {
                out.append('\n');
            }
            return out.toString();
        }
        String shown = typedefPtr ? typeptr : typeptr.substring(0, typeptr.lastIndexOf('*')).stripTrailing();
        Type pointee = m.type().resolve().target();
        if (pointee == null || pointee.resolve().isDeclaration() || pointee.resolve().kind() == Kind.VOID) {
            out.append("  ").append(shown).append(' ').append(typedefPtr ? "" : "*").append(name).append(" = ").append(hex)
                    .append("\n  -> (").append(shown).append(": no debuginfo data)\n");
            return out.toString();
        }
        Value deref = useSymbol ? Value.at(symbols.variable(sym).orElseThrow().type(), target, memory) : Value.at(pointee, target, memory);
        String printed;
        try {
            printed = f.top(deref);
        } catch (KdiveException e) {
            return null;
        }
        out.append("  ").append(shown).append(' ').append(typedefPtr ? "" : "*").append(name).append(" = ").append(hex).append("\n  -> ");
        String[] lines = printed.split("\n", -1);
        if (sym != null) out.append('<').append(sym).append("> ");
        if ((typedefPtr || useSymbol) && lines[0].contains("(") && lines[0].contains(")")) {
            out.append('\n');
            return out.toString();
        }
        out.append(lines[0]).append('\n');
        for (int i = 1; i < lines.length; i++) out.append("     ").append(lines[i]).append('\n');
        return out.toString();
    }

    /** The member's line of the ptype body (four blanks deep: a member of the struct itself). */
    private static String declaration(Type type, String name) {
        String[] lines = CDecl.ptype(type).split("\n");
        for (String l : lines) {
            if (l.length() < 5 || !l.startsWith("    ") || l.charAt(4) == ' ') continue;
            if (l.contains(" *" + name + ";") || l.contains("**" + name + ";") || l.contains("(*" + name + ")(") || l.contains(" " + name + ";")) {
                return l.substring(4);
            }
        }
        return null;
    }

    private static String exactSymbol(org.kdive.api.session.Symbols symbols, long address) {
        if (address == 0) return null;
        try {
            Optional<Symbol> s = symbols.containing(address);
            return s.isPresent() && s.get().address() == address ? s.get().name() : null;
        } catch (KdiveException e) {
            return null;
        }
    }

    private static String string(Memory memory, long address) {
        try {
            return memory.cString(address, MAX_STRING);
        } catch (KdiveException e) {
            return null;
        }
    }
}
