package org.kdive.cmd.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.kdive.api.command.CommandException;
import org.kdive.test.CrashText;
import org.kdive.test.session.CorpusSession;

/**
 * Every command of src/test/resources/refs/commands.tsv on the corpus dump, compared with crash
 * 8.0.6's output (refs/crash-8.0.6/NAME.txt, made by src/test/crash-refs.sh) column for column.
 * An error crash prints ("irq: invalid IRQ value: …") is compared with kdive's error message.
 */
class CorpusRefsTest {
    @TestFactory
    Stream<DynamicTest> everyReferenceMatches() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String line : resource("refs/commands.tsv").split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] f = line.split("\t", 2);
            String name = f[0];
            String command = f[1];
            tests.add(DynamicTest.dynamicTest(name + ": " + command, () -> {
                String ref = resource("refs/crash-8.0.6/" + name + ".txt");
                String expected = ref.substring(ref.indexOf('\n') + 1);
                assertEquals(CrashText.layout(expected), CrashText.layout(Devices.run(command)), command);
            }));
        }
        return tests.stream();
    }

    static String resource(String name) throws IOException {
        try (InputStream in = CorpusRefsTest.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) throw new IOException("no resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
