package org.kdive.cmd.calc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.TestFactory;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.test.CrashText;
import org.kdive.test.MadeDump;
import org.kdive.test.MadeDumps;
import org.kdive.test.session.MadeSession;

/**
 * eval (with a symbol: its KASLR address is this boot's) and ascii on every x86_64 made dump with
 * crash references, against crash 8.0.6 on the same dump (dumps/crash-commands.txt 92-94).
 */
class MadeDumpsCalcTest {
    private static final List<String> NAMES = List.of("92-eval-b", "93-eval-l", "94-ascii");

    @TestFactory
    Stream<DynamicContainer> everyGenerationMatchesCrash() {
        return MadeSession.everyDumpWithCrashRefs(NAMES, MadeDumpsCalcTest::compare);
    }

    private static void compare(MadeDumps.Entry e, String name) {
        MadeDump d = e.require();
        String command = MadeSession.crashCommand(d, name);
        List<String> w = Arrays.asList(command.trim().split("\\s+"));
        CommandContext ctx = MadeSession.context(d);
        String kdive;
        try {
            kdive = (w.get(0).equals("eval") ? new EvalCommand() : new AsciiCommand()).execute(ctx, w.subList(1, w.size())).text();
        } catch (CommandException ex) {
            kdive = w.get(0) + ": " + ex.getMessage() + "\n";   // the shell names the command
        }
        assertEquals(CrashText.layout(d.crashRef(name)), CrashText.layout(kdive), d + ": " + command);
    }
}
