package org.kdive.autopsy.types;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kdive.api.KdiveException;
import org.kdive.api.session.Memory;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Enumerator;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Type;
import org.kdive.api.symbols.Type.Kind;

/**
 * A struct in the dump, member by member, in the layout crash's {@code struct} uses (nested structs
 * indented, bools as true/false, char pointers with their string), plus a JSON tree of the values.
 */
public final class StructPrinter {
    private static final int MAX_DEPTH = 4;
    private static final int MAX_ARRAY = 16;
    private final Session session;
    private final Memory memory;

    public StructPrinter(Session session) {
        this.session = session;
        this.memory = session.memory();
    }

    /** The printed struct (lines without trailing newline) and its values as a tree. */
    public record Printed(List<String> lines, Map<String, Object> values) {
    }

    public Printed print(Type agg, long address, String indent) {
        List<String> lines = new ArrayList<>();
        Map<String, Object> values = new LinkedHashMap<>();
        lines.add(indent + spell(agg) + " {");
        body(agg.resolve(), address, indent + "  ", lines, values, 1);
        lines.add(indent + "}");
        return new Printed(lines, values);
    }

    private static String spell(Type t) {
        Type r = t.resolve();
        return r.name() == null ? (r.kind() == Kind.UNION ? "union" : "struct") : Layouts.spell(r);
    }

    private void body(Type agg, long address, String indent, List<String> lines, Map<String, Object> values, int depth) {
        for (Member m : agg.members()) {
            String name = m.name() == null ? "" : m.name();
            long at = address + m.offset();
            Type mt = m.type().resolve();
            try {
                if ((mt.kind() == Kind.STRUCT || mt.kind() == Kind.UNION) && depth < MAX_DEPTH) {
                    Map<String, Object> inner = new LinkedHashMap<>();
                    if (name.isEmpty()) {
                        // anonymous struct/union: its members read as the outer's
                        body(mt, at, indent, lines, values, depth + 1);
                        continue;
                    }
                    lines.add(indent + name + " = {");
                    body(mt, at, indent + "  ", lines, inner, depth + 1);
                    lines.add(indent + "},");
                    values.put(name, inner);
                    continue;
                }
                Object v;
                String shown;
                if (m.isBitfield()) {
                    long storage = memory.unsigned(at, (int) Math.min(8, Math.max(1, mt.size())));
                    long val = (storage >>> m.bitOffset()) & ((1L << m.bitSize()) - 1);
                    v = val;
                    shown = Long.toString(val);
                } else if (mt.kind() == Kind.ARRAY) {
                    Object[] a = array(mt, at);
                    v = a[0];
                    shown = (String) a[1];
                } else {
                    Object[] s = scalar(mt, at);
                    v = s[0];
                    shown = (String) s[1];
                }
                values.put(name, v);
                lines.add(indent + name + " = " + shown + ",");
            } catch (KdiveException e) {
                values.put(name, null);
                lines.add(indent + name + " = <unreadable: " + e.getMessage() + ">,");
            }
        }
        // no comma after the last member, as crash prints it
        if (!lines.isEmpty() && lines.get(lines.size() - 1).endsWith(",")) {
            String last = lines.remove(lines.size() - 1);
            lines.add(last.substring(0, last.length() - 1));
        }
    }

    private Object[] array(Type arr, long at) {
        Type el = arr.target() == null ? null : arr.target().resolve();
        long n = arr.count();
        if (el == null || n <= 0 || el.size() <= 0) {
            // flexible array: where it starts, as crash shows it
            return new Object[] {hex(at), "0x" + Long.toHexString(at)};
        }
        if (el.kind() == Kind.BASE && el.size() == 1 && el.name() != null && el.name().contains("char")) {
            String s = memory.cString(at, (int) n);
            return new Object[] {s, "\"" + s + "\""};
        }
        if (el.kind() == Kind.STRUCT || el.kind() == Kind.UNION) {
            return new Object[] {hex(at), "{...} at 0x" + Long.toHexString(at)};
        }
        List<Object> vals = new ArrayList<>();
        StringBuilder sb = new StringBuilder("{");
        for (long i = 0; i < Math.min(n, MAX_ARRAY); i++) {
            Object[] s = scalar(el, at + i * el.size());
            vals.add(s[0]);
            sb.append(i == 0 ? "" : ", ").append(s[1]);
        }
        if (n > MAX_ARRAY) sb.append(", ...");
        return new Object[] {vals, sb.append('}').toString()};
    }

    private Object[] scalar(Type t, long at) {
        int size = (int) t.size();
        switch (t.kind()) {
            case POINTER -> {
                long p = memory.pointer(at);
                String s = "0x" + Long.toHexString(p);
                Type target = t.target() == null ? null : t.target().resolve();
                if (p != 0 && target != null && target.kind() == Kind.BASE && target.size() == 1) {
                    String sym = symbol(p);
                    try {
                        s += (sym == null ? "" : " <" + sym + ">") + " \"" + memory.cString(p, 128) + "\"";
                    } catch (KdiveException e) {
                        // an unreadable string leaves the pointer
                    }
                } else if (p != 0 && target != null && target.kind() == Kind.FUNCTION) {
                    String sym = symbol(p);
                    if (sym != null) s += " <" + sym + ">";
                }
                return new Object[] {hex(p), s};
            }
            case ENUM -> {
                long v = memory.unsigned(at, Math.max(1, Math.min(8, size)));
                for (Enumerator e : t.enumerators()) if (e.value() == v) return new Object[] {e.name(), e.name()};
                return new Object[] {v, Long.toString(v)};
            }
            case BASE -> {
                if (size <= 0 || size > 8) return new Object[] {null, "?"};
                long v = memory.unsigned(at, size);
                if (t.isBool()) return new Object[] {v != 0, v != 0 ? "true" : "false"};
                if (t.isFloat()) {
                    double d = size == 4 ? Float.intBitsToFloat((int) v) : Double.longBitsToDouble(v);
                    return new Object[] {d, Double.toString(d)};
                }
                if (t.isSigned() && size < 8) v = (v << (64 - 8 * size)) >> (64 - 8 * size);
                String s = t.isSigned() || size < 8 ? Long.toString(v) : Long.toUnsignedString(v);
                return new Object[] {v, s};
            }
            default -> {
                return new Object[] {null, "(" + t.cName() + ")"};
            }
        }
    }

    private String symbol(long p) {
        try {
            return session.symbols().describe(p);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
