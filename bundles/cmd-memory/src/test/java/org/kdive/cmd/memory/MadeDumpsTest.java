package org.kdive.cmd.memory;

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
 * pte, btop, ptob and mach (-m, -c) on every x86_64 kernel generation's made dumps (Debian 11 5.10,
 * 12 6.1, 13 6.12: hardirq_stack_ptr on its own or in pcpu_hot, IST stacks, e820 of each boot's
 * memory size), against crash 8.0.6 run on the same dump in the same run (dumps/crash-commands.txt, 56-61).
 */
class MadeDumpsTest {
    static final List<String> REFS = List.of("56-pte", "57-btop", "58-ptob", "59-mach", "60-mach-m", "61-mach-c");

    @TestFactory
    Stream<DynamicContainer> matchCrashOnEveryGeneration() {
        return MadeSession.everyDumpWithCrashRefs(REFS, (e, name) -> compare(e.require(), name));
    }

    private static void compare(MadeDump d, String name) {
        String cmd = d.crashCommand(name);
        List<String> words = Arrays.asList(cmd.trim().split("\\s+"));
        String out = CrashReferencesTest.command(words.get(0)).execute(MadeSession.context(d), words.subList(1, words.size())).text();
        String crash = d.crashRef(name);
        if (cmd.equals("mach")) crash = hzTruth(d, crash, out);
        assertEquals(CrashText.layout(crash), CrashText.layout(out), d + " " + name + " (" + cmd + ", " + d.release() + ")");
    }

    /**
     * crash 8.0.6 has no way to read HZ (no IKCONFIG in Debian's kernels): it takes it from the
     * mq-deadline scheduler's write_expire (HZ * 5) when that is built in, else says 1000. On 6.12
     * it says 1000 where the kernel runs at 250: the truth is the kernel's build configuration
     * (kernels/ID/config, CONFIG_HZ), which kdive matches through tick_nsec. Where crash differs, it
     * must be its fallback 1000, and kdive must say CONFIG_HZ; the rest of the text stays crash's.
     */
    private static String hzTruth(MadeDump d, String crash, String kdive) {
        String config;
        try {
            config = java.nio.file.Files.readString(d.kernelDir().resolve("config"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^CONFIG_HZ=(\\d+)$").matcher(config);
        org.junit.jupiter.api.Assertions.assertTrue(m.find(), d + ": no CONFIG_HZ in the kernel's config");
        String truth = "                    HZ: " + m.group(1);
        org.junit.jupiter.api.Assertions.assertTrue(kdive.contains(truth + "\n"), d + ": kdive's mach does not say " + truth.strip());
        if (crash.contains(truth + "\n")) return crash;
        org.junit.jupiter.api.Assertions.assertTrue(crash.contains("                    HZ: 1000\n"),
                d + ": crash's HZ is neither CONFIG_HZ nor its fallback 1000");
        return crash.replace("                    HZ: 1000\n", truth + "\n");
    }
}
