package org.kdive.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.kdive.test.MadeDump;
import org.kdive.test.session.MadeSession;

/**
 * help -n on every x86_64 made dump with crash references (kdump and QEMU captures of 5.10, 6.1, its
 * RT build and 6.12) against crash 8.0.6's on the same dump (refs/crash-8.0.6/40-help-n.txt): crash
 * dumps its own reader's structures, which kdive does not have; the VMCOREINFO it prints, line for
 * line, its size and the number of NT_PRSTATUS notes must be crash's.
 */
class MadeDumpsHelpTest {
    @TestFactory
    Stream<DynamicTest> helpNHasCrashsVmcoreinfoAndNotes() {
        return MadeSession.x86WithCrashRefs().stream().map(e -> DynamicTest.dynamicTest(e.toString(), () -> compare(e.require())));
    }

    private static void compare(MadeDump d) {
        String crash = d.crashRef("40-help-n");
        String kdive = HelpTables.table(MadeSession.open(d), "-n").text();
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
}
