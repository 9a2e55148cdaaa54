package org.kdive.cmd.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandException;
import org.kdive.test.Corpus;
import org.kdive.test.CrashText;
import org.kdive.test.session.CorpusSession;

/**
 * The audit of the symbol and type commands against crash: each file under src/test/resources/crash/
 * (crash 8.0.2) and src/test/resources/refs/crash-8.0.6/ (crash 8.0.6, the options of issue 18) holds
 * one crash command ("crash> CMD", its first line) and what crash printed, errors included, on
 * vmcore.kdump-zlib after {@code mod -s vqbug vqbug.ko.debug}. Value history numbers ($N) come from one
 * long crash session, so they are compared as "$N". Files named ctx1-* were made after crash's
 * {@code set 1} (init, a process with a user address space); the others in the panic task's context
 * (pid 41, kworker/1:1H, a kernel thread). Files named modseq-* change which module debuginfo is
 * loaded: {@link ModOptionsTest} runs them in their order.
 */
@Order(2)
class CrashAuditTest {
    /** The panic task's pid: crash's context on the corpus. */
    static final int PANIC_PID = 41;
    /** The tasks crash listed on the corpus (ps reference), current task the panic task. */
    static final RefTasks TASKS = new RefTasks(Corpus.read(Corpus.file("refs/crash-8.0.6/23-ps.txt")), PANIC_PID);
    private static final Map<String, Supplier<Command>> COMMANDS = Map.of(
            "p", PrintCommand::new, "whatis", WhatisCommand::new, "sym", SymCommand::new,
            "struct", () -> new StructCommand(TASKS), "union", () -> new UnionCommand(TASKS), "rd", () -> new RdCommand(TASKS),
            "vtop", () -> new VtopCommand(TASKS), "ptov", PtovCommand::new, "search", () -> new SearchCommand(TASKS),
            "mod", ModCommand::new);

    /** The reference folders, and in them every file but the modseq-* ones, as "folder/file". */
    static Stream<String> references() throws IOException, URISyntaxException {
        List<String> all = new ArrayList<>();
        for (String folder : List.of("crash", "refs/crash-8.0.6")) {
            Path dir = Path.of(CrashAuditTest.class.getResource("/" + folder).toURI());
            try (Stream<Path> files = Files.list(dir)) {
                files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".txt") && !n.startsWith("modseq-")).sorted()
                        .forEach(n -> all.add(folder + "/" + n));
            }
        }
        return all.stream();
    }

    /**
     * Where crash 8.0.6 is wrong, what kdive prints instead. In a kernel thread's context (no mm)
     * crash's rd and struct read user addresses through task->mm->pgd without checking mm: they
     * report reading address 0x48 (offsetof(struct mm_struct, pgd) on this kernel) as a kernel
     * address. The truth is that the context has no user address space, which crash's own search -u
     * says in that context (reference 86-search-u-kthread); kdive says so for all three.
     */
    static final Map<String, String> CRASH_WRONG = Map.of(
            "refs/crash-8.0.6/30-struct-u-kthread.txt", "struct: current context has no user address space",
            "refs/crash-8.0.6/42-rd-u-kthread.txt", "rd: current context has no user address space",
            "refs/crash-8.0.6/43-rd-user-kthread.txt", "rd: current context has no user address space");

    @ParameterizedTest(name = "{0}")
    @MethodSource("references")
    void matchesCrash(String file) {
        List<String> lines = read(file);
        assertTrue(lines.get(0).startsWith("crash> "), file);
        String line = lines.get(0).substring(7);
        String expected = String.join("\n", lines.subList(1, lines.size()));
        if (CRASH_WRONG.containsKey(file)) {
            long mmPgd = org.kdive.cmd.symbols.types.OffsetLayout.findMember(
                    CorpusSession.get().symbols().type("struct mm_struct").orElseThrow(), "pgd").orElseThrow().offset();
            assertTrue(expected.contains("invalid kernel virtual address: " + Long.toHexString(mmPgd) + "  type: \"mm_struct pgd\""),
                    file + ": crash still reads NULL->pgd: " + expected);
            expected = CRASH_WRONG.get(file);
        }

        onlyVqbugDebuginfo();
        String actual = run(line, file.contains("/ctx1-") ? 1 : PANIC_PID);
        assertEquals(comparable(expected), comparable(actual), line);
    }

    /** The state the references were made in: vqbug's debuginfo loaded, no other module's (CrashReferencesTest's mod -S loads them all). */
    static void onlyVqbugDebuginfo() {
        CorpusSession.loadVqbug(new ModCommand());
        var s = CorpusSession.get();
        for (var m : s.modules()) {
            if (m.module() != null && !m.module().equals("vqbug")) s.unloadDebugInfo(m.module());
        }
        if (s.modules().stream().noneMatch(m -> "vqbug".equals(m.module()))) {
            CorpusSession.run(new ModCommand(), "-s", "vqbug", Corpus.file("vqbug.ko.debug").toString());
        }
    }

    /** The text a crash command line prints with this bundle's commands, errors as the shell prints them. */
    static String run(String line, int currentPid) {
        List<String> words = new ArrayList<>(List.of(line.trim().split("\\s+")));
        String name = words.remove(0);
        int slash = name.indexOf('/');
        if (slash > 0) {
            words.add(0, name.substring(slash));
            name = name.substring(0, slash);
        }
        Command command = COMMANDS.get(name).get();
        TASKS.setCurrent(currentPid);
        try {
            return CorpusSession.run(command, words.toArray(new String[0])); // errors reported in place are in the text
        } catch (CommandException e) {
            return name + ": " + e.getMessage(); // as the shell prints a command's error
        } finally {
            TASKS.setCurrent(PANIC_PID);
        }
    }


    /** Whitespace-normalised, value history numbers masked. */
    static String comparable(String s) {
        return CrashText.layout(s).replaceAll("\\$\\d+ =", "\\$N =");
    }

    private static List<String> read(String file) {
        try (var in = CrashAuditTest.class.getResourceAsStream("/" + file)) {
            return List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
