package org.kdive.api.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON writer on a tree shaped as commands return them (the corpus panic's bt frame). */
class JsonTest {
    private static Map<String, Object> frame() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", 41);
        m.put("command", "kworker/1:1H");
        m.put("rip", Hex.json(0xffffffffc061907dL));
        m.put("active", true);
        m.put("module", null);
        m.put("offsets", new long[] {77, 0x4d});
        m.put("empty", List.of());
        m.put("none", Map.of());
        return m;
    }

    @Test
    void prettyAndCompact() {
        assertEquals("{\n  \"pid\": 41,\n  \"command\": \"kworker/1:1H\",\n  \"rip\": \"0xffffffffc061907d\",\n  \"active\": true,\n"
                + "  \"module\": null,\n  \"offsets\": [\n    77,\n    77\n  ],\n  \"empty\": [],\n  \"none\": {}\n}", Json.write(frame()));
        assertEquals("{\"pid\":41,\"command\":\"kworker/1:1H\",\"rip\":\"0xffffffffc061907d\",\"active\":true,\"module\":null,"
                + "\"offsets\":[77,77],\"empty\":[],\"none\":{}}", Json.compact(frame()));
    }

    @Test
    void stringsAreEscaped() {
        // a console line as log returns it: quotes, a tab, a backslash, an escape sequence, a newline
        assertEquals("\"kernel BUG at \\\"vqbug.c\\\":63!\\t\\\\ \\u001b[0m\\r\\n\"",
                Json.compact("kernel BUG at \"vqbug.c\":63!\t\\ \u001b[0m\r\n"));
        assertEquals("\"é\"", Json.compact("é"), "non-ASCII stays as is (UTF-8 output)");
    }

    @Test
    void numbers() {
        List<Object> l = new ArrayList<>();
        l.add(Long.MIN_VALUE);
        l.add(new BigInteger("18446744073709551615"));
        l.add(0.5);
        l.add(Double.NaN);
        l.add(Float.POSITIVE_INFINITY);
        l.add((short) -3);
        assertEquals("[-9223372036854775808,18446744073709551615,0.5,null,null,-3]", Json.compact(l));
        assertEquals("\"RUNNING\"", Json.compact(Thread.State.RUNNABLE == null ? null : new Object() {
            @Override public String toString() { return "RUNNING"; }
        }), "anything else as its string");
    }
}
