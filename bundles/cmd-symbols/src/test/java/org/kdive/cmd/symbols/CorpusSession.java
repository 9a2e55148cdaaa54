package org.kdive.cmd.symbols;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
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

/** One session on vmcore.kdump-zlib + vmlinux for the whole test JVM (the vmlinux is opened once). */
final class CorpusSession {
    private static KdiveSessions sessions;
    private static Session session;
    private static boolean vqbugLoaded;

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

    static CommandContext context() {
        get();
        return new BasicCommandContext(sessions);
    }

    /** What the crash references did before all but the *-nomods ones: `mod -s vqbug vqbug.ko.debug`. */
    static synchronized void loadVqbug() {
        if (!vqbugLoaded) {
            new ModCommand().execute(context(), List.of("-s", "vqbug", Corpus.file("vqbug.ko.debug").toString()));
            vqbugLoaded = true;
        }
    }

    static synchronized boolean vqbugLoaded() { return vqbugLoaded; }

    static synchronized void markVqbugLoaded() { vqbugLoaded = true; }

    static Result result(Command c, String... args) {
        return c.execute(context(), Arrays.asList(args));
    }

    static String run(Command c, String... args) {
        return result(c, args).text();
    }

    /** The value history restarts so "$1" matches references made in fresh crash sessions. */
    static void resetHistory() {
        SessionEnv.history(get()).clear();
    }
}
