package org.kdive.cmd.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.test.Corpus;
import org.kdive.test.CrashText;
import org.kdive.test.session.CorpusSession;

/**
 * The crash references of the corpus, command by command, on vmcore.kdump-zlib. The *-nomods ones
 * run first; `mod -s vqbug vqbug.ko.debug` (reference 06) then loads the module debuginfo the
 * other references were made with.
 */
@TestMethodOrder(OrderAnnotation.class)
@org.junit.jupiter.api.Order(1)
class CrashReferencesTest {

    /** Runs the reference's command line with our command and compares after normalisation. */
    private static Result check(String ref, Command command) {
        String line = Corpus.crashCommand(ref);
        List<String> words = new ArrayList<>(List.of(line.trim().split("\\s+")));
        String name = words.remove(0);
        if (name.startsWith("p/")) words.add(0, name.substring(1));
        SessionEnv.history(CorpusSession.get()).clear(); // "$1" as in the references' fresh crash sessions
        Result r = CorpusSession.result(command, words.toArray(new String[0]));
        assertEquals(CrashText.layout(Corpus.crashRef(ref)), CrashText.layout(r.text()), ref);
        assertNotNull(r.data(), ref + " data");
        return r;
    }

    @Test
    @Order(1)
    void modWithoutDebuginfo() {
        CorpusSession.fresh(); // the state right after opening, whatever ran before
        check("05-mod-nomods", new ModCommand());
    }

    @Test
    @Order(2)
    void symBeforeModS() {
        CorpusSession.fresh(); // the state right after opening, whatever ran before
        // kallsyms from the dump already name module text (crash does the same)
        String out = CorpusSession.run(new SymCommand(), "ffffffffc061907d");
        assertEquals("ffffffffc061907d (t) vqb_virtqueue_add+77 [vqbug]", out.strip());
    }

    @Test
    @Order(3)
    void modSLoadsModuleDebuginfo() {
        CorpusSession.fresh(); // the state right after opening, whatever ran before
        String file = Corpus.file("vqbug.ko.debug").toString();
        Result r = CorpusSession.result(new ModCommand(), "-s", "vqbug", file);
        String text = r.text().replace(file, "vqbug.ko.debug");
        assertEquals(CrashText.layout(Corpus.crashRef("06-mod-s-nomods")), CrashText.layout(text));
        CorpusSession.markLoaded("vqbug");
    }

    @Test
    @Order(10)
    void symWithLine() {
        CorpusSession.loadVqbug(new ModCommand());
        check("09-sym", new SymCommand());
        check("22-sym-l", new SymCommand());
    }

    @Test
    @Order(11)
    void structOffsets() {
        CorpusSession.loadVqbug(new ModCommand());
        check("10-struct-o-vvq", new StructCommand());
        check("19-struct-list_head", new StructCommand());
    }

    @Test
    @Order(12)
    void structContents() {
        CorpusSession.loadVqbug(new ModCommand());
        check("11-struct-vq", new StructCommand());
        check("12-struct-vvq", new StructCommand());
    }

    @Test
    @Order(13)
    void printExpressions() {
        CorpusSession.loadVqbug(new ModCommand());
        check("13-p-vring-num", new PrintCommand());
        check("14-p-x", new PrintCommand());
        check("20-p-jiffies", new PrintCommand());
    }

    @Test
    @Order(14)
    void readMemory() {
        CorpusSession.loadVqbug(new ModCommand());
        check("15-rd", new RdCommand());
    }

    @Test
    @Order(15)
    void whatisFunction() {
        CorpusSession.loadVqbug(new ModCommand());
        check("25-whatis", new WhatisCommand());
    }

    @Test
    @Order(16)
    void unionThatDoesNotExist() {
        CorpusSession.loadVqbug(new ModCommand());
        CommandException e = assertThrows(CommandException.class,
                () -> CorpusSession.run(new UnionCommand(), "-o", "thread_union"));
        assertEquals(Corpus.normalize(Corpus.crashRef("26-union")), "union: " + e.getMessage());
    }

    @Test
    @Order(50)
    void modSFindsEveryModuleInATree() {
        CorpusSession.loadVqbug(new ModCommand());
        String dir = Corpus.file("modules").toString();
        Result r = CorpusSession.result(new ModCommand(), "-S", dir);
        String[] lines = r.text().strip().split("\n");
        assertEquals(9, lines.length, r.text());
        for (int i = 1; i < lines.length; i++) {
            // as crash 8.0.6 (the made dumps' 41-mod-S references): a module mod -s loaded keeps its file
            if (lines[i].contains(" vqbug ")) assertTrue(lines[i].contains(Corpus.file("vqbug.ko.debug") + " "), lines[i]);
            else assertTrue(lines[i].contains(dir + "/"), lines[i]);
        }
        assertEquals(8, CorpusSession.get().modules().size());
        // the module's build-id in the dump (mod->notes_attrs) is the one of its debuginfo file
        var vqbug = org.kdive.cmd.symbols.modules.KernelModules.list(CorpusSession.get()).stream()
                .filter(m -> m.name().equals("vqbug")).findFirst().orElseThrow();
        var inDump = org.kdive.cmd.symbols.modules.KernelModules.buildId(CorpusSession.get(), vqbug);
        assertTrue(inDump.isPresent());
        assertEquals(inDump, org.kdive.cmd.symbols.modules.BuildIds.ofFile(Corpus.file("vqbug.ko.debug")));
        // module text now has source lines from its own debuginfo
        String sym = CorpusSession.run(new SymCommand(), "virtqueue_add_sgs").strip();
        assertTrue(sym.matches("[0-9a-f]{16} \\(T\\) virtqueue_add_sgs \\[virtio_ring\\] .*virtio_ring.c: \\d+"), sym);
    }

    @Test
    @Order(51)
    void modSWithoutDirectorySearchesModulesBesideTheVmlinux() {
        // the corpus keeps module debuginfo in modules/ beside the vmlinux, as kdive's fetchers do
        assertEquals(Corpus.file("modules"), ModCommand.defaultTree(CorpusSession.get()));
        Result r = CorpusSession.result(new ModCommand(), "-S");
        assertEquals(9, r.text().strip().split("\n").length, r.text());
        assertTrue(r.text().contains(Corpus.file("modules") + "/virtio_ring.ko"), r.text());
    }
}
