package org.kdive.api.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** crash's option syntax, on command lines of the corpus references (refs/crash-8.0.6/COMMANDS.tsv). */
class ArgsTest {
    private static Args parse(String line, Set<String> flags, Set<String> withValue) {
        return Args.parse(List.of(line.split(" ")), flags, withValue);
    }

    @Test
    void flagsValuesAndPositionals() {
        Args a = parse("-o vqb_vring_virtqueue ff228398a7b70000", Set.of("o", "x", "d"), Set.of());
        assertTrue(a.has("o"));
        assertFalse(a.has("x"));
        assertEquals(List.of("vqb_vring_virtqueue", "ff228398a7b70000"), a.positional());
        assertEquals("ff228398a7b70000", a.positional(1));
        assertNull(a.positional(2));

        Args l = parse("-s task_struct.pid -h ffffffffbe41aa40", Set.of("h", "r"), Set.of("s"));
        assertEquals("task_struct.pid", l.value("s"));
        assertTrue(l.has("h"));
        assertEquals(List.of("ffffffffbe41aa40"), l.positional());
    }

    @Test
    void groupedFlagsNumbersAndDashDash() {
        Args a = parse("-sx -64 -- -1", Set.of("s", "x", "64"), Set.of());
        assertTrue(a.has("s") && a.has("x") && a.has("64"));
        assertEquals(List.of("-1"), a.positional(), "after -- a dash is a word");
        assertEquals(List.of("-"), parse("-", Set.of(), Set.of()).positional(), "a lone dash is a word");
        assertEquals("", parse("--json", Set.of("json"), Set.of()).value("json"));
    }

    @Test
    void errorsAreUsageErrors() {
        CommandException e = assertThrows(CommandException.class, () -> parse("-q", Set.of("l"), Set.of()));
        assertEquals("unknown option: -q", e.getMessage());
        assertEquals(CommandException.USAGE, e.code());
        e = assertThrows(CommandException.class, () -> parse("-s", Set.of(), Set.of("s")));
        assertEquals("option -s needs a value", e.getMessage());
        assertEquals(CommandException.USAGE, e.code());
        e = assertThrows(CommandException.class, () -> parse("--jsno", Set.of("json", "l"), Set.of()));
        assertEquals("unknown option: --jsno (did you mean --json?)", e.getMessage());
        e = assertThrows(CommandException.class, () -> parse("-lz", Set.of("l"), Set.of()));
        assertEquals("unknown option: -lz (did you mean -l?)", e.getMessage(), "a group with one unknown letter");
    }
}
