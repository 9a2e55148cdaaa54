package org.kdive.cmd.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
        dataMatchesCrash(ref, Corpus.crashRef(ref), r.data());
        return r;
    }

    /** The typed data carries the values crash printed: each checked against the reference's text. */
    @SuppressWarnings("unchecked")
    private static void dataMatchesCrash(String ref, String crash, Object data) {
        Map<String, Object> d = (Map<String, Object>) data;
        List<String> lines = crash.lines().filter(l -> !l.isBlank()).toList();
        switch (ref) {
            case "05-mod-nomods" -> {
                List<String> want = new ArrayList<>();
                for (String l : lines.subList(1, lines.size())) {
                    String[] c = l.trim().split("\\s+");
                    want.add("0x" + c[0] + " " + c[1] + " 0x" + c[2] + " " + c[3]);
                }
                List<String> got = new ArrayList<>();
                for (Map<String, Object> m : (List<Map<String, Object>>) d.get("modules")) {
                    got.add(m.get("module") + " " + m.get("name") + " " + m.get("base") + " " + m.get("size"));
                    assertEquals(null, m.get("object_file"), "(not loaded)");
                }
                assertEquals(want, got, ref);
            }
            case "09-sym", "22-sym-l" -> {
                Matcher m = Pattern.compile("^([0-9a-f]+) \\((\\w)\\) (\\w+)(?:\\+(\\d+))?(?: \\[(\\w+)\\])? (\\S+): (\\d+)$").matcher(lines.get(0));
                assertTrue(m.matches(), lines.get(0));
                assertEquals("0x" + m.group(1), d.get("address"));
                assertEquals(m.group(2), d.get("type"));
                assertEquals(m.group(3), d.get("name"));
                assertEquals(m.group(4) == null ? 0 : Integer.parseInt(m.group(4)), ((Number) d.get("offset")).intValue());
                assertEquals(m.group(5), d.get("module"));
                assertEquals(m.group(6), d.get("file"));
                assertEquals(Integer.parseInt(m.group(7)), ((Number) d.get("line")).intValue());
            }
            case "10-struct-o-vvq", "19-struct-list_head" -> {
                assertEquals(lines.get(0).substring(0, lines.get(0).length() - 2), d.get("type"));
                assertEquals(Integer.parseInt(lines.get(lines.size() - 1).replace("SIZE: ", "")), ((Number) d.get("size")).intValue());
                List<String> want = new ArrayList<>();
                for (String l : lines.subList(1, lines.size() - 2)) {
                    Matcher m = Pattern.compile("^\\s*(?:\\[(\\d+)\\] )?.*?(\\w+)(?:\\[\\])?;$").matcher(l);
                    assertTrue(m.matches(), l);
                    want.add(m.group(2) + (m.group(1) == null ? "" : "@" + m.group(1)));
                }
                List<String> got = new ArrayList<>();
                for (Map<String, Object> m : (List<Map<String, Object>>) d.get("members")) {
                    got.add(m.get("name") + (ref.startsWith("10") ? "@" + m.get("offset") : ""));
                }
                assertEquals(want, got, ref);
            }
            case "11-struct-vq", "12-struct-vvq" -> {
                Map<String, Object> item = ((List<Map<String, Object>>) d.get("items")).get(0);
                assertEquals("0x" + Corpus.crashCommand(ref).split(" ")[2], item.get("address"));
                // every top-level number and boolean crash printed ("  name = 94,")
                Map<String, Object> value = (Map<String, Object>) item.get("value");
                int scalars = 0;
                for (String l : lines) {
                    Matcher m = Pattern.compile("^  (\\w+) = (\\d+|true|false),?$").matcher(l);
                    if (!m.matches()) continue;
                    Object v = value.get(m.group(1));
                    assertEquals(m.group(2), String.valueOf(v), ref + " " + m.group(1));
                    assertTrue(v instanceof Number || v instanceof Boolean, m.group(1) + " is typed: " + v);
                    scalars++;
                }
                assertEquals(ref.startsWith("11") ? 2 : 7, scalars, "index, num_free (and the bools and counters of vvq)");
            }
            case "13-p-vring-num", "20-p-jiffies" -> {
                String v = lines.get(0).replaceAll("^.*\\$1 = ", "");
                assertEquals(Long.parseLong(v), ((Number) d.get("value")).longValue());
                assertEquals(v, d.get("text"));
                assertEquals(1, ((Number) d.get("history")).intValue());
            }
            case "14-p-x" -> assertEquals(lines.get(0).replace("$1 = ", ""), d.get("text"));
            case "15-rd" -> {
                List<String> want = new ArrayList<>();
                for (String l : lines) {
                    String[] c = l.split("\\s+");
                    want.add("0x" + c[0].replace(":", "") + " [0x" + c[1] + ", 0x" + c[2] + "]");
                }
                List<String> got = new ArrayList<>();
                for (Map<String, Object> m : (List<Map<String, Object>>) d.get("lines")) got.add(m.get("address") + " " + m.get("values"));
                assertEquals(want, got, ref);
            }
            case "25-whatis" -> assertEquals(lines.get(0), d.get("declaration"));
            default -> throw new AssertionError("no data check for " + ref);
        }
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
        assertEquals(CrashText.layout(Corpus.crashRef("26-union")), "union: " + e.getMessage());
    }

    @Test
    @Order(50)
    void modSFindsEveryModuleInATree() {
        CorpusSession.loadVqbug(new ModCommand());
        String dir = Corpus.file("modules").toString();
        Result r = CorpusSession.result(new ModCommand(), "-S", dir);
        // crash 8.0.6 after `mod -s vqbug vqbug.ko.debug`, as made (refs/crash-8.0.6-mod-S/mod_-S.txt): a module
        // mod -s loaded keeps its file; the paths are the corpus folder crash was given, here kdive's
        String ref = Corpus.read(java.nio.file.Path.of("src/test/resources/refs/crash-8.0.6-mod-S/mod_-S.txt"));
        String crashDir = ref.substring("crash> mod -S ".length(), ref.indexOf('\n'));
        String crashCorpus = crashDir.substring(0, crashDir.lastIndexOf("/modules"));
        String expected = ref.substring(ref.indexOf('\n') + 1).replace(crashCorpus + "/", Corpus.dir() + "/");
        assertEquals(CrashText.layout(expected), CrashText.layout(r.text()));
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
