package org.kdive.arch.x86;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.kdive.api.session.OpenRequest;
import org.kdive.api.session.Session;
import org.kdive.core.KdiveSessions;
import org.kdive.format.diskdump.DiskdumpFormat;
import org.kdive.symbols.dwarf.DwarfDebugInfoProvider;
import org.kdive.test.Corpus;

/** One session on vmcore.kdump-zlib + vmlinux per test JVM (the vmlinux is opened once). */
final class CorpusSession {
    private static Session session;

    private CorpusSession() {
    }

    static synchronized Session get() {
        if (session == null) {
            KdiveSessions sessions = new KdiveSessions(List.of(new DiskdumpFormat()), List.of(new X86Architecture()),
                    List.of(new DwarfDebugInfoProvider()), List.of());
            try {
                session = sessions.open(new OpenRequest(List.of(Corpus.file("vmcore.kdump-zlib")), Corpus.vmlinux(), false));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return session;
    }
}
