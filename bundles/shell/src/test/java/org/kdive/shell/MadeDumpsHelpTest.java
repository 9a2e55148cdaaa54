package org.kdive.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.kdive.api.session.OpenRequest;
import org.kdive.api.session.Session;
import org.kdive.arch.x86.X86Architecture;
import org.kdive.core.KdiveSessions;
import org.kdive.format.diskdump.DiskdumpFormat;
import org.kdive.format.elf.ElfFormat;
import org.kdive.format.flattened.FlattenedFormat;
import org.kdive.symbols.dwarf.DwarfDebugInfoProvider;
import org.kdive.test.MadeDump;
import org.kdive.test.MadeDumps;

/**
 * help -n on every x86_64 made dump with crash references (kdump and QEMU captures of 5.10, 6.1, its
 * RT build and 6.12) against crash 8.0.6's on the same dump (refs/crash-8.0.6/40-help-n.txt): crash
 * dumps its own reader's structures, which kdive does not have; the VMCOREINFO it prints, line for
 * line, its size and the number of NT_PRSTATUS notes must be crash's.
 */
class MadeDumpsHelpTest {
    private static KdiveSessions sessions;
    private static Path open;

    @TestFactory
    Stream<DynamicTest> helpNHasCrashsVmcoreinfoAndNotes() {
        List<DynamicTest> all = new ArrayList<>();
        for (MadeDumps.Entry e : MadeDumps.all()) {
            if (!e.refs().contains("crash") || e.kernel().contains("arm64")) continue;
            all.add(DynamicTest.dynamicTest(e.toString(), () -> compare(e.require())));
        }
        return all.stream();
    }

    private static void compare(MadeDump d) {
        String crash = d.crashRef("40-help-n");
        String kdive = HelpTables.table(session(d), "-n").text();
        assertEquals(vmcoreinfo(crash), vmcoreinfo(kdive), d + ": VMCOREINFO");
        assertTrue(vmcoreinfo(crash).size() > 40, d + ": crash's VMCOREINFO\n" + crash);
        assertEquals(field(crash, "size_vmcoreinfo"), field(kdive, "size_vmcoreinfo"), d + ": size_vmcoreinfo");
        assertEquals(field(crash, "num_prstatus_notes"), field(kdive, "num_prstatus_notes"), d + ": num_prstatus_notes");
    }

    /** The indented lines after "size_vmcoreinfo:", stripped. */
    private static List<String> vmcoreinfo(String text) {
        List<String> out = new ArrayList<>();
        boolean in = false;
        for (String l : text.split("\n")) {
            if (l.contains("size_vmcoreinfo:")) {
                in = true;
                continue;
            }
            if (in && !l.startsWith(" ".repeat(22))) break;
            if (in && !l.isBlank()) out.add(l.strip());
        }
        return out;
    }

    private static String field(String text, String name) {
        return text.lines().map(String::strip).filter(l -> l.startsWith(name + ": ")).findFirst().orElse(name + " missing");
    }

    private static synchronized Session session(MadeDump d) {
        if (sessions == null) {
            sessions = new KdiveSessions(List.of(new DiskdumpFormat(), new FlattenedFormat(), new ElfFormat()),
                    List.of(new X86Architecture()), List.of(new DwarfDebugInfoProvider()), List.of());
        }
        if (!d.dump().equals(open)) {
            try {
                sessions.open(new OpenRequest(List.of(d.dump()), d.vmlinux(), false));
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            open = d.dump();
        }
        return sessions.require();
    }
}
