package org.kdive.cmd.kernel.commands;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.kdive.api.command.CommandException;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.Type;
import org.kdive.cmd.kernel.access.Kernel;
import org.kdive.cmd.kernel.access.ValuePrinter;

/**
 * The {@code -s struct[.member[,member]]} display shared by `list` and `tree`: each entry's whole
 * structure ("struct name {...}") or the chosen members, one "  member = value" block each. As in
 * crash (which copies gdb's lines), a member that is not the last of its enclosing struct keeps
 * gdb's trailing comma; {@code -S} reads scalar members straight from memory, without commas.
 */
final class StructDisplay {
    /** One {@code -s} argument: a struct (or union) and its chosen members (none: the whole struct). */
    private record Spec(String name, Type type, List<String> members) {
    }

    /** A member's "  path = value" text and whether it ends its enclosing struct (gdb omits the comma then). */
    record MemberLine(String text, boolean last) {
    }

    private final Kernel k;
    private final ValuePrinter vp;
    private final boolean direct;
    private final boolean hex;
    private final List<Spec> specs = new ArrayList<>();

    /**
     * @param command the command name for error messages
     * @param args    the -s/-S arguments in order
     * @param hex     integers in hex (-x)
     * @param direct  crash's -S: member lines without gdb's commas
     */
    StructDisplay(Kernel k, String command, List<String> args, boolean hex, boolean direct) {
        this.k = k;
        this.vp = new ValuePrinter(k, hex);
        this.direct = direct;
        this.hex = hex;
        for (String arg : args) {
            String[] parts = arg.split(",");
            int dot = parts[0].indexOf('.');
            String name = dot < 0 ? parts[0] : parts[0].substring(0, dot);
            List<String> members = new ArrayList<>();
            if (dot >= 0) members.add(parts[0].substring(dot + 1));
            for (int i = 1; i < parts.length; i++) {
                if (!parts[i].isBlank()) members.add(parts[i].trim());
            }
            Type type = k.type("struct " + name).or(() -> k.type("union " + name))
                    .orElseThrow(() -> new CommandException("invalid structure name: " + name));
            specs.add(new Spec(name, type, members));
        }
    }

    boolean isEmpty() { return specs.isEmpty(); }

    /**
     * crash's display of an entry at a user address (not readable as kernel memory): a whole
     * structure is only its "struct NAME" line, members are not shown.
     */
    void showUnreadable(StringBuilder sb) {
        for (Spec s : specs) {
            if (!s.members().isEmpty()) continue;
            sb.append(s.type().resolve().kind() == Type.Kind.UNION ? "union " : "struct ").append(s.name()).append('\n');
        }
    }

    /** Appends the display of the entry at {@code addr} to {@code sb} and its values to {@code data}. */
    void show(long addr, StringBuilder sb, Map<String, Object> data) {
        for (Spec s : specs) {
            if (s.members().isEmpty()) {
                String body = vp.value(addr, s.type(), "");
                sb.append(s.type().resolve().kind() == Type.Kind.UNION ? "union " : "struct ").append(s.name()).append(' ')
                        .append(body).append('\n');
                data.put("value", body);
                continue;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> md = (Map<String, Object>) data.computeIfAbsent("members", x -> new LinkedHashMap<>());
            for (String m : s.members()) {
                String text = direct ? directLine(s.type(), addr, m) : null;
                if (text == null) {
                    MemberLine line = memberLine(k, vp, s.type(), addr, m);
                    text = line.text();
                    sb.append(text).append(line.last() ? "" : ",").append('\n');
                } else {
                    sb.append(text).append('\n');
                }
                Object typed = typedValue(s.type(), addr, m);
                md.put(m, typed != null ? typed : text.substring(text.indexOf(" = ") + 3));
            }
        }
    }

    /** A member reached by a dotted path ("a.b.c"): the last member, its address and resolved type. */
    private record MemberAt(Member member, long address, Type type) { }

    /** The member at {@code path} inside a {@code type} at {@code base}; null when a step names no member. */
    private static MemberAt memberAt(Type type, long base, String path) {
        Type cur = type.resolve();
        long addr = base;
        Member m = null;
        for (String part : path.split("\\.")) {
            Optional<Member> om = cur.members() == null ? Optional.empty() : cur.member(part);
            if (om.isEmpty()) return null;
            m = om.get();
            addr += m.offset();
            cur = m.type().resolve();
        }
        return m == null ? null : new MemberAt(m, addr, cur);
    }

    /**
     * crash's -S line: a member of up to 8 bytes read straight from memory as an unsigned number
     * (hex for pointers or with -x) plus the name of a text symbol the value falls in; a char
     * array or char pointer as its string. Null for other members, which crash shows as -s does.
     */
    private String directLine(Type type, long base, String path) {
        MemberAt at = memberAt(type, base, path);
        if (at == null) return null;
        Member m = at.member();
        Type cur = at.type();
        long addr = at.address();
        long width = cur.size();
        boolean string = isString(m.type());
        if (width <= 0 || m.isBitfield() || (width > 8 && !string)) return null;
        // crash asks the member's declared type: a typedef of a pointer (work_func_t) is printed
        // as a number in the radix, the text symbol it points to still named
        Type declared = m.type();
        while (declared != null && (declared.kind() == Type.Kind.CONST || declared.kind() == Type.Kind.VOLATILE)) {
            declared = declared.target();
        }
        boolean pointer = declared != null && declared.kind() == Type.Kind.POINTER;
        StringBuilder line = new StringBuilder();
        long v = 0;
        if (width <= 8) {
            int n = width == 1 || width == 2 || width == 4 ? (int) width : 8;
            v = k.memory().unsigned(addr, n);
            if (n == 8 && width < 8) v &= (1L << (8 * width)) - 1;
            boolean inHex = hex || pointer;
            line.append("  ").append(path).append(" = ").append(inHex ? "0x" + Long.toHexString(v) : Long.toUnsignedString(v));
        }
        if (string) {
            if (pointer) {
                line.append("  \"").append(readString(v, 1500)).append('"');
            } else {
                line.append("  ").append(path).append(" = \"").append(readString(addr, (int) width)).append('"');
            }
        } else if (v != 0) {
            Optional<Symbol> sym = k.containing(v);
            if (sym.isPresent() && sym.get().isText()) line.append(" <").append(sym.get().name()).append('>');
        }
        return line.toString();
    }

    /**
     * A scalar member's value for JSON: integers as numbers (unsigned 64-bit values past
     * Long.MAX_VALUE as BigInteger), _Bool as a boolean, pointers as "0x..." strings; null for
     * anything else, enums included (their printed text, the enumerator's name, is used).
     */
    private Object typedValue(Type type, long base, String path) {
        try {
            MemberAt at = memberAt(type, base, path);
            if (at == null) return null;
            Member m = at.member();
            Type cur = at.type();
            long addr = at.address();
            long size = cur.size();
            if (cur.kind() == Type.Kind.POINTER) return org.kdive.api.util.Hex.json(k.u64(addr));
            if (cur.kind() != Type.Kind.BASE || cur.isFloat() || size <= 0 || size > 8) return null;
            long v;
            if (m.isBitfield()) {
                long word = k.memory().unsigned(addr, width((m.bitOffset() + m.bitSize() + 7) / 8));
                v = (word >>> m.bitOffset()) & (m.bitSize() == 64 ? -1L : (1L << m.bitSize()) - 1);
                if (cur.isSigned() && m.bitSize() < 64 && (v >>> (m.bitSize() - 1)) != 0) v |= -1L << m.bitSize();
            } else {
                v = k.memory().unsigned(addr, width((int) size));
                if (size < 8) v &= (1L << (8 * size)) - 1;
                if (cur.isSigned() && size < 8 && (v >>> (8 * size - 1)) != 0) v |= -1L << (8 * size);
            }
            if (cur.isBool()) return v != 0;
            if (!cur.isSigned() && v < 0) return new java.math.BigInteger(Long.toUnsignedString(v));
            return v;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The smallest readable width (1, 2, 4, 8) holding {@code bytes}. */
    private static int width(int bytes) {
        return bytes <= 1 ? 1 : bytes <= 2 ? 2 : bytes <= 4 ? 4 : 8;
    }

    /** Up to {@code max} bytes of a NUL-terminated string; empty when unreadable. */
    private String readString(long addr, int max) {
        StringBuilder sb = new StringBuilder();
        try {
            for (int i = 0; i < max; i++) {
                int c = (int) k.memory().unsigned(addr + i, 1);
                if (c == 0) break;
                sb.append((char) c);
            }
        } catch (RuntimeException e) {
            // crash prints what it could read
        }
        return sb.toString();
    }

    /**
     * crash's is_string(): the member is declared as a char, a char array or a char pointer
     * (by its written type, so a typedef such as u8 does not count).
     */
    private static boolean isString(Type declared) {
        Type t = declared;
        while (t != null && (t.kind() == Type.Kind.CONST || t.kind() == Type.Kind.VOLATILE)) t = t.target();
        if (t == null) return false;
        if (t.kind() == Type.Kind.POINTER || t.kind() == Type.Kind.ARRAY) t = t.target();
        while (t != null && (t.kind() == Type.Kind.CONST || t.kind() == Type.Kind.VOLATILE)) t = t.target();
        return t != null && t.kind() == Type.Kind.BASE && t.size() == 1 && t.name() != null && t.name().contains("char");
    }

    /** "  path = value" of a member or a dotted member path of the struct at {@code base}. */
    static MemberLine memberLine(Kernel k, ValuePrinter vp, Type type, long base, String path) {
        Type cur = type.resolve();
        long addr = base;
        Member m = null;
        boolean last = false;
        for (String part : path.split("\\.")) {
            Optional<Member> om = cur.members() == null ? Optional.empty() : cur.member(part);
            if (om.isEmpty()) throw new CommandException("invalid structure member name: " + path);
            m = om.get();
            List<Member> siblings = cur.members();
            last = siblings.indexOf(m) == siblings.size() - 1;
            addr += m.offset();
            cur = m.type().resolve();
        }
        Member shifted = new Member(path, 0, m.bitOffset(), m.bitSize(), m.type());
        if (!path.contains(".") && !type.resolve().members().contains(m)) {
            // a member of an anonymous struct/union: crash copies gdb's line from inside the
            // anonymous block, indented one level deeper per block, comma as in that block
            List<Member> chain = anonymousChain(type.resolve(), path);
            if (!chain.isEmpty()) {
                Type inner = chain.get(chain.size() - 1).type().resolve();
                List<Member> siblings = inner.members();
                boolean lastInBlock = siblings.get(siblings.size() - 1).name().equals(path);
                return new MemberLine(vp.member(addr, shifted, "  ".repeat(chain.size() + 1)), lastInBlock);
            }
        }
        return new MemberLine(vp.member(addr, shifted, "  "), last);
    }

    /** The anonymous members (outermost first) through which {@code name} is reached in {@code t}; empty if none. */
    private static List<Member> anonymousChain(Type t, String name) {
        if (t.members() == null) return List.of();
        for (Member a : t.members()) {
            if (a.name() != null && !a.name().isEmpty()) continue;
            Type at = a.type().resolve();
            if (at.members() == null) continue;
            if (at.members().stream().anyMatch(x -> name.equals(x.name()))) return List.of(a);
            List<Member> deeper = anonymousChain(at, name);
            if (!deeper.isEmpty()) {
                List<Member> chain = new ArrayList<>(List.of(a));
                chain.addAll(deeper);
                return chain;
            }
        }
        return List.of();
    }
}
