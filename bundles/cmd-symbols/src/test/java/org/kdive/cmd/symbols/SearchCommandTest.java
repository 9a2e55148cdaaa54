package org.kdive.cmd.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.cmd.symbols.search.SearchOutput;
import org.kdive.test.session.CorpusSession;

/**
 * search on vmcore.kdump-zlib beyond the crash references of {@link CrashAuditTest} (126-157): the
 * JSON tree, crash's usage errors, the match limit, the -k ranges and the speed of whole-memory scans.
 */
@Order(4)
class SearchCommandTest {
    /** The vqb_vring_virtqueue of the corpus: pointed to from several places. */
    private static final String VVQ = "ff228398826f8000";
    private static final String USAGE = """
            Usage:
              search [-s start] [ -[kKV] | -u | -p | -t | -T ] [-e end | -l length] [-m mask]
                     [-x count] -[cwh] [value | (expression) | symbol | string] ...
            Enter "help search" for details.""";

    @Test
    void physicalMatchesAsJson() {
        Result r = CorpusSession.result(new SearchCommand(), "-p", VVQ);
        Map<?, ?> data = (Map<?, ?>) r.data();
        assertEquals("physical", data.get("memory"));
        assertEquals("64-bit", data.get("mode"));
        assertEquals(List.of("0x" + VVQ), data.get("values"));
        List<?> matches = (List<?>) data.get("matches");
        assertEquals(8, matches.size());
        assertEquals(Map.of("address", "0x22caac0", "value", "0x" + VVQ), matches.get(0));
        assertEquals(Map.of("address", "0x26f8000", "value", "0x" + VVQ), matches.get(4)); // the structure's first member points to itself
        assertEquals(Boolean.FALSE, data.get("truncated"));
        assertEquals("22caac0: " + VVQ + " ", r.text().lines().findFirst().orElseThrow()); // crash's trailing blank too
    }

    @Test
    void symbolsAndStringsInTheTree() {
        Map<?, ?> named = (Map<?, ?>) CorpusSession.result(new SearchCommand(), "-s", VVQ, "-l", "16", "(0x" + VVQ + ")").data();
        assertEquals(Map.of("address", "0x" + VVQ, "value", "0x" + VVQ, "name", "(0x" + VVQ + ")"), ((List<?>) named.get("matches")).get(0));
        Map<?, ?> strings = (Map<?, ?>) CorpusSession.result(new SearchCommand(), "-p", "-s", "3b0d000", "-l", "4096", "-c", "vqbug").data();
        assertEquals("string", strings.get("mode"));
        List<?> matches = (List<?>) strings.get("matches");
        assertEquals(6, matches.size());
        assertEquals(Map.of("address", "0x3b0d58d", "string", "vqbug", "text", "vqbug)..insmod /lib/modules/$KVER/extra/vqbug.ko..echo 1"),
                matches.get(0));
    }

    @Test
    void quotedStringsAsTheShellMayPassThem() {
        String plain = CorpusSession.run(new SearchCommand(), "-p", "-s", "3b0d000", "-l", "4096", "-c", "vqbug.ko");
        assertEquals(plain, CorpusSession.run(new SearchCommand(), "-p", "-s", "3b0d000", "-l", "4096", "-c", "\"vqbug.ko\""));
        assertEquals(2, plain.lines().count(), plain);
    }

    @Test
    void kernelSearchIsTheDirectMapAndImagePlusTheMappedRanges() {
        TreeSet<String> all = new TreeSet<>(CorpusSession.run(new SearchCommand(), "-k", VVQ).lines().toList());
        List<String> k = new ArrayList<>(CorpusSession.run(new SearchCommand(), "-K", VVQ).lines().toList());
        k.addAll(CorpusSession.run(new SearchCommand(), "-V", VVQ).lines().toList());
        assertEquals(all, new TreeSet<>(k));
        assertEquals(21, all.size());
        // the default is -k
        assertEquals(CorpusSession.run(new SearchCommand(), "-k", VVQ), CorpusSession.run(new SearchCommand(), VVQ));
    }

    @Test
    void stopsAfterTheMatchLimit() {
        Result r = CorpusSession.result(new SearchCommand(), "-p", "0");
        Map<?, ?> data = (Map<?, ?>) r.data();
        assertEquals(Boolean.TRUE, data.get("truncated"));
        assertEquals(SearchOutput.MAX_MATCHES, ((List<?>) data.get("matches")).size());
        List<String> lines = r.text().lines().toList();
        assertEquals(SearchOutput.MAX_MATCHES + 1, lines.size());
        assertTrue(lines.get(lines.size() - 1).startsWith("search: stopped after 100000 matches"), lines.get(lines.size() - 1));
    }

    @Test
    void usageErrorsAsCrash() {
        assertEquals(USAGE, assertThrows(CommandException.class, () -> CorpusSession.run(new SearchCommand())).getMessage());
        assertEquals(USAGE, assertThrows(CommandException.class, () -> CorpusSession.run(new SearchCommand(), "-l", "10", "-e", "20", "1"))
                .getMessage());
        assertEquals(USAGE, assertThrows(CommandException.class, () -> CorpusSession.run(new SearchCommand(), "-c", "\"\"")).getMessage());
        assertEquals("invalid kernel virtual address: 1000\n" + USAGE,
                assertThrows(CommandException.class, () -> CorpusSession.run(new SearchCommand(), "-s", "1000", "1")).getMessage());
        assertEquals("unknown option: -q", assertThrows(CommandException.class, () -> CorpusSession.run(new SearchCommand(), "-q", "1")).getMessage());
        assertEquals("invalid input: \"ten\"",
                assertThrows(CommandException.class, () -> CorpusSession.run(new SearchCommand(), "-p", "-l", "ten", "1")).getMessage());
    }

    @Test
    void userMemoryAndTaskStacksNeedTheTaskList() {
        // without a task list service the current context and the tasks are unknown (with one: CrashAuditTest)
        assertTrue(assertThrows(CommandException.class, () -> CorpusSession.run(new SearchCommand(), "-u", "1"))
                .getMessage().contains("task list is not available"));
        assertEquals("the task list is not available", assertThrows(CommandException.class,
                () -> CorpusSession.result(new SearchCommand(), "-t", "1").data()).getMessage());
        assertEquals("-t and -T options are mutually exclusive",
                assertThrows(CommandException.class, () -> CorpusSession.run(new SearchCommand(), "-t", "-T", "1")).getMessage());
    }

    /** Whole-memory scans (their speed is measured by hand, not here: see the stop note). */
    @Test
    void wholeMemoryScansFindEveryHit() {
        assertEquals(8, CorpusSession.run(new SearchCommand(), "-p", VVQ).lines().count());
        assertEquals(21, CorpusSession.run(new SearchCommand(), "-k", VVQ).lines().count());
        assertEquals(47, CorpusSession.run(new SearchCommand(), "-p", "-c", "vqbug").lines().count());
    }

    @Test
    void helpText() {
        SearchCommand c = new SearchCommand();
        assertEquals("search", c.name());
        assertTrue(c.usage().startsWith("search - search memory\nsearch [-s start] [ -[kKV] | -u | -p | -t | -T ] [-e end | -l length] [-m mask]"),
                c.usage());
        assertTrue(c.usage().contains("-c         search strings"), c.usage());
    }
}
