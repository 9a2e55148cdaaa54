package org.kdive.cmd.calc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandException;
import org.kdive.test.CrashText;
import org.kdive.test.session.CorpusSession;

/**
 * eval and ascii against crash 8.0.6 on the corpus dump (src/test/resources/refs/commands.tsv,
 * made by bundles/cmd-devices/src/test/crash-refs.sh): every line and column, errors included.
 * Symbols (eval jiffies + 8) resolve through the session, KASLR applied as crash applies it.
 */
class CalcRefsTest {
    private static final Map<String, Command> COMMANDS = Map.of("eval", new EvalCommand(), "ascii", new AsciiCommand());

    @TestFactory
    Stream<DynamicTest> everyReferenceMatches() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String line : resource("refs/commands.tsv").split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] f = line.split("\t", 2);
            tests.add(DynamicTest.dynamicTest(f[0] + ": " + f[1], () -> {
                String ref = resource("refs/crash-8.0.6/" + f[0] + ".txt");
                assertEquals(CrashText.layout(ref.substring(ref.indexOf('\n') + 1)), CrashText.layout(run(f[1])), f[1]);
            }));
        }
        return tests.stream();
    }

    @Test
    void evalJsonCarriesTypedValues() {
        @SuppressWarnings("unchecked")
        Map<String, Object> d = (Map<String, Object>) new EvalCommand()
                .execute(CorpusSession.context(), List.of("-b", "-1")).data();
        assertEquals(new java.math.BigInteger("18446744073709551615"), d.get("value"));
        assertEquals(-1L, d.get("signed"));
        assertEquals("0xffffffffffffffff", d.get("hexadecimal"));
        assertEquals(64, ((List<?>) d.get("bitsSet")).size());
    }

    @Test
    void divisionByZeroIsAnErrorNotACrash() {
        CommandException e = assertThrows(CommandException.class,
                () -> new EvalCommand().execute(CorpusSession.context(), List.of("1", "/", "0")));
        assertTrue(e.getMessage().contains("divide by zero"), e.getMessage());
    }

    @Test
    void asciiRejectsMoreThan16Digits() {
        assertThrows(CommandException.class,
                () -> new AsciiCommand().execute(CorpusSession.context(), List.of("11112222333344445")));
    }

    static String run(String line) {
        List<String> w = Arrays.asList(line.trim().split("\\s+"));
        try {
            return COMMANDS.get(w.get(0)).execute(CorpusSession.context(), w.subList(1, w.size())).text();
        } catch (CommandException e) {
            return w.get(0) + ": " + e.getMessage() + "\n";   // the shell names the command
        }
    }

    static String resource(String name) throws IOException {
        try (InputStream in = CalcRefsTest.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) throw new IOException("no resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
