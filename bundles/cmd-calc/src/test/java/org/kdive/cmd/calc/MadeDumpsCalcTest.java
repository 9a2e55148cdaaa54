package org.kdive.cmd.calc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.session.OpenRequest;
import org.kdive.arch.x86.X86Architecture;
import org.kdive.core.BasicCommandContext;
import org.kdive.core.KdiveSessions;
import org.kdive.format.diskdump.DiskdumpFormat;
import org.kdive.format.elf.ElfFormat;
import org.kdive.format.flattened.FlattenedFormat;
import org.kdive.symbols.dwarf.DwarfDebugInfoProvider;
import org.kdive.test.CrashText;
import org.kdive.test.MadeDump;
import org.kdive.test.MadeDumps;

/**
 * eval (with a symbol: its KASLR address is this boot's) and ascii on every x86_64 made dump with
 * crash references, against crash 8.0.6 on the same dump (dumps/crash-commands.txt 92-94).
 */
class MadeDumpsCalcTest {
    private static final List<String> NAMES = List.of("92-eval-b", "93-eval-l", "94-ascii");
    private static KdiveSessions sessions;
    private static Path open;

    @TestFactory
    Stream<DynamicContainer> everyGenerationMatchesCrash() {
        List<DynamicContainer> all = new ArrayList<>();
        for (MadeDumps.Entry e : MadeDumps.all()) {
            if (!e.refs().contains("crash") || e.kernel().contains("arm64")) continue;
            List<DynamicTest> tests = new ArrayList<>();
            for (String name : NAMES) tests.add(DynamicTest.dynamicTest(name, () -> compare(e, name)));
            all.add(DynamicContainer.dynamicContainer(e.toString(), tests));
        }
        return all.stream();
    }

    private static void compare(MadeDumps.Entry e, String name) {
        MadeDump d = e.require();
        if (!Files.isRegularFile(d.crashRefsDir().resolve(name + ".txt"))) {
            fail(d + " has no crash reference " + name + ": its references predate the command list; run bash dumps/make-dumps.sh " + e);
        }
        String command = d.crashCommand(name);
        List<String> w = Arrays.asList(command.trim().split("\\s+"));
        CommandContext ctx = context(d);
        String kdive;
        try {
            kdive = (w.get(0).equals("eval") ? new EvalCommand() : new AsciiCommand()).execute(ctx, w.subList(1, w.size())).text();
        } catch (CommandException ex) {
            kdive = w.get(0) + ": " + ex.getMessage() + "\n";   // the shell names the command
        }
        assertEquals(CrashText.layout(d.crashRef(name)), CrashText.layout(kdive), d + ": " + command);
    }

    private static synchronized CommandContext context(MadeDump d) {
        if (sessions == null) {
            sessions = new KdiveSessions(List.of(new DiskdumpFormat(), new FlattenedFormat(), new ElfFormat()),
                    List.of(new X86Architecture()), List.of(new DwarfDebugInfoProvider()), List.of());
        }
        if (!d.dump().equals(open)) {
            try {
                sessions.open(new OpenRequest(List.of(d.dump()), d.vmlinux(), false));
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            open = d.dump();
        }
        return new BasicCommandContext(sessions, false);
    }
}
