package org.kdive.cmd.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.kdive.api.command.Command;
import org.kdive.test.CrashText;

/**
 * Every crash 8.0.6 reference of this module (src/test/resources/refs/crash-8.0.6, made on the
 * corpus dump vmcore.kdump-zlib: the 6.1 kernel keeps VMAs in the maple tree) against kdive's text,
 * columns and alignment included.
 */
class CrashReferencesTest {
    @TestFactory
    Stream<DynamicTest> matchCrash() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (String cmd : List.of("vm", "sig", "swap", "fuser", "ipcs")) {
            for (String name : Fixture.refsOf(cmd)) {
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    Fixture.Ref r = Fixture.ref(name);
                    String out = command(cmd).execute(Fixture.context(), r.args()).text();
                    String crash = r.output();
                    assertEquals(CrashText.layout(crash), CrashText.layout(out), name);
                }));
            }
        }
        return tests.stream();
    }

    static Command command(String name) {
        return switch (name) {
            case "vm" -> Fixture.vm();
            case "sig" -> Fixture.sig();
            case "swap" -> Fixture.swap();
            case "fuser" -> Fixture.fuser();
            case "ipcs" -> Fixture.ipcs();
            default -> throw new IllegalArgumentException(name);
        };
    }
}
