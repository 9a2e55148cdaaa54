package org.kdive.api.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Whole and streamed results: the same content as text and as data, errors in place. */
class ResultTest {
    @Test
    void textOnly() {
        Result r = Result.text("6.1.0-50-cloud-amd64\n");
        assertEquals("6.1.0-50-cloud-amd64\n", r.text());
        assertEquals(Map.of("text", "6.1.0-50-cloud-amd64\n"), r.data());
    }

    @Test
    void streamedTextAndData() {
        Result.Streamed r = Result.stream("symbols", out -> {
            for (String[] s : new String[][] {{"ffffffffbd4070d0", "schedule"}, {"ffffffffbd3c2e58", "panic"}}) {
                if (out.json()) out.record(Map.of("address", "0x" + s[0], "name", s[1]));
                else out.line(s[0] + " (T) " + s[1]);
            }
            out.error(CommandException.NOT_FOUND, "symbol not found: nosuch\n");
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("count", 2);
            return summary;
        });
        assertEquals("ffffffffbd4070d0 (T) schedule\nffffffffbd3c2e58 (T) panic\nsymbol not found: nosuch\n", r.text());
        Map<String, Object> want = new LinkedHashMap<>();
        want.put("count", 2);
        want.put("symbols", List.of(Map.of("address", "0xffffffffbd4070d0", "name", "schedule"),
                Map.of("address", "0xffffffffbd3c2e58", "name", "panic")));
        want.put("errors", List.of(Map.of("code", "not-found", "message", "symbol not found: nosuch")));
        assertEquals(want, r.data());
        assertEquals(List.copyOf(want.keySet()), List.copyOf(((Map<?, ?>) r.data()).keySet()), "summary, records, errors in order");
    }

    @Test
    void aSummaryThatIsNoMap() {
        Result r = Result.stream(out -> 3);
        Map<String, Object> want = new LinkedHashMap<>();
        want.put("summary", 3);
        want.put("records", List.of());
        assertEquals(want, r.data());
        assertEquals("", r.text());
        assertEquals(CommandException.FAILED, new CommandException("x").code());
        assertEquals(CommandException.FAILED, new CommandException("x", null).code());
    }
}
