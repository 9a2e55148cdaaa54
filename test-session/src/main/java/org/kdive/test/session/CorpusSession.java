package org.kdive.test.session;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.Result;
import org.kdive.api.session.OpenRequest;
import org.kdive.api.session.Session;
import org.kdive.arch.x86.X86Architecture;
import org.kdive.core.BasicCommandContext;
import org.kdive.core.KdiveSessions;
import org.kdive.format.diskdump.DiskdumpFormat;
import org.kdive.symbols.dwarf.DwarfDebugInfoProvider;
import org.kdive.test.Corpus;

/**
 * The session on the corpus through the real pieces (diskdump format, x86_64, DWARF), as the distro
 * wires them. The 561 MiB vmlinux is opened once per test JVM: the session service keeps one session,
 * so another dump of the same kernel ({@link #open(Path)}) reopens with the same vmlinux path (its
 * index is cached on disk).
 */
public final class CorpusSession {
    /** The dump the crash references were made on. */
    public static final String DUMP = "vmcore.kdump-zlib";

    private static KdiveSessions sessions;
    private static Path openDump;
    private static final Set<String> loadedModules = new HashSet<>();

    private CorpusSession() {
    }

    /** The session on vmcore.kdump-zlib + vmlinux. */
    public static Session get() {
        return open(Corpus.file(DUMP));
    }

    /** The session on {@code dump} + vmlinux (opened on first use, or when another dump was open). */
    public static synchronized Session open(Path dump) {
        if (sessions == null) {
            sessions = new KdiveSessions(List.of(new DiskdumpFormat()), List.of(new X86Architecture()),
                    List.of(new DwarfDebugInfoProvider()), List.of());
        }
        if (!dump.equals(openDump)) {
            try {
                sessions.open(new OpenRequest(List.of(dump), Corpus.vmlinux(), false));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            openDump = dump;
            loadedModules.clear();
        }
        return sessions.require();
    }

    /**
     * A new session on vmcore.kdump-zlib with no module debuginfo loaded, for a test that needs the
     * state a user has right after opening (the old session and its vmlinux are closed first).
     */
    public static synchronized Session fresh() {
        Session s = get();
        if (s.modules().isEmpty()) return s;
        openDump = null;
        return get();
    }

    /** A command context on the open session (vmcore.kdump-zlib when none is open yet). */
    public static CommandContext context() {
        return context(false);
    }

    public static synchronized CommandContext context(boolean json) {
        if (openDump == null) get();
        return new BasicCommandContext(sessions, json);
    }

    /** Runs a command as the shell would, with crash-style words. */
    public static Result result(Command command, String... args) {
        return command.execute(context(), List.of(args));
    }

    /** The text a command prints for crash-style words. */
    public static String run(Command command, String... args) {
        return result(command, args).text();
    }

    /**
     * What the crash references did before all but the *-nomods ones: {@code mod -s vqbug
     * vqbug.ko.debug}, once per session. {@code mod} is kdive-cmd-symbols' command (this module
     * cannot depend on cmd-symbols: its tests use this one); it also adds every module's kallsyms.
     */
    public static void loadVqbug(Command mod) {
        loadModule(mod, "vqbug", Corpus.file("vqbug.ko.debug"));
    }

    /** {@code mod -s module file} once per session. */
    public static synchronized void loadModule(Command mod, String module, Path file) {
        if (!loadedModules.contains(module)) {
            mod.execute(context(), List.of("-s", module, file.toString()));
            markLoaded(module);
        }
    }

    /** Whether the module's debuginfo was loaded (by {@link #loadModule} or a test that ran `mod -s` itself). */
    public static synchronized boolean loaded(String module) {
        return loadedModules.contains(module);
    }

    /** For a test that ran `mod -s module` itself (to compare its output). */
    public static synchronized void markLoaded(String module) {
        loadedModules.add(module);
    }
}
