package org.kdive.cmd.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.kdive.api.arch.MachineFacts;
import org.kdive.api.command.Command;
import org.kdive.arch.x86.X86MachineFacts;
import org.kdive.cmd.symbols.StructCommand;
import org.kdive.test.Corpus;
import org.kdive.test.CrashText;
import org.kdive.test.session.CorpusSession;

/**
 * Every crash 8.0.6 reference of this module (src/test/resources/refs/crash-8.0.6, made on the
 * corpus dump vmcore.kdump-zlib) against kdive's text, columns and alignment included.
 */
class CrashReferencesTest {
    static final List<MachineFacts> MACHINES = List.of(new X86MachineFacts());

    static Command command(String name) {
        return switch (name) {
            case "pte" -> new PteCommand(MACHINES);
            case "btop" -> new BtopCommand();
            case "ptob" -> new PtobCommand();
            case "mach" -> new MachCommand(MACHINES, new StructCommand());
            default -> throw new IllegalArgumentException(name);
        };
    }

    @TestFactory
    Stream<DynamicTest> matchCrash() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        List<String> names = new ArrayList<>();
        try (var s = Files.list(Path.of("src/test/resources/refs/crash-8.0.6"))) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".txt")).sorted().forEach(names::add);
        }
        for (String file : names) {
            String all = Corpus.read(Path.of("src/test/resources/refs/crash-8.0.6/" + file));
            int nl = all.indexOf('\n');
            List<String> words = Arrays.asList(all.substring("crash> ".length(), nl).trim().split("\\s+"));
            String expected = all.substring(nl + 1);
            tests.add(DynamicTest.dynamicTest(file, () -> {
                String out = command(words.get(0)).execute(CorpusSession.context(), words.subList(1, words.size())).text();
                assertEquals(CrashText.layout(expected), CrashText.layout(out), file);
            }));
        }
        return tests.stream();
    }
}
