package org.kdive.cmd.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.session.OpenRequest;
import org.kdive.api.session.Session;
import org.kdive.arch.x86.X86Architecture;
import org.kdive.core.BasicCommandContext;
import org.kdive.core.KdiveSessions;
import org.kdive.format.diskdump.DiskdumpFormat;
import org.kdive.symbols.dwarf.DwarfDebugInfoProvider;
import org.kdive.test.Corpus;

/** One session on vmcore.kdump-zlib + vmlinux for the whole test JVM (the vmlinux is opened once). */
final class CorpusSession {
    private static KdiveSessions sessions;
    private static Session session;

    private CorpusSession() {
    }

    static synchronized Session get() {
        if (session == null) {
            sessions = new KdiveSessions(List.of(new DiskdumpFormat()), List.of(new X86Architecture()),
                    List.of(new DwarfDebugInfoProvider()), List.of());
            try {
                session = sessions.open(new OpenRequest(List.of(Corpus.file("vmcore.kdump-zlib")), Corpus.vmlinux(), false));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return session;
    }

    private static boolean modulesLoaded;

    /** What the crash references did first: `mod -s vqbug vqbug.ko.debug` (plus every module's kallsyms). */
    static synchronized Session withModules() {
        Session s = get();
        if (!modulesLoaded) {
            org.kdive.cmd.symbols.modules.KernelModules.ensureKallsyms(s);
            org.kdive.cmd.symbols.modules.KernelModules.Module vqbug = org.kdive.cmd.symbols.modules.KernelModules.list(s)
                    .stream().filter(m -> m.name().equals("vqbug")).findFirst().orElseThrow();
            try {
                s.loadDebugInfo(Corpus.file("vqbug.ko.debug"), org.kdive.api.symbols.LoadSpec.module("vqbug",
                        org.kdive.cmd.symbols.modules.KernelModules.sections(s, vqbug)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            modulesLoaded = true;
        }
        return s;
    }

    static CommandContext context() {
        get();
        return new BasicCommandContext(sessions);
    }

    /** Runs a command as the shell would, with crash-style words. */
    static String run(Command c, String... args) {
        return c.execute(context(), List.of(args)).text();
    }

    static String ref(String name) {
        return Corpus.read(java.nio.file.Path.of("src/test/resources/refs/crash-" + name + ".txt"));
    }
}
