package org.kdive.cmd.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.kdive.api.command.CommandContext;
import org.kdive.arch.x86.X86Architecture;
import org.kdive.core.BasicCommandContext;
import org.kdive.core.KdiveSessions;
import org.kdive.api.session.OpenRequest;
import org.kdive.format.diskdump.DiskdumpFormat;
import org.kdive.format.elf.ElfFormat;
import org.kdive.format.flattened.FlattenedFormat;
import org.kdive.symbols.dwarf.DwarfDebugInfoProvider;
import org.kdive.test.MadeDump;

/** One session at a time on a made dump with its own kernel's vmlinux (the last one opened stays open). */
final class MadeSessions {
    private static KdiveSessions sessions;
    private static MadeDump open;

    private MadeSessions() {
    }

    static synchronized CommandContext context(MadeDump d) {
        if (sessions == null) {
            sessions = new KdiveSessions(List.of(new DiskdumpFormat(), new FlattenedFormat(), new ElfFormat()),
                    List.of(new X86Architecture()), List.of(new DwarfDebugInfoProvider()), List.of());
        }
        if (open == null || !open.dir().equals(d.dir())) {
            try {
                sessions.open(new OpenRequest(List.of(d.dump()), d.vmlinux(), false));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            open = d;
        }
        return new BasicCommandContext(sessions);
    }
}
