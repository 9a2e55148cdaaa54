package org.kdive.autopsy.types;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Type;
import org.kdive.api.symbols.Type.Kind;

/** Struct layouts: which member lies at an offset, and which structs embed a struct at offset 0 (container_of). */
public final class Layouts {
    private Layouts() {
    }

    /** A member path found at an offset, with the type of the accessed member. */
    public record Hit(String path, Type type) {
    }

    /** The struct behind a pointer-to-struct type (through typedefs/qualifiers), or null. */
    public static Type pointee(Type t) {
        if (t == null) return null;
        Type r = t.resolve();
        if (r.kind() != Kind.POINTER || r.target() == null) return null;
        Type p = r.target().resolve();
        return p.kind() == Kind.STRUCT || p.kind() == Kind.UNION ? p : null;
    }

    /** "struct name" or "union name" of a resolved aggregate. */
    public static String spell(Type agg) {
        return (agg.kind() == Kind.UNION ? "union " : "struct ") + agg.name();
    }

    /**
     * The scalar member of {@code agg} accessed at {@code offset} with {@code width} bytes (0: any), as
     * "a.b.c"; nested structs, unions (first fitting member) and arrays are followed.
     */
    public static Optional<Hit> memberAt(Type agg, long offset, int width) {
        Type t = agg.resolve();
        if (offset < 0 || t.size() > 0 && offset >= t.size() && !hasFlexibleTail(t)) return Optional.empty();
        for (Member m : t.members()) {
            if (m.isBitfield()) continue;
            Type mt = m.type().resolve();
            long size = mt.size();
            long rel = offset - m.offset();
            if (rel < 0 || size > 0 && rel >= size || size <= 0 && rel != 0 && mt.kind() != Kind.ARRAY) continue;
            String name = m.name() == null ? "" : m.name();
            switch (mt.kind()) {
                case STRUCT, UNION -> {
                    Optional<Hit> inner = memberAt(mt, rel, width);
                    if (inner.isPresent()) return Optional.of(new Hit(join(name, inner.get().path()), inner.get().type()));
                }
                case ARRAY -> {
                    Type el = mt.target() == null ? null : mt.target().resolve();
                    long es = el == null ? 0 : el.size();
                    if (es <= 0) continue;
                    long idx = rel / es;
                    long in = rel % es;
                    String p = name + "[" + idx + "]";
                    if (el.kind() == Kind.STRUCT || el.kind() == Kind.UNION) {
                        Optional<Hit> inner = memberAt(el, in, width);
                        if (inner.isPresent()) return Optional.of(new Hit(p + "." + inner.get().path(), inner.get().type()));
                    } else if (in == 0) {
                        return Optional.of(new Hit(p, mt.target()));
                    }
                }
                default -> {
                    if (rel == 0 && (width == 0 || size <= 0 || width <= size)) return Optional.of(new Hit(name, m.type()));
                }
            }
        }
        return Optional.empty();
    }

    private static boolean hasFlexibleTail(Type t) {
        List<Member> ms = t.members();
        if (ms.isEmpty()) return false;
        Type last = ms.get(ms.size() - 1).type().resolve();
        return last.kind() == Kind.ARRAY && last.count() <= 0;
    }

    private static String join(String a, String b) {
        if (a.isEmpty()) return b;
        return b.isEmpty() ? a : a + "." + b;
    }

    /**
     * Structs among {@code candidates} (C spellings or bare tags) whose member at offset 0 is {@code inner}
     * (directly or nested at offset 0): container_of(p, OUTER, member) is then the same address. Returns
     * each with the member name.
     */
    public static List<Container> containersOf(Session session, Type inner, Set<String> candidates) {
        List<Container> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String c : candidates) {
            String spelled = c.startsWith("struct ") ? c : "struct " + c;
            if (!seen.add(spelled) || spelled.equals(spell(inner))) continue;
            Optional<Type> t;
            try {
                t = session.symbols().type(spelled);
            } catch (RuntimeException e) {
                continue;
            }
            if (t.isEmpty()) continue;
            Type outer = t.get().resolve();
            if (outer.kind() != Kind.STRUCT || outer.isDeclaration()) continue;
            String via = embedsAtZero(outer, inner);
            if (via != null) out.add(new Container(outer, via));
        }
        return out;
    }

    /** A struct that embeds another at offset 0, and the member path that holds it. */
    public record Container(Type outer, String member) {
    }

    private static String embedsAtZero(Type outer, Type inner) {
        for (Member m : outer.members()) {
            if (m.offset() != 0 || m.isBitfield()) continue;
            Type mt = m.type().resolve();
            if ((mt.kind() == Kind.STRUCT || mt.kind() == Kind.UNION) && inner.name() != null) {
                if (inner.name().equals(mt.name()) && mt.kind() == inner.kind()) return m.name();
                String deeper = embedsAtZero(mt, inner);
                if (deeper != null) return m.name() == null ? deeper : m.name() + "." + deeper;
            }
        }
        return null;
    }
}
