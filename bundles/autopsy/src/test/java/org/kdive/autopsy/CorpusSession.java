package org.kdive.autopsy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.kdive.api.command.CommandContext;
import org.kdive.api.session.OpenRequest;
import org.kdive.api.session.Session;
import org.kdive.arch.x86.X86Architecture;
import org.kdive.cmd.dis.BugTableService;
import org.kdive.cmd.kernel.printk.KernelLogService;
import org.kdive.cmd.kernel.tasks.KernelTasksService;
import org.kdive.cmd.symbols.modules.ModulesService;
import org.kdive.core.BasicCommandContext;
import org.kdive.core.KdiveSessions;
import org.kdive.arch.x86.dis.X86Disassembler;
import org.kdive.format.diskdump.DiskdumpFormat;
import org.kdive.symbols.dwarf.DwarfDebugInfoProvider;
import org.kdive.test.Corpus;

/**
 * Sessions through the real pieces, as the distro wires them. The corpus vmlinux is opened once per
 * test JVM at a time: the session service keeps one session and closes the previous one (with its
 * vmlinux) when another dump, or a fresh session, is opened.
 */
final class CorpusSession {
    private static KdiveSessions sessions;
    private static Path openDump;

    private CorpusSession() {
    }

    /** The session on {@code dump} (opened on first use, or when another dump was open). */
    static synchronized Session open(Path dump) {
        if (sessions == null) {
            sessions = new KdiveSessions(List.of(new DiskdumpFormat(), new org.kdive.format.flattened.FlattenedFormat()), List.of(new X86Architecture()),
                    List.of(new DwarfDebugInfoProvider()), List.of());
        }
        if (!dump.equals(openDump)) {
            try {
                sessions.open(new OpenRequest(List.of(dump), Corpus.vmlinux(), false));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            openDump = dump;
        }
        return sessions.require();
    }

    static Session corpus() {
        return open(Corpus.file("vmcore.kdump-zlib"));
    }

    /**
     * A new session on the corpus dump with no module debuginfo loaded, for a test that needs the
     * state a user has right after opening (the old session and its vmlinux are closed first).
     */
    static synchronized Session freshCorpus() {
        Session s = corpus();
        if (s.modules().isEmpty()) return s;
        openDump = null;
        return corpus();
    }

    static CommandContext context(boolean json) {
        return new BasicCommandContext(sessions, json);
    }

    static AutopsyCommand autopsy() {
        return new AutopsyCommand(new X86Disassembler(), new KernelTasksService(), new BugTableService(), new ModulesService(),
                new KernelLogService());
    }
}
