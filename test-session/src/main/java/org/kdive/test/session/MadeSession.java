package org.kdive.test.session;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.kdive.api.command.CommandContext;
import org.kdive.api.session.OpenRequest;
import org.kdive.api.session.Session;
import org.kdive.arch.x86.X86Architecture;
import org.kdive.core.BasicCommandContext;
import org.kdive.core.KdiveSessions;
import org.kdive.format.diskdump.DiskdumpFormat;
import org.kdive.format.elf.ElfFormat;
import org.kdive.format.flattened.FlattenedFormat;
import org.kdive.symbols.dwarf.DwarfDebugInfoProvider;
import org.kdive.test.MadeDump;
import org.kdive.test.MadeDumps;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;

/**
 * A session on a made dump (org.kdive.test.MadeDump) and its own kernel's vmlinux, through the real
 * pieces (diskdump, flattened and ELF formats, x86_64, DWARF), and the crash references made on it.
 * One session at a time per test JVM, reopened when another dump is asked for: tests go dump by dump,
 * so each vmlinux is opened once. Only x86_64 for now (no test runs commands on the arm64 dumps here).
 */
public final class MadeSession {
    private static KdiveSessions sessions;
    private static Path openDump;
    /** The setups ({@link #context(MadeDump, String, Consumer)}) done on the open session. */
    private static final Set<String> setupsDone = new HashSet<>();

    private MadeSession() {
    }

    /** The session on {@code d} (opened on first use, or when another dump was open). */
    public static synchronized Session open(MadeDump d) {
        if (sessions == null) {
            sessions = new KdiveSessions(List.of(new DiskdumpFormat(), new FlattenedFormat(), new ElfFormat()),
                    List.of(new X86Architecture()), List.of(new DwarfDebugInfoProvider()), List.of());
        }
        if (!d.dump().equals(openDump)) {
            openDump = null;
            setupsDone.clear();
            try {
                sessions.open(new OpenRequest(List.of(d.dump()), d.vmlinux(), false));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            openDump = d.dump();
        }
        return sessions.require();
    }

    /** A (text) command context on {@code d}'s session. */
    public static CommandContext context(MadeDump d) {
        open(d);
        return new BasicCommandContext(sessions, false);
    }

    /**
     * A command context on {@code d}'s session after {@code setup} (e.g. loading a module's debuginfo
     * as crash had it), which runs once on each session opened, however many tests share it: a setup
     * is known by its name.
     */
    public static synchronized CommandContext context(MadeDump d, String setupName, Consumer<CommandContext> setup) {
        CommandContext ctx = context(d);
        if (setupsDone.add(setupName)) {
            try {
                setup.accept(ctx);
            } catch (RuntimeException | Error e) {
                setupsDone.remove(setupName);
                throw e;
            }
        }
        return ctx;
    }

    /** Every x86_64 dump of the lists that has crash references, made or not (list order). */
    public static List<MadeDumps.Entry> x86WithCrashRefs() {
        return MadeDumps.all().stream().filter(e -> e.refs().contains("crash") && !e.kernel().contains("arm64")).toList();
    }

    /** A check of one crash reference (its name, e.g. "92-eval-b") on one dump. */
    @FunctionalInterface
    public interface RefCheck {
        void check(MadeDumps.Entry e, String name) throws Throwable;
    }

    /** One test per reference name on {@code e}, named after it. */
    public static List<DynamicTest> refTests(MadeDumps.Entry e, List<String> names, RefCheck check) {
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : names) tests.add(DynamicTest.dynamicTest(name, () -> check.check(e, name)));
        return tests;
    }

    /** One container per x86_64 dump with crash references ({@link #x86WithCrashRefs}), one test per name in it. */
    public static Stream<DynamicContainer> everyDumpWithCrashRefs(List<String> names, RefCheck check) {
        return x86WithCrashRefs().stream().map(e -> DynamicContainer.dynamicContainer(e.toString(), refTests(e, names, check)));
    }

    /**
     * The command crash 8.0.6 ran as reference {@code name} on {@code d}; fails when the dump's
     * references have no such output (made before the command was added to dumps/crash-commands.txt).
     */
    public static String crashCommand(MadeDump d, String name) {
        if (!Files.isRegularFile(d.crashRefsDir().resolve(name + ".txt"))) {
            fail(d + " has no crash reference " + name + ": its references predate the command list; run bash dumps/make-dumps.sh "
                    + d.entry());
        }
        return d.crashCommand(name);
    }
}
