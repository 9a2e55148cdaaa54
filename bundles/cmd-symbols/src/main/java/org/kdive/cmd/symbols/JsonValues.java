package org.kdive.cmd.symbols;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kdive.api.KdiveException;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Type;
import org.kdive.cmd.symbols.expr.Value;
import org.kdive.cmd.symbols.format.ValueFormatter;
import org.kdive.cmd.symbols.types.CDecl;

/** Values as JSON-ready trees: numbers, "0x…" pointers, strings for char arrays, maps for structs. */
final class JsonValues {
    private static final int MAX_ELEMENTS = 1000;
    private static final int MAX_DEPTH = 12;

    private JsonValues() {
    }

    static Object of(Value v, ValueFormatter f) {
        return of(v, f, 0);
    }

    private static Object of(Value v, ValueFormatter f, int depth) {
        try {
            if (v.noDebugName() != null) return "0x" + Long.toHexString(v.address());
            Type t = v.resolved();
            switch (t.kind()) {
                case STRUCT, UNION: {
                    if (depth >= MAX_DEPTH) return "{...}";
                    Map<String, Object> m = new LinkedHashMap<>();
                    for (Member mem : t.members()) {
                        Object x = of(ValueFormatter.member(v, mem), f, depth + 1);
                        if (mem.name() == null || mem.name().isEmpty()) {
                            if (x instanceof Map<?, ?> inner) inner.forEach((k, val) -> m.put(String.valueOf(k), val));
                        } else {
                            m.put(mem.name(), x);
                        }
                    }
                    return m;
                }
                case ARRAY: {
                    Type elem = t.target();
                    long count = t.count();
                    long es = elem == null ? 0 : elem.resolve().size();
                    if (count <= 0 || es <= 0) return v.isLvalue() ? "0x" + Long.toHexString(v.address()) : null;
                    if (ValueFormatter.isTextual(elem)) {
                        byte[] b = v.bytes();
                        int n = 0;
                        while (n < b.length && b[n] != 0) n++;
                        return new String(b, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1);
                    }
                    List<Object> out = new ArrayList<>();
                    for (long i = 0; i < Math.min(count, MAX_ELEMENTS); i++) out.add(of(v.part(elem, i * es), f, depth + 1));
                    return out;
                }
                case POINTER:
                case FUNCTION:
                    return "0x" + Long.toHexString(t.kind() == Type.Kind.FUNCTION ? v.address() : v.bits());
                case ENUM:
                    return f.withFormat((char) 0).value(v, 0);
                case BASE:
                    if (t.isBool()) return v.bits() != 0;
                    if (t.isFloat()) return v.asDouble();
                    if (!t.isSigned() && v.asLong() < 0) return new java.math.BigInteger(Long.toUnsignedString(v.asLong()));
                    return v.asLong();
                default:
                    return null;
            }
        } catch (KdiveException e) {
            return Map.of("error", e.getMessage());
        }
    }

    static String typeName(Value v) {
        return v.noDebugName() != null ? (v.isNoDebugText() ? "<text variable, no debug info>" : "<data variable, no debug info>")
                : CDecl.name(v.type());
    }
}
