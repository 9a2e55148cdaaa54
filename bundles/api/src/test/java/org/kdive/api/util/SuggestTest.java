package org.kdive.api.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** "Did you mean": the crash commands the corpus references were made with, mistyped. */
class SuggestTest {
    private static final List<String> COMMANDS = List.of("bt", "dis", "kmem", "list", "log", "mod", "p", "ps", "rd",
            "struct", "sym", "sys", "task", "union", "whatis");

    @Test
    void typos() {
        assertEquals(Optional.of("struct"), Suggest.nearest("stuct", COMMANDS), "a letter left out");
        assertEquals(Optional.of("struct"), Suggest.nearest("sturct", COMMANDS), "two neighbours swapped count one");
        assertEquals(Optional.of("whatis"), Suggest.nearest("wahtsi", COMMANDS), "two edits in a long word");
        assertEquals(Optional.of("task"), Suggest.nearest("taks", COMMANDS));
        assertEquals(Optional.empty(), Suggest.nearest("xyzzy", COMMANDS));
        assertEquals(Optional.empty(), Suggest.nearest("struct", List.of("struct")), "the word itself is no suggestion");
    }

    @Test
    void shortWordsTakeOneEditAndTiesGoToTheFirstInOrder() {
        assertEquals(Optional.of("bt"), Suggest.nearest("bz", COMMANDS));
        assertEquals(Optional.of("log"), Suggest.nearest("lgo", COMMANDS));
        assertEquals(Optional.empty(), Suggest.nearest("kme", List.of("kmem_cache")), "three letters: one edit at most");
        // "sy" is one edit from sym and sys: the smaller in order wins, whatever the list's order
        assertEquals(Optional.of("sym"), Suggest.nearest("sy", List.of("sys", "sym")));
        // one letter for another is no typo of a one-letter word
        assertEquals(Optional.empty(), Suggest.nearest("q", List.of("p")));
    }

    @Test
    void distance() {
        assertEquals(0, Suggest.distance("kmem", "kmem"));
        assertEquals(1, Suggest.distance("kmme", "kmem"));
        assertEquals(4, Suggest.distance("", "bt -"));
        assertEquals(2, Suggest.distance("whatis", "wahtsi"));
    }
}
