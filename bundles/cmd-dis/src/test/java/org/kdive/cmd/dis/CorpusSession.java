package org.kdive.cmd.dis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.kdive.api.command.CommandContext;
import org.kdive.api.session.OpenRequest;
import org.kdive.api.session.Session;
import org.kdive.arch.x86.X86Architecture;
import org.kdive.cmd.symbols.modules.KernelModules;
import org.kdive.core.BasicCommandContext;
import org.kdive.core.KdiveSessions;
import org.kdive.format.diskdump.DiskdumpFormat;
import org.kdive.symbols.dwarf.DwarfDebugInfoProvider;
import org.kdive.test.Corpus;

/** One session on vmcore.kdump-zlib + vmlinux per test JVM (the vmlinux is opened once), with module kallsyms. */
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
            KernelModules.ensureKallsyms(session);
        }
        return session;
    }

    static CommandContext context() {
        get();
        return new BasicCommandContext(sessions);
    }
}
