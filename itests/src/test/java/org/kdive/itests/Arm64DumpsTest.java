package org.kdive.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.kdive.test.MadeDump;
import org.kdive.test.MadeDumps;

/**
 * The real bin/kdive on the arm64 dumps the test run made (dumps/make-arm64-dumps.sh): issue 16's
 * list, each output checked against what the same boot says of itself: the guest's console (the
 * oops's registers and call trace), drgn 0.0.31's view of the dump (refs/drgn-0.0.31: tasks, log,
 * modules, raw stack words, page-table walks, the module's queue, memory counters) and the module as
 * built (aarch64 objdump). Comparisons with crash 8.0.6 for arm64 itself (run under qemu-aarch64-static) are Arm64CrashRefsTest's.
 * Nothing of one boot is written here: KASLR, task addresses and the physical layout change with
 * every make.
 */
class Arm64DumpsTest {
    private static final String KERNEL = "deb12-6.1-cloud-arm64";
    private static final Map<String, String> RUNS = new HashMap<>();

    private static MadeDump vqbug() {
        return MadeDumps.require(KERNEL, "arm64-vqbug-kdump");
    }

    private static MadeDump irq() {
        return MadeDumps.require(KERNEL, "arm64-irq-sysrq");
    }

    /** kdive's text for one command line on a made dump (each batch once per test JVM). */
    private static synchronized String kdive(MadeDump d, String commands) throws IOException, InterruptedException {
        return kdive(d, d.dump(), commands);
    }

    private static synchronized String kdive(MadeDump d, Path dump, String commands) throws IOException, InterruptedException {
        String key = dump + "\n" + commands;
        String out = RUNS.get(key);
        if (out == null) {
            Kdive.Run r = Kdive.run(Kdive.distro(), dump.toString(), d.vmlinux().toString(), "--no-fetch", "-c", commands);
            assertEquals(0, r.status(), commands + ": " + r.all());
            assertFalse(r.err().contains("Exception"), commands + ": " + r.err());
            out = r.out();
            RUNS.put(key, out);
        }
        return out;
    }

    private static long hex(String s) {
        return Long.parseUnsignedLong(s.startsWith("0x") ? s.substring(2) : s, 16);
    }

    /** KEY VALUE lines of a drgn reference. */
    private static Map<String, String> keyValues(MadeDump d, String ref) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String l : d.drgnRef(ref).split("\n")) {
            int sp = l.indexOf(' ');
            if (sp > 0) m.put(l.substring(0, sp), l.substring(sp + 1));
        }
        return m;
    }

    /** The console's call trace as function names, in order. */
    private static List<String> consoleTrace(MadeDump d) {
        List<String> out = new ArrayList<>();
        for (String f : d.fact("trace").split(",")) out.add(f.substring(0, f.indexOf('+')));
        return out;
    }

    /** A frame line of bt: "#N [fp] name at pc [module]". */
    private record Frame(int level, long fp, String name, long pc) {
    }

    private static final Pattern FRAME = Pattern.compile("^\\s*#(\\d+) \\[([0-9a-f]+)\\] (\\S+) at ([0-9a-f]+)( \\[\\S+\\])?$");

    private static List<Frame> frames(String bt) {
        List<Frame> out = new ArrayList<>();
        for (String l : bt.split("\n")) {
            Matcher m = FRAME.matcher(l);
            if (m.matches()) out.add(new Frame(Integer.parseInt(m.group(1)), hex(m.group(2)), m.group(3), hex(m.group(4))));
        }
        return out;
    }

    // ---- sys, log, ps, mod ---------------------------------------------------------------------

    @Test
    void sysNamesTheKernelTheMachineAndThePanic() throws Exception {
        MadeDump d = vqbug();
        String out = kdive(d, "sys");
        assertTrue(out.contains("     RELEASE: " + d.release() + "\n"), out);
        assertTrue(out.contains("     MACHINE: aarch64"), out);
        assertTrue(out.contains("        CPUS: " + d.cpus() + "\n"), out);
        assertTrue(out.contains("       PANIC: \"kernel BUG at " + d.fact("bug") + "!\""), out);
        // crash's TASKS: every task, the idle task of each CPU included (drgn's ps lists them too)
        int tasks = d.drgnRef("ps").split("\n").length - 1;
        assertTrue(out.contains("       TASKS: " + tasks + "\n"), tasks + " tasks: " + out);
        assertTrue(out.contains("      MEMORY: " + d.property("mem") + " MB"), out);
    }

    @Test
    void logIsTheKernelLogDrgnReads() throws Exception {
        MadeDump d = vqbug();
        List<String> got = List.of(kdive(d, "log").split("\n"));
        List<String> want = List.of(d.drgnRef("dmesg").split("\n"));
        assertEquals(want.size(), got.size(), "lines");
        for (int i = 0; i < want.size(); i++) assertEquals(want.get(i).stripTrailing(), got.get(i).stripTrailing(), "line " + (i + 1));
        assertTrue(got.stream().anyMatch(l -> l.endsWith("kernel BUG at " + d.fact("bug") + "!")));
    }

    @Test
    void psListsEveryTaskDrgnLists() throws Exception {
        MadeDump d = vqbug();
        Map<Long, String[]> kd = new HashMap<>();
        for (String l : kdive(d, "ps").split("\n")) {
            String t = l.startsWith(">") ? l.substring(1) : l;
            String[] f = t.trim().split("\\s+", 9);
            if (f.length == 9 && f[3].matches("[0-9a-f]{16}")) kd.put(hex(f[3]), f);
        }
        List<String> rows = List.of(d.drgnRef("ps").split("\n"));
        for (String row : rows.subList(1, rows.size())) {
            String[] w = row.split(" ", 6); // PID PPID CPU TASK ST COMM
            String[] k = kd.get(hex(w[3]));
            assertNotNull(k, "drgn's task " + row + " is in kdive's ps");
            assertEquals(w[0], k[0], row);
            assertEquals(w[1], k[1], row);
            assertEquals(w[2], k[2], row);
            assertEquals(w[4], k[4], row);
            assertTrue(k[8].equals(w[5]) || k[8].equals("[" + w[5] + "]"), row + " vs " + String.join(" ", k));
        }
        assertEquals(rows.size() - 1, kd.size(), "no task drgn does not list");
        // the panic task is marked active
        assertTrue(kdive(d, "ps").contains(">") , "active tasks are marked");
    }

    @Test
    void modListsTheModulesWhereDrgnFindsThem() throws Exception {
        MadeDump d = vqbug();
        String out = kdive(d, "mod");
        List<String> mods = List.of(d.drgnRef("modules").split("\n"));
        assertTrue(mods.size() >= 2, mods.toString());
        for (String m : mods) {
            String[] w = m.split(" "); // NAME BASE SIZE
            Pattern row = Pattern.compile("(?m)^[0-9a-f]{16}  " + Pattern.quote(w[0]) + " +" + w[1] + " +" + w[2] + "  ");
            assertTrue(row.matcher(out).find(), m + " in:\n" + out);
        }
        String loaded = kdive(d, "mod -s vqbug " + d.moduleDebug("vqbug") + "; mod");
        assertTrue(loaded.matches("(?s).*\\n[0-9a-f]{16}  vqbug +[0-9a-f]+ +\\d+  " + Pattern.quote(d.moduleDebug("vqbug").toString()) + ".*"),
                loaded);
    }

    // ---- bt --------------------------------------------------------------------------------------

    @Test
    void btShowsTheOopsRegistersAndTheConsoleTrace() throws Exception {
        MadeDump d = vqbug();
        String out = kdive(d, "bt");
        assertTrue(out.startsWith("PID: " + d.fact("pid") + " "), out);
        assertTrue(out.contains("CPU: " + d.fact("cpu") + " "), out);
        assertTrue(out.contains("COMMAND: \"" + d.fact("comm") + "\""), out);
        List<Frame> fs = frames(out);
        // a kdump's panic CPU from its PRSTATUS registers, the oops's (die() hands them to crash_kexec),
        // as crash 8.0.6 for arm64 and drgn start it: the console's trace frame for frame, no exception frame
        assertFalse(out.contains("     PC: "), out);
        List<String> names = new ArrayList<>();
        for (Frame f : fs) names.add(f.name());
        assertEquals(consoleTrace(d), names, out);
        // crash prints every frame at pc - 4: the interrupted one at the instruction before the trap
        long trap = hex(d.drgnRef("facts").lines().filter(l -> l.startsWith("pc ")).findFirst().orElseThrow().substring(3));
        assertEquals(trap - 4, fs.get(0).pc(), out);
        assertEquals(hex(d.fact("x29")), fs.get(0).fp(), out);
        assertTrue(out.contains(" vqb_virtqueue_add at " + Long.toHexString(trap - 4) + " [vqbug]\n"), out);
    }

    /** bt -l: the source line of each caller's call, as drgn gives it for the same return addresses. */
    @Test
    void btLinesAreTheCallsLines() throws Exception {
        MadeDump d = vqbug();
        List<String> lines = List.of(kdive(d, "bt -l").split("\n"));
        Map<String, String> drgn = new HashMap<>(); // function → "file:line" (drgn's frames after #0)
        for (String l : d.drgnRef("bt").split("\n")) {
            Matcher m = Pattern.compile("^#(\\d+)\\s+[0-9a-f]+ (\\S+) (\\S+:\\d+)$").matcher(l);
            if (m.matches() && !m.group(1).equals("0")) drgn.put(m.group(2), m.group(3));
        }
        int checked = 0;
        for (int i = 0; i + 1 < lines.size(); i++) {
            Matcher f = FRAME.matcher(lines.get(i));
            if (!f.matches() || !drgn.containsKey(f.group(3)) || f.group(3).startsWith("vqb_")) continue;
            String want = drgn.get(f.group(3));
            String file = want.substring(0, want.lastIndexOf(':'));
            String line = want.substring(want.lastIndexOf(':') + 1);
            String got = lines.get(i + 1).trim();
            assertTrue(got.endsWith(file.substring(file.indexOf('/') + 1) + ": " + line) || got.endsWith(file + ": " + line),
                    f.group(3) + ": drgn " + want + ", kdive " + got);
            checked++;
        }
        assertTrue(checked >= 3, checked + " frames checked:\n" + String.join("\n", lines));
    }

    @Test
    void btAShowsEveryCpu() throws Exception {
        MadeDump d = vqbug();
        String out = kdive(d, "bt -a");
        Map<String, String> facts = keyValues(d, "facts");
        List<String> headers = out.lines().filter(l -> l.startsWith("PID: ")).toList();
        assertEquals(d.cpus(), headers.size(), out);
        for (int cpu = 0; cpu < d.cpus(); cpu++) {
            int c = cpu;
            String h = headers.stream().filter(l -> l.contains("CPU: " + c + " ")).findFirst().orElseThrow(() -> new AssertionError(out));
            if (String.valueOf(cpu).equals(facts.get("crashed_cpu"))) {
                assertTrue(h.contains("TASK: " + facts.get("crashed_task") + " "), h);
            }
        }
        assertFalse(out.contains("cannot show"), out);
        // the other CPUs were stopped by the panic CPU's IPI: as crash, from their PRSTATUS registers, the
        // context the IPI interrupted (drgn reads the same notes from the ELF of the same capture)
        Map<Integer, Map<String, String>> prstatus = prstatus(d);
        String[] blocks = out.split("\n\n");
        for (String b : blocks) {
            if (b.contains("CPU: " + facts.get("crashed_cpu") + " ")) continue;
            Matcher cm = Pattern.compile("CPU: (\\d+) ").matcher(b);
            assertTrue(cm.find(), b);
            Map<String, String> regs = prstatus.get(Integer.parseInt(cm.group(1)));
            List<Frame> fs = frames(b);
            assertEquals(hex(regs.get("pc")) - 4, fs.get(0).pc(), regs + "\n" + b);
            assertEquals(hex(regs.get("x29")), fs.get(0).fp(), regs + "\n" + b);
            assertFalse(b.contains("--- <IRQ stack> ---"), b);
        }
    }

    /** drgn-refs' prstatus.txt: CPU → register → 16 hex digits. */
    private static Map<Integer, Map<String, String>> prstatus(MadeDump d) {
        Map<Integer, Map<String, String>> out = new HashMap<>();
        Map<String, String> cur = null;
        for (String l : d.drgnRef("prstatus").split("\n")) {
            if (l.startsWith("cpu ")) {
                cur = new HashMap<>();
                out.put(Integer.parseInt(l.split(" ")[1]), cur);
            } else if (cur != null) {
                String[] w = l.trim().split(" ");
                cur.put(w[0], w[1]);
            }
        }
        return out;
    }

    /** bt -f's words against the raw stack drgn read, laid out as crash's arm64.c lays them. */
    @Test
    void btFullShowsTheStackWordsDrgnReadsBetweenFrameRecords() throws Exception {
        MadeDump d = vqbug();
        checkFullFrames(d, kdive(d, "bt -f"), stackWords(d, "stack"));
    }

    @Test
    void btFullOnTheIrqStack() throws Exception {
        MadeDump d = irq();
        Map<Long, Long> words = stackWords(d, "stack");
        words.putAll(stackWords(d, "irqstack-" + d.fact("cpu")));
        String out = kdive(d, "bt -f");
        checkFullFrames(d, out, words);
        // the rest of the IRQ stack, up to its top, then crash's separator
        long top = stackWords(d, "irqstack-" + d.fact("cpu")).keySet().stream().mapToLong(Long::longValue).max().orElseThrow() + 8;
        Matcher m = Pattern.compile("\\n    ([0-9a-f]+): [0-9a-f]{16} [0-9a-f]{16} \\n--- <IRQ stack> ---\\n").matcher(out);
        assertTrue(m.find(), out);
        assertEquals(top - 16, hex(m.group(1)), out);
    }

    private static Map<Long, Long> stackWords(MadeDump d, String ref) {
        Map<Long, Long> m = new HashMap<>();
        for (String l : d.drgnRef(ref).split("\n")) {
            String[] w = l.split(" ");
            m.put(hex(w[0]), hex(w[1]));
        }
        return m;
    }

    private static void checkFullFrames(MadeDump d, String out, Map<Long, Long> words) {
        Pattern wordLine = Pattern.compile("^    ([0-9a-f]+): ((?:[0-9a-f]{16} )+)$");
        List<String> lines = List.of(out.split("\n"));
        Frame prev = null;
        long next = -1; // the address the next word line must start at
        int checked = 0;
        for (String l : lines) {
            Matcher f = FRAME.matcher(l);
            if (f.matches()) {
                Frame fr = new Frame(Integer.parseInt(f.group(1)), hex(f.group(2)), f.group(3), hex(f.group(4)));
                // crash prints a frame's words from its record up to the next frame's record
                if (prev != null && next != -1 && (next & ~16383L) == (fr.fp() & ~16383L)) assertEquals(fr.fp(), next, l);
                prev = fr;
                next = fr.fp();
                continue;
            }
            Matcher w = wordLine.matcher(l);
            if (!w.matches()) {
                if (l.startsWith("--- <")) next = -1;
                continue;
            }
            long at = hex(w.group(1));
            assertNotNull(prev, l);
            if (next != -1) assertEquals(next, at, "words continue where the frame record is: " + l);
            String[] ws = w.group(2).trim().split(" ");
            for (int i = 0; i < ws.length; i++) {
                Long want = words.get(at + 8L * i);
                assertNotNull(want, "drgn read " + Long.toHexString(at + 8L * i));
                assertEquals(Long.toHexString(want), Long.toHexString(hex(ws[i])), l);
                checked++;
            }
            next = at + 8L * ws.length;
        }
        assertTrue(checked > 50, checked + " words checked");
    }

    // ---- the IRQ stack -----------------------------------------------------------------------------

    /**
     * sysrq-c from the serial console's BREAK: the panic in the UART's interrupt handler, on the IRQ
     * stack, over the idle task. kdive's frames are the console's (call_on_irq_stack leaves the IRQ
     * stack; el1h_64_irq's exception frame goes on into the idle loop).
     */
    @Test
    void btFromTheIrqStackIsTheConsoleTrace() throws Exception {
        MadeDump d = irq();
        String out = kdive(d, "bt");
        assertTrue(out.startsWith("PID: " + d.fact("pid") + " "), out);
        List<String> names = new ArrayList<>();
        for (Frame f : frames(out)) names.add(f.name());
        // the console from panic() on; "+0x0" frames are return addresses after a noreturn call,
        // which crash (and kdive) name by the call's own function (pc - 4)
        List<String> want = new ArrayList<>();
        boolean on = false;
        String[] trace = d.fact("trace").split(",");
        for (int i = 0; i < trace.length; i++) {
            String fn = trace[i].substring(0, trace[i].indexOf('+'));
            if (fn.equals("panic")) on = true;
            if (on) want.add(fn);
        }
        int at = names.indexOf("panic");
        assertTrue(at >= 0, out);
        List<String> got = names.subList(at, names.size());
        assertEquals(want.size(), got.size(), want + "\n" + out);
        for (int i = 0; i < want.size(); i++) {
            String tw = trace[trace.length - want.size() + i];
            if (tw.contains("+0x0/")) continue; // named by the caller: checked below
            assertEquals(want.get(i), got.get(i), out);
        }
        assertTrue(got.contains("sysrq_handle_crash"), out);
        int sep = out.indexOf("--- <IRQ stack> ---\n");
        assertTrue(sep > 0, out);
        assertTrue(out.substring(0, sep).contains(" gic_handle_irq at "), out);
        assertTrue(out.substring(sep).split("\n")[1].contains(" call_on_irq_stack at "), out);
        assertTrue(out.contains("el1h_64_irq at "), out);
        // the interrupted context (the idle loop, or whatever task the BREAK came in on): the console's frame after el1h_64_irq
        List<String> all = consoleTrace(d);
        String interrupted = all.get(all.indexOf("el1h_64_irq") + 1);
        assertTrue(out.matches("(?s).*\\n     PC: [0-9a-f]{16}  \\[" + interrupted + "\\+\\d+\\]\\n.*"), interrupted + ":\n" + out);
    }

    /**
     * A kernel stack overflow (dumps/arm64/stackover.c recursing into the guard page): the panic runs
     * on the CPU's overflow stack (__bad_stack's exception frame holds the overflowing context), and
     * the backtrace goes on down the whole task stack to the user registers of insmod's syscall: the
     * console's trace frame for frame.
     */
    @Test
    void btFromTheOverflowStackIsTheConsoleTrace() throws Exception {
        MadeDump d = MadeDumps.require(KERNEL, "arm64-overflow");
        String out = kdive(d, "bt");
        assertTrue(out.startsWith("PID: " + d.fact("pid") + " "), out);
        assertTrue(out.contains("COMMAND: \"" + d.fact("comm") + "\""), out);
        List<String> names = new ArrayList<>();
        for (Frame f : frames(out)) names.add(f.name());
        List<String> trace = consoleTrace(d);
        List<String> want = new ArrayList<>(trace.subList(trace.indexOf("panic"), trace.size()));
        // module_init() makes init_module an alias of stackover_init: either name is the function
        want.replaceAll(n -> n.equals("stackover_init") ? "init_module" : n);
        int at = names.indexOf("panic");
        assertTrue(at >= 0, out);
        List<String> got = new ArrayList<>(names.subList(at, names.size()));
        got.replaceAll(n -> n.equals("stackover_init") ? "init_module" : n);
        assertEquals(want, got, out);
        assertTrue(want.stream().filter(n -> n.equals("stackover_recurse")).count() > 20, "a deep recursion: " + want);
        // __bad_stack's exception frame: the registers of the overflow (the console's), then the switch
        String pc = d.fact("pc");
        long off = Long.parseLong(pc.substring(pc.indexOf("+0x") + 3, pc.indexOf('/')), 16);
        Matcher m = Pattern.compile("\\n *#\\d+ \\[[0-9a-f]+\\] __bad_stack at [0-9a-f]+\\n     PC: [0-9a-f]{16}  \\[stackover_recurse\\+"
                + off + "\\]\\n").matcher(out);
        assertTrue(m.find(), out);
        assertTrue(out.contains("     SP: " + d.fact("sp") + "  PSTATE: " + d.fact("pstate") + "\n"), out);
        int sep = out.indexOf("\n--- <Overflow stack> ---\n");
        assertTrue(sep > m.start(), out);
        assertTrue(out.substring(sep + 1).split("\n")[1].contains(" stackover_recurse at "), out);
        // the user registers of the syscall end it
        assertTrue(out.matches("(?s).*\\n *#\\d+ \\[[0-9a-f]+\\] el0t_64_sync at [0-9a-f]+\\n     PC: [0-9a-f]{16}   LR: .*SYSCALLNO: .*"), out);
    }

    // ---- the module: mod -s, dis -l, struct, p ------------------------------------------------------

    @Test
    void disShowsTheModuleFunctionWithItsSourceLines() throws Exception {
        MadeDump d = vqbug();
        String out = kdive(d, "mod -s vqbug " + d.moduleDebug("vqbug") + "; dis -l vqb_virtqueue_add");
        long trap = hex(d.drgnRef("facts").lines().filter(l -> l.startsWith("pc ")).findFirst().orElseThrow().substring(3));
        String bug = d.fact("bug"); // FILE:LINE
        int bugLine = Integer.parseInt(bug.substring(bug.lastIndexOf(':') + 1));
        // per instruction: its source line as kdive gives it, and its text
        Pattern ins = Pattern.compile("^0x([0-9a-f]+) <vqb_virtqueue_add(?:\\+(\\d+))?>:\\t(\\S+)\\s*(.*)$");
        Pattern src = Pattern.compile("^(/\\S+): (\\d+)$");
        Map<Long, Integer> lineAt = new LinkedHashMap<>();
        Map<Long, String> mnemonic = new LinkedHashMap<>();
        int line = -1;
        for (String l : out.split("\n")) {
            Matcher s = src.matcher(l);
            if (s.matches()) {
                line = Integer.parseInt(s.group(2));
                continue;
            }
            Matcher m = ins.matcher(l);
            if (m.matches()) {
                long off = m.group(2) == null ? 0 : Long.parseLong(m.group(2));
                lineAt.put(off, line);
                mnemonic.put(off, m.group(3));
                if (hex(m.group(1)) == trap) {
                    assertEquals("brk", m.group(3), l);
                    assertEquals("#0x800", m.group(4).trim(), l);
                    assertEquals(bugLine, line, "the trap's line is the BUG's: " + l);
                }
            }
        }
        assertTrue(lineAt.size() > 20, out);
        // the module as built: objdump's instructions of the same function (its first two are
        // ftrace's patchable entry, patched at load), and its line table: the line kdive names for
        // an instruction is one the table gives its address (where several rows share an address,
        // which one gdb's rule picks is not checked here)
        Map<Long, String> objMnemonic = new LinkedHashMap<>();
        long base = objdump(d.module("vqbug"), objMnemonic);
        String pcFact = d.fact("pc"); // vqb_virtqueue_add+0x7c/0x84 [vqbug]
        long trapOff = Long.parseLong(pcFact.substring(pcFact.indexOf("+0x") + 3, pcFact.indexOf('/')), 16);
        Map<Long, List<Integer>> rows = lineRows(d.module("vqbug"), base + trapOff, bugLine);
        assertEquals(objMnemonic.keySet(), mnemonic.keySet(), out);
        for (long off : objMnemonic.keySet()) {
            if (off >= 8) assertEquals(objMnemonic.get(off), mnemonic.get(off), "+" + off);
            long addr = base + off;
            long at = rows.keySet().stream().filter(a -> a <= addr).mapToLong(Long::longValue).max().orElseThrow();
            assertTrue(rows.get(at).contains(lineAt.get(off)), "+" + off + ": line " + lineAt.get(off) + ", the table has "
                    + rows.get(at) + " at 0x" + Long.toHexString(at) + ":\n" + out);
        }
    }

    /** aarch64 objdump -d of vqb_virtqueue_add: offset in the function → mnemonic; returns the function's address. */
    private static long objdump(Path ko, Map<Long, String> mnemonics) throws Exception {
        String text = run("aarch64-linux-gnu-objdump", "-d", "--disassemble=vqb_virtqueue_add", ko.toString());
        Pattern start = Pattern.compile("^([0-9a-f]+) <vqb_virtqueue_add>:$");
        Pattern ins = Pattern.compile("^\\s+([0-9a-f]+):\\t[0-9a-f]{8} \\t(\\S+).*$");
        long base = -1;
        for (String l : text.split("\n")) {
            Matcher m = start.matcher(l);
            if (m.matches()) base = hex(m.group(1));
            m = ins.matcher(l);
            if (m.matches() && base >= 0) mnemonics.put(hex(m.group(1)) - base, m.group(2));
        }
        assertTrue(mnemonics.size() > 20, text);
        return base;
    }

    /**
     * The module's .debug_line rows: address → the lines of the rows at that address (-1: a row of
     * another file, an inlined header), from the sequence (one per code section; each starts at its
     * section's 0) that has {@code line} at {@code address}: the .text that holds the function.
     */
    private static Map<Long, List<Integer>> lineRows(Path ko, long address, int line) throws Exception {
        String text = run("aarch64-linux-gnu-objdump", "--dwarf=decodedline", ko.toString());
        Pattern row = Pattern.compile("^(\\S+)\\s+(\\d+|-)\\s+0x([0-9a-f]+)\\b.*$");
        Map<Long, List<Integer>> rows = new HashMap<>();
        for (String l : text.split("\n")) {
            Matcher m = row.matcher(l);
            if (!m.matches()) continue;
            if (m.group(2).equals("-")) { // the sequence ends
                if (rows.getOrDefault(address, List.of()).contains(line)) return rows;
                rows = new HashMap<>();
                continue;
            }
            int n = m.group(1).equals("vqbug.c") ? Integer.parseInt(m.group(2)) : -1;
            rows.computeIfAbsent(hex(m.group(3)), a -> new ArrayList<>()).add(n);
        }
        throw new AssertionError("no line-table sequence has line " + line + " at 0x" + Long.toHexString(address) + ":\n" + text);
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), text);
        return text;
    }

    @Test
    void structAndPrintOnTheModulesTypes() throws Exception {
        MadeDump d = vqbug();
        Map<String, String> q = keyValues(d, "vqbug");
        String out = kdive(d, "mod -s vqbug " + d.moduleDebug("vqbug") + "; p vqb_total_sg; p vqb_queue; struct vqb_vring_virtqueue "
                + q.get("vqb_queue") + "; struct vqb_vring_virtqueue -o");
        // crash's p: "NAME = $N = VALUE" (gdb's value history)
        assertTrue(out.matches("(?s).*\nvqb_total_sg = \\$\\d+ = " + q.get("vqb_total_sg") + "\n.*"), out);
        assertTrue(out.matches("(?s).*\nvqb_queue = \\$\\d+ = \\(struct vqb_virtqueue \\*\\) 0x" + q.get("vqb_queue") + "\n.*"), out);
        assertTrue(out.contains("    num = " + q.get("vring.num") + ",\n"), out);
        assertTrue(out.contains("  indirect = " + q.get("indirect") + ",\n"), out);
        assertTrue(out.contains("  broken = " + q.get("broken") + ",\n"), out);
        assertTrue(out.contains("  free_head = " + q.get("free_head") + ",\n"), out);
        assertTrue(out.contains("  last_used_idx = " + q.get("last_used_idx") + ",\n"), out);
        assertTrue(out.contains("    num_free = " + q.get("vq.num_free") + ",\n"), out);
        assertTrue(out.contains("\"" + q.get("vq.name") + "\""), out);
        assertTrue(out.contains("SIZE: " + q.get("sizeof") + "\n"), out);
    }

    // ---- memory: kmem -i, vtop ----------------------------------------------------------------------

    @Test
    void kmemInfoCountsTheKernelsPages() throws Exception {
        MadeDump d = vqbug();
        Map<String, String> m = keyValues(d, "meminfo");
        String out = kdive(d, "kmem -i");
        assertTrue(out.matches("(?s).*\\n    TOTAL MEM +" + m.get("totalram_pages") + " .*"), m + "\n" + out);
        assertTrue(out.matches("(?s).*\\n         FREE +" + m.get("free_pages") + " .*"), m + "\n" + out);
    }

    @Test
    void vtopWalksTheTablesToWhereDrgnDoes() throws Exception {
        MadeDump d = vqbug();
        List<String> walks = List.of(d.drgnRef("vtop").split("\n"));
        assertTrue(walks.size() >= 4, walks.toString());
        StringBuilder cmds = new StringBuilder();
        for (String w : walks) cmds.append("vtop ").append(w.split(" ")[0]).append("; ");
        String out = kdive(d, cmds.toString());
        for (String w : walks) {
            String[] vp = w.split(" ");
            Pattern p = Pattern.compile("(?m)^0*" + vp[0] + " +0*" + vp[1] + "\\s*$");
            assertTrue(p.matcher(out).find(), w + " in:\n" + out);
        }
        assertTrue(out.contains("PAGE DIRECTORY: "), out);
        assertTrue(out.contains("PTE"), out);
    }

    // ---- autopsy ------------------------------------------------------------------------------------

    /**
     * The first argument's register (x0) is reused before the BUG (ldrb w0, [x0, #89]); the code kept
     * the pointer in x5 (mov x5, x0): autopsy follows the copy and shows the queue, through the
     * architecture's code model.
     */
    @Test
    void autopsyNamesTheLineTheValuesAndTheQueue() throws Exception {
        MadeDump d = vqbug();
        Map<String, String> q = keyValues(d, "vqbug");
        String out = kdive(d, "autopsy");
        String bug = d.fact("bug");
        assertTrue(out.contains("  site:        " + bug + "  (__bug_table, BUG)"), out);
        assertTrue(out.contains("  line:        " + bug + "  (DWARF line table)"), out);
        assertTrue(out.contains("  condition:   total_sg > vq->vring.num   (BUG_ON)"), out);
        assertTrue(out.contains("  verdict:     total_sg (" + q.get("vqb_total_sg") + ") > vq->vring.num (" + q.get("vring.num") + ")"), out);
        assertTrue(out.contains("  _vq       struct vqb_virtqueue *  X0  " + q.get("vqb_queue") + "  (kept in X5: mov x5, x0 at vqb_virtqueue_add+"),
                out);
        assertTrue(out.contains("CONTAINER container_of(_vq, struct vqb_vring_virtqueue, vq) = (struct vqb_vring_virtqueue *) 0x"
                + q.get("vqb_queue")), out);
        assertTrue(out.contains("    indirect = " + q.get("indirect") + ",\n"), out);
        assertEquals("true", q.get("indirect"), "the queue drgn reads is indirect");
        assertFalse(out.contains("PROBLEMS"), out);
    }
}
