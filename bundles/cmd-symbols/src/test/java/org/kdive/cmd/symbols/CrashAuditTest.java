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
 * The audit of the symbol and type commands against crash 8.0.2: each file under
 * src/test/resources/crash/ holds one crash command ("crash> CMD", its first line) and what crash
 * printed, on vmcore.kdump-zlib after {@code mod -s vqbug vqbug.ko.debug}. Value history numbers
 * ($N) come from one long crash session, so they are compared as "$N".
 */
@Order(2)
class CrashAuditTest {
    private static final Map<String, Supplier<Command>> COMMANDS = Map.of(
            "p", PrintCommand::new, "whatis", WhatisCommand::new, "sym", SymCommand::new,
            "struct", StructCommand::new, "union", UnionCommand::new, "rd", RdCommand::new,
            "vtop", VtopCommand::new, "ptov", PtovCommand::new, "search", SearchCommand::new);

    static Stream<String> references() throws IOException, URISyntaxException {
        Path dir = Path.of(CrashAuditTest.class.getResource("/crash").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".txt")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("references")
    void matchesCrash(String file) {
        List<String> lines = read(file);
        assertTrue(lines.get(0).startsWith("crash> "), file);
        String line = lines.get(0).substring(7);
        String expected = String.join("\n", lines.subList(1, lines.size()));

        CorpusSession.loadVqbug(new ModCommand());
        List<String> words = new ArrayList<>(List.of(line.trim().split("\\s+")));
        String name = words.remove(0);
        int slash = name.indexOf('/');
        if (slash > 0) {
            words.add(0, name.substring(slash));
            name = name.substring(0, slash);
        }
        Command command = COMMANDS.get(name).get();
        String actual;
        try {
            actual = CorpusSession.run(command, words.toArray(new String[0]));
        } catch (CommandException e) {
            actual = name + ": " + e.getMessage(); // as the shell prints a command's error
        }
        assertEquals(comparable(expected), comparable(actual), line);
    }

    /** Whitespace-normalised, value history numbers masked. */
    static String comparable(String s) {
        return CrashText.layout(s).replaceAll("\\$\\d+ =", "\\$N =");
    }

    private static List<String> read(String file) {
        try (var in = CrashAuditTest.class.getResourceAsStream("/crash/" + file)) {
            return List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
