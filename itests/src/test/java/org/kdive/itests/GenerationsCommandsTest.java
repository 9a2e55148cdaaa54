package org.kdive.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.kdive.test.CrashText;
import org.kdive.test.MadeDump;
import org.kdive.test.MadeDumps;

/**
 * Issue 15's command list on every kernel generation the dump factory makes (Debian 11 5.10, 12 6.1
 * and its PREEMPT_RT build, 13 6.12; real kdump captures of the vqbug BUG_ON and QEMU-written sysrq-c
 * panics), each command compared with crash 8.0.6's output on the same dump (refs/crash-8.0.6, the
 * command as crash ran it: COMMANDS.tsv), in crash's exact layout ({@link #lines}).
 *
 * <p>Where crash 8.0.6 is wrong, the test says why ({@link #TRUTH}) and checks kdive against the truth
 * instead: drgn 0.0.31 run on the same dump, the guest's console (facts.properties), the source the
 * module was built from. Where kdive differs on purpose, {@link #DIFFERS} says why and what still holds.
 * Both lists feed the per-kernel table of the generations note.
 *
 * <p>One kdive run per dump (the real distribution, as a user runs it), the commands split at echoed markers.
 */
class GenerationsCommandsTest {
    /** The crash references of the commands issue 15 lists (dumps/crash-commands.txt), in their order. */
    private static final List<String> COMMANDS = List.of(
            "04-sys", "05-bt", "06-bt-a", "07-bt-f", "08-ps", "09-task", "10-log", "11-mod", "12-sym-rip", "13-dis-rip",
            "14-dis-l", "15-whatis-vqb", "16-struct-o-vvq", "17-struct-vq", "18-struct-vvq", "19-p-vring-num",
            "20-struct-list_head", "21-union", "22-whatis-schedule", "23-p-jiffies", "24-p-init-comm", "25-rd-task",
            "26-vtop-task", "27-list-tasks", "28-tree", "29-kmem-i", "30-kmem-s", "31-runq", "32-files", "33-mount",
            "34-foreach-bt", "35-bt-blocked", "36-ps-blocked", "37-task-blocked", "38-sym-l", "39-dis-l-vmlinux",
            "41-mod-S", "42-mod-all", "95-rd-s-init-task", "96-struct-o-members");
    /** References about the vqbug module: meaningless on dumps without it (crash prints its own errors there). */
    private static final Set<String> MODULE_ONLY = Set.of("14-dis-l", "15-whatis-vqb", "16-struct-o-vvq");

    /** Where crash 8.0.6 is wrong: reference name → why, and what kdive is checked against instead. */
    static final Map<String, String> TRUTH = Map.of(
            "04-sys", "UPTIME: crash 8.0.6 finds no HZ in 6.12 (falls back to 1000 with INITIAL_JIFFIES of HZ 1000: 00:03:49 for a"
                    + " panic 16 s after boot); kdive's tick_nsec-derived HZ 250 gives the console's panic time",
            "14-dis-l", "source lines of the 6.12 module built by gcc 14: crash 8.0.6 (gdb 10) names lines of vqb_init (103, 106,"
                    + " 107, 110) inside vqb_virtqueue_add; the console's BUG line and the function's own lines are kdive's",
            "05-bt", "QEMU-written dumps: crash starts the panic task at panic(); kdive at the CPU's saved PC"
                    + " (delay_tsc inside panic's wait), as drgn 0.0.31 does (bt-frames.txt); the frames after it are crash's;"
                    + " a panic inside a module's init function: crash names it _MODULE_INIT_START_MOD (its marker of the"
                    + " init text), kdive by the function, as the console's trace does",
            "07-bt-f", "as 05-bt",
            "06-bt-a", "QEMU-written dumps: the other CPUs, stopped by panic(), start at their saved PC (stop_this_cpu) as a frame,"
                    + " where crash prints the saved registers as an exception frame or cannot read the stack (5.10)",
            "34-foreach-bt", "as 06-bt-a for the tasks on a CPU; every other task's frames are crash's");

    /** Where kdive differs from crash on purpose: reference name → why. */
    static final Map<String, String> DIFFERS = Map.of(
            "17-struct-vq", "a module's string literal: crash names it after the nearest module label before it, \".LC0+71\","
                    + " a label of another section (gcc 14 keeps .LC labels in the symbol table); kdive names only"
                    + " addresses inside the symbol's own section",
            "18-struct-vvq", "as 17-struct-vq");

    private static final Pattern PANIC_TIME = Pattern.compile("^\\[\\s*(\\d+)\\.\\d+\\]");

    private final Map<String, Run> runs = new HashMap<>();

    /** kdive's outputs on one dump: by reference name, plus stderr. */
    private record Run(Map<String, String> out, String err, Map<String, String> commands, Path moduleDir) {
    }

    @TestFactory
    Stream<DynamicContainer> issue15CommandsMatchCrashOrTheTruth() {
        List<DynamicContainer> all = new ArrayList<>();
        for (MadeDumps.Entry e : MadeDumps.all()) {
            if (!e.refs().contains("crash") || e.kernel().contains("arm64")) continue;
            List<DynamicTest> tests = new ArrayList<>();
            for (String name : COMMANDS) {
                tests.add(DynamicTest.dynamicTest(name, () -> compare(e, name)));
            }
            tests.add(DynamicTest.dynamicTest("dumpinfo = dump.properties", () -> dumpinfo(e)));
            if (e.kind().startsWith("vqbug")) tests.add(DynamicTest.dynamicTest("autopsy", () -> autopsy(e)));
            all.add(DynamicContainer.dynamicContainer(e.toString(), tests));
        }
        return all.stream();
    }

    private void compare(MadeDumps.Entry e, String name) throws Exception {
        MadeDump d = e.require();
        Run r = run(d);
        if (!r.commands().containsKey(name)) {
            // a reference whose variables had no value here (no exception RIP, no module) or not about this dump
            assertTrue(!d.crashCommands().containsKey(name) || MODULE_ONLY.contains(name),
                    d + ": crash ran " + name + " but kdive did not");
            return;
        }
        String kdive = r.out().get(name);
        List<String> crash = lines(d.crashRef(name));
        List<String> ours = lines(kdive);
        String cmd = r.commands().get(name);
        // crash's one-line refusals: kdive prints its own on stderr
        if (crash.size() == 1 && crash.get(0).startsWith(cmd.split(" ")[0] + ": ") && ours.isEmpty()) {
            assertTrue(r.err().contains(crash.get(0)), d + " " + cmd + ": kdive does not refuse as crash: " + crash.get(0));
            return;
        }
        switch (name) {
            case "04-sys" -> crash = sysUptime(d, crash, ours);
            case "05-bt", "07-bt-f" -> {
                if (qemu(d) && CrashText.panicFramesAsDrgnWhereCrashLostThem(d, String.join("\n", crash), String.join("\n", ours))) return;
                if (qemu(d)) {
                    ours = panicTaskFromSavedPc(d, ours, crash);
                }
                crash = moduleInitNames(d, crash, ours);
            }
            case "06-bt-a", "34-foreach-bt" -> {
                if (qemu(d)) {
                    onCpuTasks(d, crash, ours, name);
                    return;
                }
            }
            case "14-dis-l" -> crash = disLines(d, crash, ours);
            case "17-struct-vq", "18-struct-vvq" -> crash = withoutOtherSectionLabels(crash, ours);
            case "41-mod-S", "42-mod-all" -> {
                ours = withCrashModuleDir(ours, r.moduleDir(), d.crashCommands().get("41-mod-S"));
                if (name.equals("41-mod-S")) crash = missingObjectFiles(d, crash, r);
            }
            default -> { }
        }
        assertEquals(String.join("\n", crash), String.join("\n", ours), d + " " + cmd + ": kdive differs from crash 8.0.6");
    }

    private static boolean qemu(MadeDump d) {
        return d.entry().capture().equals("qemu");
    }

    // ---- where crash is wrong -------------------------------------------------------------------

    /**
     * crash's UPTIME where kdive's differs (crash 8.0.6 takes 6.12's HZ as 1000 without the kernel's
     * config in memory; it is 250): kdive's must be the console's panic time, whole seconds of the
     * first line of the panic or BUG, within 2 s either way. UPTIME is jiffies since boot, and jiffies
     * advance by timer ticks that a loaded TCG host delays, so they may trail the printk clock (a
     * fresh-cache run read 5.84 s of jiffies at a 6.12 s BUG line); the dump itself follows the panic
     * within a second or two. A wrong HZ is off by a factor. Every other line stays crash's.
     */
    static List<String> sysUptime(MadeDump d, List<String> crash, List<String> ours) {
        List<String> r = new ArrayList<>(crash);
        for (int i = 0; i < r.size() && i < ours.size(); i++) {
            if (!r.get(i).trim().startsWith("UPTIME:") || r.get(i).equals(ours.get(i))) continue;
            long panic = consolePanicSeconds(d);
            String[] hms = ours.get(i).trim().substring("UPTIME:".length()).trim().split(":");
            long up = Long.parseLong(hms[0]) * 3600 + Long.parseLong(hms[1]) * 60 + Long.parseLong(hms[2]);
            assertTrue(up >= panic - 2 && up <= panic + 2, d + ": kdive's UPTIME " + ours.get(i).trim() + " is not the console's panic"
                    + " time " + panic + " s (crash 8.0.6: " + r.get(i).trim() + ")");
            r.set(i, ours.get(i));
        }
        return r;
    }

    /** Seconds since boot of the console's panic line (the BUG or "Kernel panic" line facts.properties names). */
    static long consolePanicSeconds(MadeDump d) {
        String needle = d.facts().containsKey("bug") ? d.fact("bug") : d.facts().getOrDefault("panic", "Kernel panic");
        for (String l : d.consoleText().split("\n")) {
            int at = l.indexOf(needle);
            if (at < 0) continue;
            Matcher m = PANIC_TIME.matcher(l.substring(Math.max(0, l.lastIndexOf('[', at))));
            if (m.find()) return Long.parseLong(m.group(1));
        }
        throw new AssertionError(d + ": no timestamped panic line in the console (" + needle + ")");
    }

    /**
     * A QEMU-written dump's panic task: kdive's frame #0 is the CPU's saved PC, in the function of drgn's
     * first frame (drgn's outermost function at its saved PC); the frames after it, renumbered, are crash's.
     * crash starts at panic() itself: kdive's frames below crash's first one (a lower stack address) are
     * what panic's wait had called when QEMU wrote this dump (drgn read the ELF, written by a second
     * dump-guest-memory call: e.g. delay_tsc inside i8042_panic_blink here, delay_tsc inside mdelay there);
     * they go, with their stack words (bt -f).
     */
    private static List<String> panicTaskFromSavedPc(MadeDump d, List<String> ours, List<String> crash) {
        List<String> drgn = List.of(d.drgnRef("bt-frames").split("\n"));
        String pc = drgn.get(0).trim().split("\\s+")[4];
        Set<String> names = new java.util.HashSet<>();
        for (String f : drgn) {
            String[] c = f.trim().split("\\s+");
            if (c.length >= 6 && c[4].equals(pc)) names.add(c[5]);
        }
        long crashSp = -1;
        for (String l : crash) {
            Matcher m = FRAME.matcher(l);
            if (m.find()) {
                crashSp = Long.parseUnsignedLong(m.group(2), 16);
                break;
            }
        }
        List<String> r = new ArrayList<>();
        boolean dropped = false;
        boolean dropping = false;
        int gone = 0;
        for (String l : ours) {
            Matcher m = FRAME.matcher(l);
            if (!m.find()) {
                if (!dropping) r.add(l);
                continue;
            }
            int n = Integer.parseInt(m.group(1));
            if (n == 0) {
                // the function, not the exact pc: drgn read the QEMU ELF, written by a second dump-guest-memory
                // call, while the CPU went on spinning in panic's wait
                assertTrue(names.contains(m.group(3)), d + ": " + m.group(3) + " is not drgn's function at the saved PC " + pc + ": " + names);
                dropped = true;
                dropping = true;
                gone = 1;
                continue;
            }
            if (crashSp != -1 && Long.compareUnsigned(Long.parseUnsignedLong(m.group(2), 16), crashSp) < 0) {
                gone++;
                continue;
            }
            dropping = false;
            r.add(renumber(l, m, n - gone));
        }
        assertTrue(dropped, d + ": no frame #0 in kdive's bt");
        return r;
    }

    /** crash's lines where it names a module's init function by its init-text marker: kdive's (CrashText says when). */
    private static List<String> moduleInitNames(MadeDump d, List<String> crash, List<String> ours) {
        return List.of(org.kdive.test.CrashText.withModuleInitNames(String.join("\n", crash), String.join("\n", ours),
                d.consolePanicTrace()).split("\n", -1));
    }

    /** " #N [sp] name at pc": its number, stack address and function. */
    private static final Pattern FRAME = Pattern.compile("^\\s?#(\\d+) \\[([0-9a-f]+)\\] (\\S+) at ");

    private static String renumber(String line, Matcher m, int n) {
        String rest = line.substring(m.start(2) - 1);
        return (n < 10 ? " " : "") + "#" + n + " " + rest;
    }

    /**
     * bt -a / foreach bt on a QEMU-written dump: every task section's header is crash's; the panic task's
     * frames are as {@link #panicTaskFromSavedPc}; a task on another CPU starts at its saved PC in
     * stop_this_cpu (panic() stopped it there: crash names the same function in its exception RIP when it
     * can read the stack); every task not on a CPU has crash's frames.
     */
    private static void onCpuTasks(MadeDump d, List<String> crash, List<String> ours, String name) {
        Map<String, List<String>> c = sections(crash);
        Map<String, List<String>> k = sections(ours);
        assertEquals(c.keySet(), k.keySet(), d + " " + name + ": the task sections differ from crash's");
        String panicPid = "PID: " + d.fact("pid") + " ";
        for (Map.Entry<String, List<String>> s : c.entrySet()) {
            List<String> ck = s.getValue();
            List<String> kk = k.get(s.getKey());
            boolean active = ck.stream().anyMatch(l -> l.contains("[exception RIP:") || l.startsWith("bt: "))
                    || !ck.equals(kk) && s.getKey().startsWith(panicPid);
            if (s.getKey().startsWith(panicPid)) {
                if (CrashText.panicFramesAsDrgnWhereCrashLostThem(d, String.join("\n", ck), String.join("\n", kk))) continue;
                List<String> mine = panicTaskFromSavedPc(d, kk, ck);
                assertEquals(moduleInitNames(d, ck, mine), mine, d + " " + name + ": " + s.getKey());
            } else if (active) {
                Matcher m = kk.isEmpty() ? null : FRAME.matcher(kk.get(0));
                assertTrue(m != null && m.find() && m.group(3).equals("stop_this_cpu"),
                        d + " " + name + ": " + s.getKey() + " does not start in stop_this_cpu: " + kk);
                // crash's first exception frame is the saved PC (a later one is where the stop IPI came in)
                ck.stream().filter(l -> l.contains("[exception RIP: ")).findFirst().ifPresent(l ->
                        assertTrue(l.contains("[exception RIP: stop_this_cpu+"), d + ": crash stopped elsewhere: " + l));
            } else {
                if (!ck.equals(kk)) {
                    List<String> asCrash = kernelInterruptAsPlainFrame(ck, kk);
                    if (asCrash != null) kk = asCrash;
                }
                assertEquals(ck, kk, d + " " + name + ": " + s.getKey());
            }
        }
    }

    /**
     * A task preempted after an interrupt came in kernel mode (a timer tick inside
     * exit_to_user_mode_prepare, then preempt_schedule_irq, on PREEMPT_RT): kdive prints the interrupt's
     * pt_regs as an exception frame (CS 0010), as drgn 0.0.31 marks that frame interrupted with the same
     * SP; crash 8.0.6 prints the interrupted function as a plain frame at another stack slot. kdive's
     * lines with crash's frame in place of the exception frame, when the function and PC are crash's
     * frame's and the registers are kernel mode; null when the sections differ otherwise.
     */
    static List<String> kernelInterruptAsPlainFrame(List<String> crash, List<String> ours) {
        List<String> r = new ArrayList<>();
        int frames = 0;
        boolean replaced = false;
        for (int i = 0; i < ours.size(); i++) {
            String l = ours.get(i);
            Matcher f = FRAME.matcher(l);
            if (f.find()) {
                r.add(replaced ? renumber(l, f, Integer.parseInt(f.group(1)) + 1) : l);
                frames++;
                continue;
            }
            int at = l.indexOf("[exception RIP: ");
            if (at < 0 || replaced) {
                r.add(l);
                continue;
            }
            int end = i;
            while (end < ours.size() && !ours.get(end).contains(" CS: ")) end++;
            if (end == ours.size() || !ours.get(end).contains(" CS: 0010") || i + 1 >= ours.size()) return null;
            String function = l.substring(at + 16, l.indexOf('+', at) < 0 ? l.indexOf(']', at) : l.indexOf('+', at));
            Matcher rip = Pattern.compile("RIP: ([0-9a-f]{16})").matcher(ours.get(i + 1));
            if (!rip.find()) return null;
            String plain = crash.stream().filter(c -> {
                Matcher m = FRAME.matcher(c);
                return m.find() && m.group(3).equals(function) && c.endsWith(" at " + rip.group(1));
            }).findFirst().orElse(null);
            if (plain == null) return null;
            Matcher m = FRAME.matcher(plain);
            m.find();
            if (Integer.parseInt(m.group(1)) != frames) return null;
            r.add(plain);
            replaced = true;
            i = end;
        }
        return replaced ? r : null;
    }

    /** Task sections by their "PID: ..." header, in order. */
    private static Map<String, List<String>> sections(List<String> lines) {
        Map<String, List<String>> r = new LinkedHashMap<>();
        List<String> cur = null;
        for (String l : lines) {
            if (l.startsWith("PID: ")) {
                cur = new ArrayList<>();
                r.put(l, cur);
            } else if (cur != null && !l.isEmpty()) {
                cur.add(l);
            }
        }
        return r;
    }

    /**
     * dis -l of the module function: the instructions are crash's; where a source-line header differs, crash's
     * line must lie outside vqb_virtqueue_add in vqbug.c (so crash is wrong) and kdive's inside it, and the
     * BUG address's line is the console's "kernel BUG at vqbug.c:N".
     */
    private static List<String> disLines(MadeDump d, List<String> crash, List<String> ours) {
        if (crash.equals(ours)) return crash;
        int[] body = functionLines(d, "vqb_virtqueue_add");
        String bugLine = d.fact("bug").replaceAll(".*:(\\d+)!?$", "$1");
        long bugOffset = Long.decode(d.fact("rip").replaceAll(".*\\+(0x[0-9a-f]+)/.*", "$1"));
        List<String> crashInsns = crash.stream().filter(l -> l.startsWith("0x")).toList();
        List<String> ourInsns = ours.stream().filter(l -> l.startsWith("0x")).toList();
        assertEquals(crashInsns, ourInsns, d + ": dis -l instructions differ from crash's");
        String header = null;
        for (String l : ours) {
            if (!l.startsWith("0x")) {
                header = l;
                int n = Integer.parseInt(l.replaceAll(".*: (\\d+)$", "$1"));
                assertTrue(n >= body[0] && n <= body[1], d + ": kdive's line " + l + " is outside vqb_virtqueue_add " + body[0] + "-" + body[1]);
            } else if (l.contains("<vqb_virtqueue_add+" + bugOffset + ">")) {
                assertTrue(header != null && header.endsWith(": " + bugLine), d + ": the BUG's line is not the console's " + bugLine + ": " + header);
            }
        }
        for (String l : crash) {
            if (l.startsWith("0x") || ours.contains(l)) continue;
            int n = Integer.parseInt(l.replaceAll(".*: (\\d+)$", "$1"));
            assertFalse(n >= body[0] && n <= body[1], d + ": crash's line " + l + " lies in the function: kdive should have it");
        }
        return ours;
    }

    /** The first and last line of a function's definition in the module's source (its name at column 0 to the "}"). */
    static int[] functionLines(MadeDump d, String function) {
        String[] src;
        try {
            src = Files.readString(d.file(d.property("module.vqbug.source"))).split("\n", -1);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        int start = -1;
        for (int i = 0; i < src.length; i++) {
            // the definition's name at the start of a line or after its return type, not a call (indented)
            if (start < 0 && src[i].matches("^([a-z_].*[ *])?" + function + "\\(.*") && !src[i].endsWith(";")) start = i + 1;
            if (start > 0 && i + 1 > start && src[i].equals("}")) return new int[] {start, i + 1};
        }
        throw new AssertionError(d + ": no definition of " + function + " in the module source");
    }

    // ---- where kdive differs on purpose ----------------------------------------------------------

    /** crash's lines with " <.LCn+off>" removed where kdive's line is the same without it. */
    private static List<String> withoutOtherSectionLabels(List<String> crash, List<String> ours) {
        List<String> r = new ArrayList<>();
        for (int i = 0; i < crash.size(); i++) {
            String c = crash.get(i);
            String without = c.replaceAll(" <\\.LC\\d+\\+\\d+>", "");
            r.add(!without.equals(c) && i < ours.size() && ours.get(i).equals(without) ? without : c);
        }
        return r;
    }

    /** kdive ran `mod -S` on its own copy of the directory crash was given (gone with crash's run). */
    private static List<String> withCrashModuleDir(List<String> ours, Path ourDir, String crashCommand) {
        String crashDir = crashCommand.substring("mod -S ".length()).trim();
        List<String> r = new ArrayList<>();
        for (String l : ours) r.add(l.replace(ourDir.toString(), crashDir));
        return r;
    }

    private static final Pattern MISSING_OBJECT = Pattern.compile("^mod: cannot find or load object file for (\\S+) module$");

    /**
     * mod -S where a module has no object file in the directory (a made dump's own test module other than
     * vqbug, which refs.sh does not copy there): crash reports it in that module's place in the list,
     * instead of its row; kdive reports the same line as an error, so on stderr (in place in the collected
     * text, which cmd-symbols' tests check). Each such crash line must be in kdive's stderr, and the
     * module's file really absent from kdive's directory; the list without those lines is crash's.
     */
    private static List<String> missingObjectFiles(MadeDump d, List<String> crash, Run r) {
        List<String> out = new ArrayList<>();
        for (String l : crash) {
            Matcher m = MISSING_OBJECT.matcher(l);
            if (!m.matches()) {
                out.add(l);
                continue;
            }
            String module = m.group(1);
            assertFalse(Files.exists(r.moduleDir().resolve(module + ".ko")) || Files.exists(r.moduleDir().resolve(module + ".ko.debug")),
                    d + ": crash found no object file for " + module + " but kdive's directory has one");
            assertTrue(r.err().contains(l + "\n"), d + ": kdive does not report as crash: " + l + "\n" + r.err());
        }
        return out;
    }

    // ---- beyond crash ----------------------------------------------------------------------------

    /** kdive's own dumpinfo against the factory's manifest and VMCOREINFO-independent facts. */
    private void dumpinfo(MadeDumps.Entry e) throws Exception {
        MadeDump d = e.require();
        String out = run(d).out().get("dumpinfo");
        Map<String, String> f = new HashMap<>();
        for (String l : out.split("\n")) {
            int c = l.indexOf(": ");
            if (c > 0) f.put(l.substring(0, c).trim(), l.substring(c + 2).trim());
        }
        assertEquals(String.valueOf(d.cpus()), f.get("CPUS"), d + ": dumpinfo CPUS");
        assertEquals(d.release(), f.get("RELEASE"), d + ": dumpinfo RELEASE");
        assertEquals(d.arch(), f.get("MACHINE"), d + ": dumpinfo MACHINE");
        if (d.facts().containsKey("cpu") && f.containsKey("PANIC CPU")) {
            assertEquals(d.fact("cpu"), f.get("PANIC CPU"), d + ": dumpinfo PANIC CPU is not the console's");
        }
    }

    /**
     * autopsy names vqbug.c's BUG line (the console's), the failed condition with its values (total_sg 129
     * from the registers, vring.num 128 as crash's `p` shows it) and the queue's indirect = true (crash's `struct`).
     */
    private void autopsy(MadeDumps.Entry e) throws Exception {
        MadeDump d = e.require();
        String out = run(d).out().get("autopsy");
        String bug = d.fact("bug").replace("kernel BUG at ", "").replaceAll("!$", "");
        assertTrue(out.contains("line:        " + bug + "  (DWARF line table)"), d + ": autopsy does not name " + bug + ":\n" + out);
        assertTrue(out.contains("site:        " + bug + "  (__bug_table, BUG)"), d + ": autopsy's __bug_table site is not " + bug + ":\n" + out);
        long totalSg = Long.parseLong(d.fact("reg.rdx"), 16);
        String num = d.crashRef("19-p-vring-num").trim().replaceAll("^\\$\\d+ = ", "");
        assertTrue(out.contains("verdict:     total_sg (" + totalSg + ") > vq->vring.num (" + num + ")"), d + ": autopsy's verdict:\n" + out);
        assertTrue(d.crashRef("18-struct-vvq").contains("indirect = true"), d + ": crash's queue is not indirect");
        assertTrue(out.contains("    indirect = true,"), d + ": autopsy does not show indirect = true:\n" + out);
    }

    /**
     * Without a vmlinux kdive names symbols from the kernel's own kallsyms, which VMCOREINFO locates from
     * Linux 6.0 on: on 5.10 it says why symbols are unavailable (no download: --no-fetch, an empty cache);
     * on 6.12 the same run names symbols and unwinds from memory, bt's frames being crash's.
     */
    @org.junit.jupiter.api.Test
    void noVmlinuxSymbolsNeedKallsymsInVmcoreinfo() throws Exception {
        MadeDump old = MadeDumps.require("deb11-5.10-cloud", "vqbug-kdump");
        Path cache = Files.createTempDirectory("kdive-generations-cache");
        Kdive.Run r = Kdive.run(Kdive.distro(), old.dir(), List.of("KDIVE_CACHE=" + cache), "--no-fetch",
                old.dump().toRealPath().toString(), "-c", "sym schedule");
        assertTrue(r.err().contains("VMCOREINFO has no kallsyms_* entries (they appear in Linux 6.0): without a vmlinux this"
                + " kernel's symbols are unknown"), old + ": " + r.all());
        MadeDump recent = MadeDumps.require("deb13-6.12-cloud", "vqbug-kdump");
        r = Kdive.run(Kdive.distro(), recent.dir(), List.of("KDIVE_CACHE=" + cache), "--no-fetch",
                recent.dump().toRealPath().toString(), "-c", "bt");
        assertFalse(r.err().contains("kallsyms_* entries"), recent + ": " + r.err());
        List<String> frames = new ArrayList<>();
        for (String l : lines(recent.crashRef("05-bt"))) if (l.matches("^\\s?#\\d+ .*")) frames.add(l);
        List<String> ours = new ArrayList<>();
        for (String l : lines(r.out())) if (l.matches("^\\s?#\\d+ .*")) ours.add(l);
        assertEquals(frames, ours, recent + ": bt from kallsyms and ORC in memory");
    }

    // ---- running kdive ---------------------------------------------------------------------------

    private synchronized Run run(MadeDump d) throws Exception {
        Run cached = runs.get(d.toString());
        if (cached != null) return cached;
        Map<String, String> commands = new LinkedHashMap<>();
        boolean module = d.property("module.vqbug") != null;
        Path moduleDir = Files.createTempDirectory("kdive-generations-mods");
        for (Map.Entry<String, String> c : d.crashCommands().entrySet()) {
            if (!COMMANDS.contains(c.getKey()) || !module && MODULE_ONLY.contains(c.getKey())) continue;
            String cmd = c.getValue();
            if (c.getKey().equals("41-mod-S")) cmd = "mod -S " + moduleDir;
            commands.put(c.getKey(), cmd);
        }
        // crash's mod -S directory: the guest's modules' debuginfo and the test module
        if (Files.isDirectory(d.kernelModulesDebugDir())) {
            try (Stream<Path> s = Files.list(d.kernelModulesDebugDir())) {
                for (Path ko : s.toList()) Files.createSymbolicLink(moduleDir.resolve(ko.getFileName()), ko.toRealPath());
            }
        }
        if (module) Files.createSymbolicLink(moduleDir.resolve("vqbug.ko"), d.module("vqbug").toRealPath());
        commands.put("dumpinfo", "dumpinfo");
        if (module) commands.put("autopsy", "autopsy");
        // crash loaded the module's debuginfo before its references (03-mod-s)
        String setup = module ? "mod -s vqbug " + d.module("vqbug").toRealPath() + "; " : "";
        Kdive.Each r = Kdive.runEach(d, setup, new ArrayList<>(commands.values()));
        Map<String, String> out = new HashMap<>();
        int i = 0;
        for (String name : commands.keySet()) out.put(name, r.outputs().get(i++));
        Run run = new Run(out, r.err(), commands, moduleDir);
        runs.put(d.toString(), run);
        return run;
    }

    /** crash's layout: lines without trailing blanks, no blank lines at the end. */
    static List<String> lines(String s) {
        List<String> r = new ArrayList<>();
        for (String l : s.split("\n", -1)) r.add(l.stripTrailing());
        while (!r.isEmpty() && r.get(r.size() - 1).isEmpty()) r.remove(r.size() - 1);
        return r;
    }
}
