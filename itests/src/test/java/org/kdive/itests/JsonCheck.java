package org.kdive.itests;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A JSON reader and the part of JSON Schema (2020-12) that docs/kdive-output.schema.json uses:
 * type, properties, required, additionalProperties, items, enum, const, pattern, minimum, oneOf,
 * anyOf, allOf, not, if/then and local $ref. Written here so the tests need no library; it fails
 * loudly on a keyword it does not know, so the schema cannot outgrow it unnoticed.
 */
final class JsonCheck {
    private JsonCheck() {
    }

    // ---- reading ---------------------------------------------------------------------------

    static Object parse(String text) {
        Reader r = new Reader(text);
        Object v = r.value();
        r.space();
        if (r.i != text.length()) throw new IllegalArgumentException("trailing text at " + r.i + ": " + text);
        return v;
    }

    private static final class Reader {
        final String s;
        int i;

        Reader(String s) {
            this.s = s;
        }

        void space() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        }

        Object value() {
            space();
            if (i >= s.length()) throw error("value expected");
            char c = s.charAt(i);
            if (c == '{') {
                i++;
                Map<String, Object> m = new LinkedHashMap<>();
                space();
                if (peek('}')) return m;
                do {
                    space();
                    String k = string();
                    space();
                    expect(':');
                    if (m.put(k, value()) != null) throw error("duplicate key " + k);
                    space();
                } while (take(','));
                expect('}');
                return m;
            }
            if (c == '[') {
                i++;
                List<Object> l = new ArrayList<>();
                space();
                if (peek(']')) return l;
                do {
                    l.add(value());
                    space();
                } while (take(','));
                expect(']');
                return l;
            }
            if (c == '"') return string();
            if (s.startsWith("true", i)) { i += 4; return Boolean.TRUE; }
            if (s.startsWith("false", i)) { i += 5; return Boolean.FALSE; }
            if (s.startsWith("null", i)) { i += 4; return null; }
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
            if (start == i) throw error("unexpected " + c);
            String n = s.substring(start, i);
            if (!n.matches("-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d+)?")) throw error("bad number " + n);
            return new BigDecimal(n);
        }

        String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (i >= s.length()) throw error("unterminated string");
                char c = s.charAt(i++);
                if (c == '"') return sb.toString();
                if (c < 0x20) throw error("control character in string");
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                char e = s.charAt(i++);
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> throw error("bad escape \\" + e);
                }
            }
        }

        boolean peek(char c) {
            if (i < s.length() && s.charAt(i) == c) {
                i++;
                return true;
            }
            return false;
        }

        boolean take(char c) {
            space();
            return peek(c);
        }

        void expect(char c) {
            space();
            if (!peek(c)) throw error("'" + c + "' expected");
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException(what + " at " + i + ": " + s.substring(0, Math.min(s.length(), i + 40)));
        }
    }

    // ---- validating ------------------------------------------------------------------------

    /** Problems of {@code value} against {@code schema} (rooted at {@code root} for $ref); empty when valid. */
    static List<String> validate(Object value, Map<?, ?> schema, Map<?, ?> root) {
        List<String> out = new ArrayList<>();
        check(value, schema, root, "$", out);
        return out;
    }

    private static final java.util.Set<String> KNOWN = java.util.Set.of("$schema", "$id", "title", "description", "type", "properties",
            "required", "additionalProperties", "items", "enum", "const", "pattern", "minimum", "oneOf", "anyOf", "allOf", "not",
            "if", "then", "$ref", "$defs");

    @SuppressWarnings("unchecked")
    private static void check(Object v, Map<?, ?> s, Map<?, ?> root, String at, List<String> out) {
        for (Object k : s.keySet()) {
            if (!KNOWN.contains(k)) throw new IllegalStateException("JsonCheck does not know the schema keyword " + k);
        }
        if (s.containsKey("$ref")) {
            String ref = (String) s.get("$ref");
            if (!ref.startsWith("#/$defs/")) throw new IllegalStateException("only local $ref: " + ref);
            check(v, (Map<?, ?>) ((Map<?, ?>) root.get("$defs")).get(ref.substring(8)), root, at, out);
        }
        if (s.containsKey("type")) {
            Object t = s.get("type");
            List<Object> types = t instanceof List<?> l ? (List<Object>) l : List.of(t);
            if (types.stream().noneMatch(x -> isType(v, (String) x))) {
                out.add(at + ": " + describe(v) + " is not " + types);
                return;
            }
        }
        if (s.containsKey("enum") && !((List<?>) s.get("enum")).contains(v)) out.add(at + ": " + v + " not in " + s.get("enum"));
        if (s.containsKey("const") && !s.get("const").equals(v)) out.add(at + ": " + v + " is not " + s.get("const"));
        if (v instanceof String str && s.containsKey("pattern") && !Pattern.compile((String) s.get("pattern")).matcher(str).find()) {
            out.add(at + ": \"" + str + "\" does not match " + s.get("pattern"));
        }
        if (v instanceof BigDecimal n && s.containsKey("minimum") && n.compareTo(new BigDecimal(s.get("minimum").toString())) < 0) {
            out.add(at + ": " + n + " is below " + s.get("minimum"));
        }
        if (v instanceof Map<?, ?> m) {
            Map<?, ?> props = s.containsKey("properties") ? (Map<?, ?>) s.get("properties") : Map.of();
            if (s.containsKey("required")) {
                for (Object r : (List<?>) s.get("required")) {
                    if (!m.containsKey(r)) out.add(at + ": \"" + r + "\" missing");
                }
            }
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String p = at + "." + e.getKey();
                if (props.containsKey(e.getKey())) {
                    check(e.getValue(), (Map<?, ?>) props.get(e.getKey()), root, p, out);
                } else if (Boolean.FALSE.equals(s.get("additionalProperties"))) {
                    out.add(p + ": not allowed");
                } else if (s.get("additionalProperties") instanceof Map<?, ?> extra) {
                    check(e.getValue(), extra, root, p, out);
                }
            }
        }
        if (v instanceof List<?> l && s.get("items") instanceof Map<?, ?> items) {
            for (int i = 0; i < l.size(); i++) check(l.get(i), items, root, at + "[" + i + "]", out);
        }
        if (s.containsKey("allOf")) {
            for (Object sub : (List<?>) s.get("allOf")) check(v, (Map<?, ?>) sub, root, at, out);
        }
        if (s.containsKey("anyOf")) {
            List<List<String>> tries = new ArrayList<>();
            for (Object sub : (List<?>) s.get("anyOf")) tries.add(validate(v, (Map<?, ?>) sub, root, at));
            if (tries.stream().noneMatch(List::isEmpty)) out.add(at + ": matches none of anyOf: " + tries);
        }
        if (s.containsKey("oneOf")) {
            long ok = ((List<?>) s.get("oneOf")).stream().filter(sub -> validate(v, (Map<?, ?>) sub, root, at).isEmpty()).count();
            if (ok != 1) out.add(at + ": matches " + ok + " of oneOf, not exactly one");
        }
        if (s.containsKey("not") && validate(v, (Map<?, ?>) s.get("not"), root, at).isEmpty()) out.add(at + ": matches what \"not\" forbids");
        if (s.containsKey("if") && validate(v, (Map<?, ?>) s.get("if"), root, at).isEmpty() && s.containsKey("then")) {
            check(v, (Map<?, ?>) s.get("then"), root, at, out);
        }
    }

    private static List<String> validate(Object v, Map<?, ?> s, Map<?, ?> root, String at) {
        List<String> out = new ArrayList<>();
        check(v, s, root, at, out);
        return out;
    }

    private static boolean isType(Object v, String t) {
        return switch (t) {
            case "null" -> v == null;
            case "boolean" -> v instanceof Boolean;
            case "string" -> v instanceof String;
            case "number" -> v instanceof BigDecimal;
            case "integer" -> v instanceof BigDecimal n && n.stripTrailingZeros().scale() <= 0;
            case "array" -> v instanceof List;
            case "object" -> v instanceof Map;
            default -> throw new IllegalStateException("unknown type " + t);
        };
    }

    private static String describe(Object v) {
        String s = v instanceof String ? "\"" + v + "\"" : String.valueOf(v);
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
