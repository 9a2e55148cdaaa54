package org.kdive.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.kdive.test.MadeDump;
import org.kdive.test.MadeDumps;

/**
 * The real bin/kdive on the arm64 made dumps against crash 8.0.6 for arm64, run on the same dump in the
 * same make (dumps/arm64/crash-arm64.sh: Debian 13's arm64 crash under qemu-aarch64-static, its
 * command list dumps/arm64/crash-commands.txt; the references' COMMANDS.tsv says what ran), in crash's
 * exact layout ({@link GenerationsCommandsTest#lines}).
 *
 * <p>Where crash 8.0.6 is wrong the test says why ({@link #TRUTH}) and checks the truth instead (drgn
 * 0.0.31 on the same dump, the guest's console). Nothing of one boot is written here.
 */
class Arm64CrashRefsTest {

    /** Where crash 8.0.6 is wrong on arm64: reference name → why, and what kdive is checked against instead. */
    static final Map<String, String> TRUTH = Map.of(
            "05-bt", "QEMU-written dump, panic in an interrupt on the IRQ stack: crash 8.0.6 prints no frame at all for the panic"
                    + " task; kdive's are the console's trace (from panic() on, Arm64DumpsTest checks them frame for frame)."
                    + " Elsewhere crash stops one frame early: the stack's last frame record (ret_from_fork of a kernel thread,"
                    + " __primary_switched / __secondary_switched of an idle task, head.S's calls of start_kernel and"
                    + " secondary_start_kernel) is not shown;"
                    + " the console's trace and drgn's end with ret_from_fork: kdive shows it, every other line is crash's",
            "06-bt-a", "as 05-bt",
            "35-bt-blocked", "as 05-bt",
            "12-sym-rip", "the source line of the BUG: crash 8.0.6 (gdb 10) names a line of vqb_init, outside vqb_virtqueue_add;"
                    + " kdive's is the console's \"kernel BUG at vqbug.c:N\"",
            "13-dis-rip", "the branch to the BUG's brk: crash names its target after vqb_init (freed init text, whose"
                    + " link-time offsets gdb mixes with the core text's); it is vqb_virtqueue_add+N, the brk crash itself lists"
                    + " as the function's last instruction",
            "59-mach", "CPUS on a dump whose other CPU the panic took offline: crash's arm64 mach prints the online CPUs"
                    + " only (1), where its own sys says \"2 [OFFLINE: 1]\"; kdive prints sys's",
            "17-struct-vq", "a string constant of the module (.rodata): crash names it after vqb_exit, the module's last text"
                    + " symbol before it, thousands of bytes past that function; kdive names only addresses inside a symbol's section");

    /**
     * Where kdive still differs from crash's layout (not yet fixed): dis on arm64 separates mnemonic and operands
     * with gdb's tab and appends gdb's alias comments ("// b.lo, b.ul, b.last", "// #0"), kdive pads the mnemonic
     * as x86 gdb does and prints no comments (cmd-dis formats every architecture alike): compared with blanks
     * collapsed and the comments removed. sym -l after mod -s: crash lists the module's kallsyms (its text) only,
     * kdive adds the debuginfo's data symbols (cmd-symbols): crash's lines must all be kdive's, in order, and each
     * extra a data symbol of the module given to mod -s.
     */
    static final Map<String, String> LAYOUT = Map.of(
            "13-dis-rip", "tab and gdb's comments",
            "500-sym-l", "the module's data symbols after mod -s");

    private final Map<String, Run> runs = new HashMap<>();

    private record Run(Map<String, String> out, String err, Map<String, String> commands) {
    }

    /** Every arm64 row of the lists with crash references, made or not. */
    private static List<MadeDumps.Entry> arm64WithCrashRefs() {
        return MadeDumps.all().stream().filter(e -> e.kernel().contains("arm64") && e.refs().contains("crash")).toList();
    }

    @TestFactory
    Stream<DynamicContainer> kdiveMatchesCrashOnArm64() {
        List<DynamicContainer> all = new ArrayList<>();
        List<MadeDumps.Entry> entries = arm64WithCrashRefs();
        assertTrue(!entries.isEmpty(), "dumps/arm64/dumps.list has rows with crash references");
        for (MadeDumps.Entry e : entries) {
            List<DynamicTest> tests = new ArrayList<>();
            tests.add(DynamicTest.dynamicTest("references", () -> {
                MadeDump d = e.require();
                for (String n : List.of("04-sys", "05-bt", "06-bt-a", "08-ps", "10-log", "11-mod", "29-kmem-i", "31-runq", "70-irq",
                        "76-timer", "500-sym-l")) {
                    assertTrue(d.crashCommands().containsKey(n), d + ": crash did not run " + n);
                }
            }));
            for (String name : names()) tests.add(DynamicTest.dynamicTest(name, () -> compare(e, name)));
            all.add(DynamicContainer.dynamicContainer(e.toString(), tests));
        }
        return all.stream();
    }

    /** The names of dumps/arm64/crash-commands.txt but 03-mod-s (kdive's run loads the module the same way first). */
    private static List<String> names() {
        return List.of("04-sys", "05-bt", "06-bt-a", "08-ps", "10-log", "11-mod", "12-sym-rip", "13-dis-rip", "17-struct-vq",
                "29-kmem-i", "31-runq", "35-bt-blocked", "59-mach", "70-irq", "76-timer", "500-sym-l");
    }

    private void compare(MadeDumps.Entry e, String name) throws Exception {
        MadeDump d = e.require();
        Run r = run(d);
        if (!r.commands().containsKey(name)) {
            assertTrue(!d.crashCommands().containsKey(name), d + ": crash ran " + name + " but kdive did not");
            return;
        }
        List<String> crash = GenerationsCommandsTest.lines(d.crashRef(name));
        List<String> ours = GenerationsCommandsTest.lines(r.out().get(name));
        String cmd = r.commands().get(name);
        switch (name) {
            case "04-sys" -> crash = kernelPath(d, crash, ours);
            case "05-bt", "06-bt-a", "35-bt-blocked" -> crash = lastFrameRecord(d, crash, ours, name);
            case "12-sym-rip" -> crash = bugLine(d, crash, ours);
            case "59-mach" -> crash = machCpus(d, crash, ours);
            case "13-dis-rip" -> {
                crash = disLayout(targetOffsets(initLabel(crash, ours), ours));
                ours = disLayout(ours);
            }
            case "17-struct-vq" -> crash = moduleStringLabel(d, crash, ours);
            case "500-sym-l" -> {
                moduleDataSymbols(d, crash, ours);
                return;
            }
            default -> { }
        }
        assertEquals(String.join("\n", crash), String.join("\n", ours), d + " " + cmd + ": kdive differs from crash 8.0.6 (arm64)");
    }


    // ---- where crash is wrong ---------------------------------------------------------------------

    private static final Pattern FRAME = Pattern.compile("^\\s?#(\\d+) \\[([0-9a-f]+)\\] (\\S+) at ([0-9a-f]+)");

    /**
     * bt: each task's section is crash's plus one last frame crash leaves out, which must be the stack's
     * final frame record: ret_from_fork (for the panic task drgn's last frame, and the console's trace's),
     * or __primary_switched / __secondary_switched for an idle task (head.S).
     */
    private static List<String> lastFrameRecord(MadeDump d, List<String> crash, List<String> ours, String name) {
        crash = emptySections(d, crash, ours, name);
        List<String> drgn = List.of(d.drgnRef("bt").split("\n"));
        String drgnLast = drgn.stream().filter(l -> l.matches("^#\\d+ .*")).reduce((a, b) -> b).orElseThrow().split("\\s+")[2];
        String[] trace = d.fact("trace").split(",");
        String consoleLast = trace[trace.length - 1].replaceAll("\\+.*", "");
        List<String> r = new ArrayList<>();
        int k = 0;
        String pid = null;
        for (int c = 0; c <= crash.size(); c++) {
            boolean end = c == crash.size() || crash.get(c).startsWith("PID: ") || crash.get(c).isEmpty();
            if (end && pid != null && k < ours.size()) {
                Matcher m = FRAME.matcher(ours.get(k));
                if (m.find()) { // kdive's extra last frame of this task
                    String fn = m.group(3);
                    assertTrue(fn.equals("ret_from_fork") || fn.equals("__primary_switched") || fn.equals("__secondary_switched"),
                            d + " " + name + ": " + ours.get(k));
                    if (pid.equals(d.fact("pid")) && fn.equals("ret_from_fork")) {
                        assertEquals(drgnLast, fn, d + ": drgn's last frame of the panic task");
                        assertEquals(consoleLast, fn, d + ": the console's last frame");
                    }
                    r.add(ours.get(k++));
                }
            }
            if (c == crash.size()) break;
            String l = crash.get(c);
            if (l.startsWith("PID: ")) pid = l.substring(5).trim().split("\\s+")[0];
            r.add(l);
            k++;
        }
        return r;
    }


    /**
     * A task section crash leaves without frames (its header alone): kdive's frames of that task must run
     * through the console's trace from panic() on, in order; then they stand in for crash's.
     */
    private static List<String> emptySections(MadeDump d, List<String> crash, List<String> ours, String name) {
        Map<String, List<String>> k = new LinkedHashMap<>();
        List<String> cur = null;
        for (String l : ours) {
            if (l.startsWith("PID: ")) k.put(l, cur = new ArrayList<>());
            else if (cur != null && !l.isEmpty()) cur.add(l);
        }
        List<String> r = new ArrayList<>();
        for (int i = 0; i < crash.size(); i++) {
            String l = crash.get(i);
            r.add(l);
            boolean bare = l.startsWith("PID: ") && (i + 1 == crash.size() || crash.get(i + 1).isEmpty() || crash.get(i + 1).startsWith("PID: "));
            if (!bare) continue;
            List<String> mine = k.get(l);
            assertTrue(mine != null && !mine.isEmpty(), d + " " + name + ": kdive has no frames either for " + l);
            Matcher cpu = Pattern.compile("CPU: (\\d+) ").matcher(l);
            assertTrue(cpu.find(), l);
            if (!cpu.group(1).equals(d.fact("cpu"))) {
                // a CPU the panic stopped: kdive starts at its saved registers (the dump's notes, as drgn reads them)
                String pc = prstatusPc(d, Integer.parseInt(cpu.group(1)));
                Matcher f0 = FRAME.matcher(mine.get(0));
                assertTrue(f0.find() && Long.parseUnsignedLong(f0.group(4), 16) == Long.parseUnsignedLong(pc, 16) - 4,
                        d + " " + name + ": " + l + " does not start at its saved pc " + pc + ": " + mine.get(0));
                r.addAll(mine);
                continue;
            }
            List<String> want = new ArrayList<>();
            boolean on = false;
            for (String t : d.fact("trace").split(",")) {
                String fn = t.substring(0, t.indexOf('+'));
                if (fn.equals("panic")) on = true;
                if (on && !t.contains("+0x0/")) want.add(fn); // "+0x0": after a noreturn call, named by the caller
            }
            assertTrue(!want.isEmpty(), d + ": the console's trace has no panic(): " + d.fact("trace"));
            int w = 0;
            for (String f : mine) {
                Matcher m = FRAME.matcher(f);
                if (m.find() && w < want.size() && m.group(3).equals(want.get(w))) w++;
            }
            assertEquals(want.size(), w, d + " " + name + ": kdive's frames of " + l + " do not run through the console's " + want + ":\n"
                    + String.join("\n", mine));
            r.addAll(mine);
        }
        return r;
    }

    /** CPU {@code cpu}'s pc in drgn's prstatus.txt (its NT_PRSTATUS notes). */
    private static String prstatusPc(MadeDump d, int cpu) {
        boolean in = false;
        for (String l : d.drgnRef("prstatus").split("\n")) {
            if (l.startsWith("cpu ")) in = l.split(" ")[1].equals(String.valueOf(cpu));
            else if (in && l.trim().startsWith("pc ")) return l.trim().split("\\s+")[1];
        }
        throw new AssertionError(d + ": no pc of CPU " + cpu + " in drgn's prstatus.txt");
    }

    /** mach's CPUS: where crash's differs, kdive's must be the line crash's own sys prints. */
    private static List<String> machCpus(MadeDump d, List<String> crash, List<String> ours) {
        String sys = GenerationsCommandsTest.lines(d.crashRef("04-sys")).stream().filter(l -> l.trim().startsWith("CPUS:"))
                .findFirst().orElseThrow().trim();
        List<String> r = new ArrayList<>();
        for (int i = 0; i < crash.size(); i++) {
            String c = crash.get(i);
            if (c.trim().startsWith("CPUS:") && i < ours.size() && !c.equals(ours.get(i))) {
                assertEquals(sys, ours.get(i).trim(), d + ": kdive's mach CPUS is not crash's sys line");
                assertTrue(sys.startsWith("CPUS: " + d.cpus() + " [OFFLINE: "), d + ": crash's sys " + sys);
                c = ours.get(i);
            }
            r.add(c);
        }
        return r;
    }

    private static final Pattern TARGET = Pattern.compile("0x([0-9a-f]+) <([\\w.]+)\\+(\\d+)>");

    /**
     * dis: a branch target's "&lt;F+N&gt;" where crash's N is not the target's distance from F's first
     * instruction as crash's own listing labels it "&lt;F&gt;" (gdb takes a kernel function's start from
     * its debuginfo, 8 bytes past the symbol on ftrace-patched functions): kdive's, when that one is.
     */
    private static List<String> targetOffsets(List<String> crash, List<String> ours) {
        Map<String, Long> starts = new HashMap<>();
        for (String l : crash) {
            Matcher m = Pattern.compile("^0x([0-9a-f]+) <([\\w.]+)>:").matcher(l);
            if (m.find()) starts.put(m.group(2), Long.parseUnsignedLong(m.group(1), 16));
        }
        List<String> r = new ArrayList<>();
        for (int i = 0; i < crash.size(); i++) {
            String c = crash.get(i);
            Matcher m = TARGET.matcher(c.substring(Math.max(0, c.indexOf(":\t"))));
            if (i < ours.size() && !c.equals(ours.get(i)) && m.find() && starts.containsKey(m.group(2))) {
                long target = Long.parseUnsignedLong(m.group(1), 16);
                long right = target - starts.get(m.group(2));
                String fixed = c.replace("<" + m.group(2) + "+" + m.group(3) + ">", "<" + m.group(2) + "+" + right + ">");
                if (right != Long.parseLong(m.group(3)) && disLayout(List.of(fixed)).equals(disLayout(List.of(ours.get(i))))) c = fixed;
            }
            r.add(c);
        }
        return r;
    }

    /** sym of the panic PC: crash's source line lies outside the function, kdive's is the console's BUG line. */
    private static List<String> bugLine(MadeDump d, List<String> crash, List<String> ours) {
        if (crash.equals(ours)) return crash;
        int[] body = GenerationsCommandsTest.functionLines(d, "vqb_virtqueue_add");
        String bug = d.fact("bug").replaceAll(".*:(\\d+)$", "$1");
        String c = crash.get(0), o = ours.get(0);
        int crashLine = Integer.parseInt(c.replaceAll(".*: (\\d+)$", "$1"));
        assertTrue(crashLine < body[0] || crashLine > body[1], d + ": crash's line " + crashLine + " is in the function: kdive should have it");
        assertTrue(o.endsWith(": " + bug), d + ": kdive's line is not the console's BUG line " + bug + ": " + o);
        assertEquals(c.substring(0, c.lastIndexOf(": ")), o.substring(0, o.lastIndexOf(": ")), d + ": sym of the panic PC");
        return ours;
    }

    private static final Pattern INIT_TARGET = Pattern.compile("(0x([0-9a-f]+)) <vqb_init\\+\\d+>");

    /** dis: crash's "<vqb_init+N>" branch targets, where the target is an instruction crash lists in the function. */
    private static List<String> initLabel(List<String> crash, List<String> ours) {
        List<String> r = new ArrayList<>();
        for (String l : crash) {
            Matcher m = INIT_TARGET.matcher(l);
            if (m.find()) {
                String listed = crash.stream().filter(x -> x.startsWith(m.group(1) + " <vqb_virtqueue_add+")).findFirst()
                        .orElseThrow(() -> new AssertionError("crash's target " + m.group(1) + " is not in its own listing"));
                l = l.substring(0, m.start()) + m.group(1) + " " + listed.substring(listed.indexOf('<'), listed.indexOf('>') + 1)
                        + l.substring(m.end());
            }
            r.add(l);
        }
        return r;
    }

    /** dis's layout, blanks collapsed and gdb's "// ..." comments removed (see {@link #LAYOUT}). */
    private static List<String> disLayout(List<String> lines) {
        List<String> r = new ArrayList<>();
        for (String l : lines) r.add(l.replaceAll("\\s*// .*$", "").replaceAll("[ \\t]+", " "));
        return r;
    }

    private static final Pattern MODULE_LABEL = Pattern.compile(" <(\\w+)\\+\\d+>(?= \")");

    /** struct: crash's "<fn+N>" before a string, where N lies past the module's text symbol fn (its text per crash's sym -l). */
    private static List<String> moduleStringLabel(MadeDump d, List<String> crash, List<String> ours) {
        List<String> r = new ArrayList<>();
        String symL = d.crashRef("500-sym-l");
        for (int i = 0; i < crash.size(); i++) {
            String c = crash.get(i);
            Matcher m = MODULE_LABEL.matcher(c);
            if (m.find() && i < ours.size() && ours.get(i).equals(c.substring(0, m.start()) + c.substring(m.end()))) {
                assertTrue(Pattern.compile("(?m)^[0-9a-f]+ \\([tT]\\) " + m.group(1) + "$").matcher(symL).find(),
                        d + ": crash's label " + m.group(1) + " is a text symbol of the module");
                c = ours.get(i);
            }
            r.add(c);
        }
        return r;
    }

    /** sym -l: the kernel's entries are crash's exactly; each module's are crash's plus data symbols of the mod -s module. */
    private static void moduleDataSymbols(MadeDump d, List<String> crash, List<String> ours) {
        int ck = firstModuleLine(crash), ok = firstModuleLine(ours);
        assertEquals(String.join("\n", crash.subList(0, ck)), String.join("\n", ours.subList(0, ok)), d + ": sym -l, the kernel's part");
        String loaded = d.crashCommands().containsKey("03-mod-s") ? d.crashCommand("03-mod-s").split("\\s+")[2] : null;
        int c = ck;
        String module = null;
        for (String o : ours.subList(ok, ours.size())) {
            if (o.contains(" MODULE START: ")) module = o.substring(o.indexOf(": ") + 2);
            if (c < crash.size() && crash.get(c).equals(o)) {
                c++;
                continue;
            }
            assertTrue(module != null && module.equals(loaded) && o.matches("^[0-9a-f]+ \\([rdDbB]\\) \\S+$"),
                    d + ": sym -l line not crash's: " + o);
        }
        assertEquals(crash.size(), c, d + ": crash's sym -l lines missing from kdive's from " + (c < crash.size() ? crash.get(c) : ""));
    }

    private static int firstModuleLine(List<String> lines) {
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).contains(" MODULE START: ")) return i;
        return lines.size();
    }

    /**
     * crash ran on a copy of the vmlinux with a .gdb_index (crash-arm64.sh: gdb's symbol reading under
     * emulation), which sys names as KERNEL; kdive ran on the vmlinux itself.
     */
    private static List<String> kernelPath(MadeDump d, List<String> crash, List<String> ours) throws Exception {
        List<String> r = new ArrayList<>();
        String real = d.vmlinux().toRealPath().toString();
        for (String l : crash) {
            if (l.trim().startsWith("KERNEL: ")) {
                String path = l.trim().substring("KERNEL: ".length()).split("\\s+")[0];
                assertTrue(path.endsWith("/crash-arm64/vmlinux/" + d.kernel() + "/vmlinux"), d + ": crash's KERNEL " + path);
                l = l.replace(path, real);
            }
            r.add(l);
        }
        return r;
    }

    private synchronized Run run(MadeDump d) throws Exception {
        Run cached = runs.get(d.toString());
        if (cached != null) return cached;
        Map<String, String> commands = new LinkedHashMap<>();
        for (Map.Entry<String, String> c : d.crashCommands().entrySet()) {
            if (!c.getKey().equals("03-mod-s")) commands.put(c.getKey(), c.getValue());
        }
        // crash loaded the module's debuginfo before the other commands (03-mod-s)
        String setup = d.crashCommands().containsKey("03-mod-s") ? d.crashCommand("03-mod-s") + "; " : "";
        Kdive.Each r = Kdive.runEach(d, setup, new ArrayList<>(commands.values()));
        Map<String, String> out = new HashMap<>();
        int i = 0;
        for (String name : commands.keySet()) out.put(name, r.outputs().get(i++));
        Run run = new Run(out, r.err(), commands);
        runs.put(d.toString(), run);
        return run;
    }
}
