package org.kdive.cmd.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.TestFactory;
import org.kdive.test.CrashText;
import org.kdive.test.MadeDump;
import org.kdive.test.session.MadeSession;

/**
 * vm, sig, swap, fuser and ipcs on every x86_64 kernel generation's made dumps (Debian 11 5.10:
 * VMAs on the mm_struct.mmap list; 12 6.1 and 13 6.12: the maple tree; 6.12's per-CPU RSS counters),
 * against crash 8.0.6 run on the same dump in the same run (dumps/crash-commands.txt, 43-55).
 */
class MadeDumpsTest {
    /** crash-commands.txt names of this module's commands. */
    static final List<String> REFS = List.of("43-vm", "44-vm-1", "45-vm-blocked", "46-vm-p-blocked", "47-vm-m-1", "48-vm-f",
            "49-sig-1", "50-sig-g-blocked", "51-sig-l", "52-swap", "53-fuser-busybox", "54-fuser-root", "55-ipcs");

    @TestFactory
    Stream<DynamicContainer> matchCrashOnEveryGeneration() {
        return MadeSession.everyDumpWithCrashRefs(REFS, (e, name) -> compare(e.require(), name));
    }

    private static void compare(MadeDump d, String name) {
        String cmd = d.crashCommand(name);
        List<String> words = Arrays.asList(cmd.trim().split("\\s+"));
        String out = CrashReferencesTest.command(words.get(0)).execute(MadeSession.context(d), words.subList(1, words.size())).text();
        String crash = d.crashRef(name);
        assertEquals(CrashText.layout(crash), CrashText.layout(out), d + " " + name + " (" + cmd + ", " + d.release() + ")");
    }
}
