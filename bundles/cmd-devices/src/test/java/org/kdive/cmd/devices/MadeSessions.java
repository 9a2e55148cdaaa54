package org.kdive.cmd.devices;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.kdive.api.command.CommandContext;
import org.kdive.api.session.OpenRequest;
import org.kdive.arch.x86.X86Architecture;
import org.kdive.core.BasicCommandContext;
import org.kdive.core.KdiveSessions;
import org.kdive.format.diskdump.DiskdumpFormat;
import org.kdive.format.elf.ElfFormat;
import org.kdive.format.flattened.FlattenedFormat;
import org.kdive.symbols.dwarf.DwarfDebugInfoProvider;
import org.kdive.test.MadeDump;

/**
 * One session at a time on a made dump (dumps/README.md) and its own vmlinux, through the pieces
 * the distribution wires; module symbols join as at open. Tests iterate dump by dump, so each
 * vmlinux is opened once.
 */
final class MadeSessions {
    private static KdiveSessions sessions;
    private static Path open;

    private MadeSessions() {
    }

    static synchronized CommandContext context(MadeDump d) {
        if (sessions == null) {
            sessions = new KdiveSessions(List.of(new DiskdumpFormat(), new FlattenedFormat(), new ElfFormat()),
                    List.of(new X86Architecture()), List.of(new DwarfDebugInfoProvider()), List.of());
        }
        Path dump = d.dump();
        if (!dump.equals(open)) {
            try {
                sessions.open(new OpenRequest(List.of(dump), d.vmlinux(), false));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            open = dump;
            Devices.moduleSymbols(sessions.require());
        }
        return new BasicCommandContext(sessions, false);
    }
}
