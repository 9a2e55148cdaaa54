package org.kdive.arch.arm64;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.kdive.api.session.OpenRequest;
import org.kdive.api.session.Session;
import org.kdive.core.KdiveSessions;
import org.kdive.format.diskdump.DiskdumpFormat;
import org.kdive.format.elf.ElfFormat;
import org.kdive.symbols.dwarf.DwarfDebugInfoProvider;
import org.kdive.test.MadeDump;
import org.kdive.test.MadeDumps;

/** Sessions on the made arm64 dumps (dumps/arm64/dumps.list), one per dump file per test JVM. */
final class Arm64Sessions {
    static final String KERNEL = "deb12-6.1-cloud-arm64";
    private static final Map<Path, Session> SESSIONS = new ConcurrentHashMap<>();

    private Arm64Sessions() {
    }

    static MadeDump kdump() {
        return MadeDumps.require(KERNEL, "arm64-vqbug-kdump");
    }

    static MadeDump sysrq() {
        return MadeDumps.require(KERNEL, "arm64-sysrq");
    }

    static synchronized Session open(MadeDump d, Path file) {
        return SESSIONS.computeIfAbsent(file, f -> {
            KdiveSessions sessions = new KdiveSessions(List.of(new DiskdumpFormat(), new ElfFormat()),
                    List.of(new Arm64Architecture()), List.of(new DwarfDebugInfoProvider()), List.of());
            try {
                return sessions.open(new OpenRequest(List.of(f), d.vmlinux(), false));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
