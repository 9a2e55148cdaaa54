package org.kdive.arch.arm64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kdive.api.arch.KernelArch;
import org.kdive.api.arch.PageWalk;
import org.kdive.api.arch.Registers;
import org.kdive.api.arch.StackFrame;
import org.kdive.api.dis.Instruction;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Symbol;
import org.kdive.arch.arm64.dis.Arm64Disassembler;
import org.kdive.test.MadeDump;

/**
 * The arm64 architecture on the dumps the test run made (dumps/make-arm64-dumps.sh): what it reads
 * is checked against the guest's own console (the oops's registers and call trace) and drgn's view
 * of the same boot, never against this boot's addresses.
 */
class Arm64MadeDumpsTest {

    private static String name(Session s, long pc) {
        return s.symbols().containing(pc).map(Symbol::name).orElse("?");
    }

    /** The console's call trace as function names ("process_one_work+0x1f4/0x460" → process_one_work). */
    private static List<String> consoleTrace(MadeDump d) {
        List<String> out = new ArrayList<>();
        for (String f : d.facts().get("trace").split(",")) out.add(f.substring(0, f.indexOf('+')));
        return out;
    }

    @Test
    void panicCpuRegistersAreTheOopsRegisters() {
        MadeDump d = Arm64Sessions.kdump();
        Session s = Arm64Sessions.open(d, d.dump());
        Map<String, String> facts = d.facts();
        int cpu = Integer.parseInt(facts.get("cpu"));
        Registers r = s.arch().cpuRegisters().get(cpu);
        for (int i = 0; i <= 29; i++) {
            assertEquals(Long.parseUnsignedLong(facts.get("x" + i), 16), r.get("x" + i).getAsLong(), "x" + i);
        }
        assertEquals(Long.parseUnsignedLong(facts.get("sp"), 16), r.sp(), "sp");
        assertEquals(Long.parseUnsignedLong(facts.get("pstate"), 16), r.get("pstate").getAsLong(), "pstate");
        // lr : vqb_work_fn+0x38/0x44: the saved x30 carries a PAC in its top bits; stripped, it is a kernel address
        long lr = ((Arm64KernelArch) s.arch()).layout().stripPac(r.get("x30").getAsLong());
        long mask = ((Arm64KernelArch) s.arch()).layout().pacMask();
        assertEquals(r.get("x30").getAsLong() & ~mask, lr & ~mask, "only the PAC bits differ");
        assertEquals(mask, lr & mask);
        assertTrue(r.get("x30").getAsLong() != lr, "this kernel signs return addresses (KERNELPACMASK), the test needs one");
    }

    /**
     * A kdump's panic CPU starts at its PRSTATUS registers, the oops's (die() passes its pt_regs to
     * crash_kexec), as crash 8.0.6 for arm64, drgn and the console's trace start: the frames are the
     * console's, from the function that hit the BUG down to ret_from_fork.
     */
    @Test
    void panicBacktraceStartsAtTheOopsAsTheConsoleShowsIt() {
        for (var file : List.of("vmcore.kdump", "vmcore.proc")) {
            MadeDump d = Arm64Sessions.kdump();
            Session s = Arm64Sessions.open(d, d.file(file));
            int cpu = Integer.parseInt(d.facts().get("cpu"));
            List<StackFrame> frames = s.arch().unwindCpu(s, cpu);
            Registers saved = s.arch().cpuRegisters().get(cpu);
            // crash prints every frame at its pc - 4: the interrupted one too
            assertEquals(saved.pc() - 4, frames.get(0).pc(), file);
            // frame #0 is in the module (no module symbols in this session); its callers are the console's
            List<String> names = new ArrayList<>();
            for (StackFrame f : frames.subList(1, frames.size())) names.add(name(s, f.pc()));
            List<String> console = consoleTrace(d);
            assertEquals(console.subList(1, console.size()), names, file + ": " + frames);
            // frame #0 carries the oops's registers themselves (what autopsy reads); no exception frame follows
            assertEquals(saved, frames.get(0).exceptionRegs(), file);
            assertTrue(frames.stream().skip(1).allMatch(f -> f.exceptionRegs() == null), file + ": no exception frame after the oops");
            assertEquals(null, frames.get(frames.size() - 1).note(), "the stack ends normally");
        }
    }

    /** arm64 writes its NUMBER()s of addresses in hex with 0x, its counts in decimal: the API reads both. */
    @Test
    void vmcoreinfoNumbersInHexAndDecimal() {
        MadeDump d = Arm64Sessions.kdump();
        Session s = Arm64Sessions.open(d, d.dump());
        String kv = d.drgnRef("facts").lines().filter(l -> l.startsWith("kimage_voffset ")).findFirst().orElseThrow();
        assertEquals(Long.parseUnsignedLong(kv.substring(kv.indexOf(' ') + 1), 16), s.vmcoreinfo().number("kimage_voffset").orElseThrow());
        assertEquals(48, s.vmcoreinfo().number("VA_BITS").orElseThrow());
        assertTrue(s.vmcoreinfo().get("NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)").orElseThrow().startsWith("-"), "a negative decimal");
        assertEquals(Long.parseLong(s.vmcoreinfo().get("NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)").orElseThrow()),
                s.vmcoreinfo().number("PAGE_BUDDY_MAPCOUNT_VALUE").orElseThrow());
        // PHYS_OFFSET (hex) is where the linear map starts: directMap().start() + PHYS_OFFSET = PAGE_OFFSET
        long physOffset = s.vmcoreinfo().number("PHYS_OFFSET").orElseThrow();
        assertEquals(s.arch().addressSpace(s).kernelBase(), s.arch().addressSpace(s).directMap().start() + physOffset);
    }

    @Test
    void blockedTasksStartInSwitchTo() {
        MadeDump d = Arm64Sessions.kdump();
        Session s = Arm64Sessions.open(d, d.dump());
        List<String> ps = List.of(d.drgnRef("ps").split("\n"));
        int checked = 0;
        for (String line : ps.subList(1, ps.size())) {
            String[] f = line.split(" ", 6);
            if (f[4].equals("RU")) continue; // running: its CPU's registers
            long task = Long.parseUnsignedLong(f[3], 16);
            List<StackFrame> frames = s.arch().unwindBlocked(s, task);
            assertTrue(frames.size() >= 3, line + ": " + frames);
            assertEquals("__switch_to", name(s, frames.get(0).pc()), line);
            assertEquals(null, frames.get(frames.size() - 1).note(), line + ": " + frames);
            checked++;
        }
        assertTrue(checked >= 40, "drgn lists the blocked tasks: " + checked);
    }

    @Test
    void pageTablesAgreeWithTheLinearMapAndTheImageOffset() {
        MadeDump d = Arm64Sessions.kdump();
        Session s = Arm64Sessions.open(d, d.dump());
        KernelArch a = s.arch();
        long pgd = a.kernelPageTable();
        assertTrue(pgd > 0);
        // a task_struct drgn lists (linear map): the walk of swapper_pg_dir ends where subtraction does
        String[] init = List.of(d.drgnRef("ps").split("\n")).get(3).split(" ");
        long task = Long.parseUnsignedLong(init[3], 16);
        PageWalk w = a.walk(pgd, task);
        assertTrue(w.mapped(), w.toString());
        assertEquals(a.toPhysical(task), w.physical());
        assertEquals(a.addressSpace(s).directMap().start() + w.physical(), task, "virtual = start + physical");
        // kernel image: physical = virtual - kimage_voffset, and the walk agrees
        long jiffies = s.symbols().address("jiffies_64");
        PageWalk wj = a.walk(pgd, jiffies);
        assertEquals(jiffies - a.addressSpace(s).imageOffset(), wj.physical(), wj.lines().toString());
        assertTrue(wj.lines().get(0).startsWith("PAGE DIRECTORY: "), wj.lines().toString());
        // module memory (vmalloc space) only through the tables
        long mod = a.cpuRegisters().get(Integer.parseInt(d.facts().get("cpu"))).pc();  // in vqbug's module memory
        assertTrue(a.addressSpace(s).modules().contains(mod) || a.addressSpace(s).vmalloc().contains(mod));
        assertTrue(a.walk(pgd, mod).mapped());
        assertEquals("PTE", a.walk(pgd, mod).leaf().orElseThrow().level());
    }

    @Test
    void bugSiteDisassemblesToBrkAfterTheCompare() throws Exception {
        MadeDump d = Arm64Sessions.kdump();
        Session s = Arm64Sessions.open(d, d.dump());
        int cpu = Integer.parseInt(d.facts().get("cpu"));
        long pc = s.arch().cpuRegisters().get(cpu).pc();
        // vqb_virtqueue_add+0x7c/0x84 on the console: the function's start and size without module symbols
        String fact = d.facts().get("pc");
        long off = Long.parseLong(fact.substring(fact.indexOf("+0x") + 3, fact.indexOf('/')), 16);
        long size = Long.parseLong(fact.substring(fact.indexOf("/0x") + 3, fact.indexOf(' ')), 16);
        Symbol f = new Symbol("vqb_virtqueue_add", pc - off, size, 't', "vqbug");
        byte[] code = s.memory().read(f.address(), (int) f.size());
        List<Instruction> ins = new Arm64Disassembler().disassemble("aarch64", code, f.address(), 100);
        Instruction trap = ins.stream().filter(i -> i.address() == pc).findFirst().orElseThrow();
        assertEquals("brk", trap.mnemonic());
        assertEquals("#0x800", trap.operands());
        assertTrue(s.arch().bugTrap().orElseThrow().isTrap(trap.bytes()));
        // the module as built: objdump's text of the same function, instruction by instruction
        assertTrue(ins.stream().anyMatch(i -> i.mnemonic().equals("b.cc") && i.target() == pc), ins.toString());
        assertTrue(ins.stream().anyMatch(i -> i.mnemonic().equals("cmp") && i.operands().equals("w6, w2")), ins.toString());
        assertTrue(ins.stream().anyMatch(i -> i.mnemonic().equals("ldr") && i.operands().equals("w6, [x5, #56]")), ins.toString());
        assertTrue(Files.exists(d.module("vqbug")));
    }

    @Test
    void qemuElfOfTheSysrqPanic() {
        MadeDump d = Arm64Sessions.sysrq();
        Session s = Arm64Sessions.open(d, d.dump());
        int cpu = Integer.parseInt(d.facts().get("cpu"));
        List<StackFrame> frames = s.arch().unwindCpu(s, cpu);
        List<String> names = new ArrayList<>();
        for (StackFrame f : frames) names.add(name(s, f.pc()));
        // the console's trace from panic() on; its "sysrq_reset_seq_param_set+0x0" is the return
        // address after the noreturn call in sysrq_handle_crash, which kdive names by the branch
        List<String> want = new ArrayList<>();
        boolean on = false;
        for (String t : d.facts().get("trace").split(",")) {
            String fn = t.substring(0, t.indexOf('+'));
            if (fn.equals("panic")) on = true;
            if (!on) continue;
            want.add(t.contains("+0x0/") ? "sysrq_handle_crash" : fn);
        }
        int at = names.indexOf("panic");
        assertTrue(at >= 0, names.toString());
        List<String> got = new ArrayList<>(names.subList(at, Math.min(names.size(), at + want.size())));
        assertEquals(want, got, frames.toString());
        StackFrame last = frames.get(frames.size() - 1);
        assertNotNull(last.exceptionRegs(), "a user task's stack ends with its user registers");
        assertTrue(!s.arch().kernelMode(last.exceptionRegs()));
    }
}
