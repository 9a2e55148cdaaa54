package org.kdive.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.kdive.test.MadeDump;
import org.kdive.test.MadeDumps;

/**
 * kdive's sys, bt, ps and log on every kernel generation's made dumps (Debian 11 5.10, 12 6.1 and
 * its PREEMPT_RT build, 13 6.12; kdump captures and QEMU-written dumps), compared with crash 8.0.6
 * run on the same dump in the same run (dumps/refs.sh), and the task list with drgn 0.0.31's.
 *
 * <p>Where kdive does not yet match, the difference is listed in {@link #KNOWN_GAPS} with its
 * reason: the test then checks that the difference is still there (a closed gap must be removed
 * from the list, so the list stays true), and any difference not listed fails.
 */
class GenerationsTest {
    private static final List<String> COMMANDS = List.of("sys", "bt", "ps", "log");
    /** Which crash reference each command is compared with (dumps/crash-commands.txt). */
    private static final Map<String, String> CRASH_REF = Map.of("sys", "04-sys", "bt", "05-bt", "ps", "08-ps", "log", "10-log");
    private static final String SPLIT = "@@kdive-generations-split@@";

    /**
     * "KERNEL/KIND COMMAND" → why kdive's output differs from crash 8.0.6's there today. The only
     * place known differences are allowed; each is checked to still differ.
     */
    static final Map<String, String> KNOWN_GAPS = Map.ofEntries(
    );

    private final Map<String, Map<String, String>> outputs = new HashMap<>();

    @TestFactory
    Stream<DynamicContainer> sysBtPsLogMatchCrashOnEveryGeneration() {
        List<DynamicContainer> all = new ArrayList<>();
        for (MadeDumps.Entry e : MadeDumps.all()) {
            if (!e.refs().contains("crash") || !"x86_64".equals(arch(e))) continue;
            List<DynamicTest> tests = new ArrayList<>();
            for (String cmd : COMMANDS) {
                tests.add(DynamicTest.dynamicTest(cmd, () -> compareWithCrash(e, cmd)));
            }
            tests.add(DynamicTest.dynamicTest("ps tasks = drgn's", () -> psTasksMatchDrgn(e)));
            all.add(DynamicContainer.dynamicContainer(e.toString(), tests));
        }
        return all.stream();
    }

    /** The rows a dumps.list names are x86 unless their kernel id says otherwise (arm64 rows carry -arm64). */
    private static String arch(MadeDumps.Entry e) {
        return e.kernel().contains("arm64") ? "aarch64" : "x86_64";
    }

    private void compareWithCrash(MadeDumps.Entry e, String cmd) throws Exception {
        MadeDump d = e.require();
        String kdive = run(d).get(cmd);
        String crash = d.crashRef(CRASH_REF.get(cmd));
        String key = e + " " + cmd;
        List<String> expected = lines(crash);
        if (cmd.equals("sys")) expected = GenerationsCommandsTest.sysUptime(d, expected, lines(kdive)); // crash's 6.12 HZ
        if (cmd.equals("bt") && "qemu".equals(d.property("capture"))) expected = btFromTheSavedPc(expected, lines(kdive), d);
        String gap = KNOWN_GAPS.get(key);
        if (gap == null) {
            assertEquals(String.join("\n", expected), String.join("\n", lines(kdive)), key + ": kdive differs from crash 8.0.6 (" + d.release() + ")");
        } else {
            assertNotEquals(expected, lines(kdive), key + " now matches: remove it from KNOWN_GAPS (" + gap + ")");
        }
    }

    private static final Pattern FRAME = Pattern.compile("^\\s?#(\\d+) (\\[[0-9a-f]+\\] (\\S+) at .*)$");

    /**
     * On a QEMU-written dump the panic task's registers are the CPU's at the time of the dump: kdive
     * starts its backtrace there, as drgn does, and crash 8.0.6 does not (it starts at panic, and on
     * the PREEMPT_RT kernel it then walks stale stack words). kdive's bt is accepted when: the
     * header is crash's; frame #0 is drgn's first frame (refs/drgn-0.0.31/bt-frames.txt, inlined
     * frames folded into the function they are in); the other frames are, in order, the console's
     * own Call Trace of the panic (after dump_stack); the register lines are crash's. The panic's own
     * trace, not facts.properties' first one: a soft lockup's panic comes after the lockup report's
     * trace, and its own crosses from the IRQ stack (the watchdog's hrtimer) into the spinning task.
     */
    private static List<String> btFromTheSavedPc(List<String> crash, List<String> kdive, MadeDump d) {
        if (kdive.isEmpty() || crash.isEmpty() || !kdive.get(0).equals(crash.get(0))) return crash;
        String[] first = d.drgnRef("bt-frames").split("\n");
        String pc0 = first[0].split("\\s+")[4];
        String drgn0 = null;
        for (String f : first) {
            String[] c = f.split("\\s+");
            if (c.length >= 6 && c[4].equals(pc0)) drgn0 = c[5];  // the outermost function at the saved PC
        }
        List<String> console = new ArrayList<>();
        for (String t : d.consolePanicTrace()) {
            String fn = t.replaceAll("\\+0x.*$", "");
            if (console.isEmpty() && fn.startsWith("dump_stack")) continue;
            console.add(fn);
        }
        List<String> fns = new ArrayList<>();
        List<String> kdiveRest = new ArrayList<>();
        List<String> crashRest = new ArrayList<>();
        for (String l : kdive.subList(1, kdive.size())) {
            Matcher m = FRAME.matcher(l);
            if (m.matches()) fns.add(m.group(3)); else kdiveRest.add(l);
        }
        for (String l : crash.subList(1, crash.size())) if (!FRAME.matcher(l).matches()) crashRest.add(l);
        boolean truth = !fns.isEmpty() && fns.get(0).equals(drgn0) && fns.subList(1, fns.size()).equals(console)
                && kdiveRest.equals(crashRest);
        return truth ? kdive : crash;
    }

    /** A ps line's columns without the ">" of active tasks: PID PPID CPU TASK ST %MEM VSZ RSS COMM. */
    private static String[] fields(String line) {
        String t = line.startsWith(">") ? line.substring(1) : line;
        return t.trim().split("\\s+", 9);
    }

    /** Every task drgn lists (PID, PPID, CPU, TASK, COMM) is in kdive's ps, and no other but the idle tasks. */
    private void psTasksMatchDrgn(MadeDumps.Entry e) throws Exception {
        MadeDump d = e.require();
        Set<String> drgn = new TreeSet<>();
        for (String l : d.drgnRef("ps").split("\n")) {
            String[] c = l.trim().split("\\s+");
            if (c.length < 6 || c[0].equals("PID")) continue;
            drgn.add(String.join(" ", c[0], c[1], c[2], c[3], l.trim().split("\\s+", 6)[5]));
        }
        Set<String> kdive = new TreeSet<>();
        for (String l : run(d).get("ps").split("\n")) {
            String t = l.startsWith(">") ? l.substring(1) : l;
            String[] c = t.trim().split("\\s+", 9);
            if (c.length < 9 || c[0].equals("PID") || c[0].equals("0")) continue;  // idle tasks: drgn's for_each_task has none
            String comm = c[8].startsWith("[") && c[8].endsWith("]") ? c[8].substring(1, c[8].length() - 1) : c[8];  // kernel threads
            kdive.add(String.join(" ", c[0], c[1], c[2], c[3], comm));
        }
        String key = e + " ps-drgn";
        String gap = KNOWN_GAPS.get(key);
        if (gap == null) {
            assertEquals(drgn, kdive, key + ": kdive's tasks differ from drgn 0.0.31's");
        } else {
            assertNotEquals(drgn, kdive, key + " now matches drgn: remove it from KNOWN_GAPS (" + gap + ")");
        }
    }

    /** One kdive run per dump for the four commands, split at echoed markers. */
    private synchronized Map<String, String> run(MadeDump d) throws Exception {
        Map<String, String> cached = outputs.get(d.toString());
        if (cached != null) return cached;
        // the paths crash was given (refs.sh: physical paths), so KERNEL: and DUMPFILE: compare as they are
        Path dump = d.dump().toRealPath();
        Path vmlinux = d.vmlinux().toRealPath();
        StringBuilder script = new StringBuilder();
        for (String c : COMMANDS) {
            if (script.length() > 0) script.append("; echo ").append(SPLIT).append("; ");
            script.append(c);
        }
        Kdive.Run r = Kdive.run(Kdive.distro(), dump.toString(), vmlinux.toString(), "-c", script.toString());
        String[] parts = r.out().split("(?m)^" + SPLIT + "\n", -1);
        if (parts.length != COMMANDS.size()) fail(d + ": kdive's output has " + parts.length + " parts (status " + r.status() + "): " + r.all());
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < parts.length; i++) m.put(COMMANDS.get(i), parts[i]);
        outputs.put(d.toString(), m);
        return m;
    }

    /** Lines without trailing blanks and without blank lines at the end (crash pads some lines). */
    private static List<String> lines(String s) {
        List<String> r = new ArrayList<>();
        for (String l : s.split("\n", -1)) r.add(l.stripTrailing());
        while (!r.isEmpty() && r.get(r.size() - 1).isEmpty()) r.remove(r.size() - 1);
        return r;
    }
}
