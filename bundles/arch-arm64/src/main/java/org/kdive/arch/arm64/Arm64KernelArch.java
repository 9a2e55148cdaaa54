package org.kdive.arch.arm64;

import java.nio.ByteOrder;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;
import org.kdive.api.arch.AddressSpace;
import org.kdive.api.arch.BugTrap;
import org.kdive.api.arch.CodeModel;
import org.kdive.api.arch.KernelArch;
import org.kdive.api.arch.MappedRange;
import org.kdive.api.arch.PageWalk;
import org.kdive.api.arch.RegisterRoles;
import org.kdive.api.arch.Registers;
import org.kdive.api.arch.StackFrame;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.VmcoreInfo;
import org.kdive.api.session.Session;
import org.kdive.arch.arm64.code.Arm64CodeModel;
import org.kdive.arch.arm64.layout.Arm64AddressSpace;
import org.kdive.arch.arm64.layout.Arm64Layout;
import org.kdive.arch.arm64.paging.PageTableWalker;
import org.kdive.arch.arm64.regs.Arm64Regs;
import org.kdive.arch.arm64.unwind.Stacks;
import org.kdive.arch.arm64.unwind.Unwinder;

/**
 * AArch64 bound to one dump. Translation needs only VMCOREINFO (VA_BITS, kimage_voffset,
 * PHYS_OFFSET, swapper_pg_dir); the address-space layout, unwinding and the saved contexts of
 * blocked tasks use the session's symbols.
 */
public final class Arm64KernelArch implements KernelArch {
    /**
     * BUG()/WARN(): brk #0x800 (BUG_BRK_IMM), d4210000 little-endian; struct bug_entry with
     * CONFIG_GENERIC_BUG_RELATIVE_POINTERS: bug_addr_disp, file_disp (32-bit), line, flags (16-bit).
     */
    static final BugTrap BUG_TRAP = new BugTrap(new byte[] {0x00, 0x00, 0x21, (byte) 0xd4}, "brk",
            new BugTrap.BugEntryLayout(12, 0, 4, 8, 10, true));

    private final Dump dump;
    private final Arm64Layout layout;
    private final PageTableWalker walker;
    /** The capture kernel wrote VMCOREINFO's CRASHTIME: a kdump (the CPUs' registers are what crash_save_cpu got). */
    private final boolean kdump;
    private volatile List<Registers> cpuRegisters;

    Arm64KernelArch(Dump dump, VmcoreInfo info) {
        this.dump = dump;
        this.layout = Arm64Layout.of(info);
        this.walker = new PageTableWalker(dump.memory(), layout);
        this.kdump = info.crashTime().isPresent();
    }

    public Arm64Layout layout() { return layout; }

    @Override
    public String machine() { return "aarch64"; }

    @Override
    public int pointerSize() { return 8; }

    @Override
    public ByteOrder byteOrder() { return ByteOrder.LITTLE_ENDIAN; }

    @Override
    public long toPhysical(long vaddr) {
        return walker.kernelToPhysical(vaddr);
    }

    @Override
    public long toPhysical(long pgdPhys, long vaddr) {
        return walker.toPhysical(pgdPhys, vaddr);
    }

    @Override
    public long kernelPageTable() {
        return walker.kernelPgd();
    }

    /** crash shows the kernel's table by its virtual address (swapper_pg_dir), a user table by its linear-map one. */
    @Override
    public PageWalk walk(long pgdPhys, long vaddr) {
        long shown = pgdPhys == walker.kernelPgd() && layout.swapperPgDir() != -1 ? layout.swapperPgDir()
                : pgdPhys - layout.physOffset() + layout.pageOffset();
        return walker.walk(pgdPhys, vaddr, shown);
    }

    @Override
    public Iterator<MappedRange> mappings(long pgdPhys, long start, long end) {
        return walker.ranges(pgdPhys, start, end);
    }

    @Override
    public AddressSpace addressSpace(Session session) {
        return Arm64AddressSpace.of(session, layout);
    }

    @Override
    public List<Registers> cpuRegisters() {
        List<Registers> r = cpuRegisters;
        if (r == null) {
            r = Arm64Regs.fromNotes(dump.notes());
            cpuRegisters = r;
        }
        return r;
    }

    @Override
    public RegisterRoles registerRoles() {
        return Arm64Regs.ROLES;
    }

    /** When {@code start} is one CPU's PRSTATUS registers this is {@link #unwindCpu} for that CPU. */
    @Override
    public List<StackFrame> unwind(Session session, Registers start) {
        List<Registers> cpus = cpuRegisters();
        for (int i = 0; i < cpus.size(); i++) {
            if (cpus.get(i).values().equals(start.values())) return unwindCpu(session, i);
        }
        return unwinder(session).fromRegisters(start, "registers");
    }

    /**
     * A CPU's task from its PRSTATUS registers, as crash 8.0.6 (and drgn, and the oops's own trace)
     * start it: in a kdump those are what crash_save_cpu was given, the oops's pt_regs on the panic
     * CPU (die() calls crash_kexec(regs)) and the stop IPI's interrupted context on the others, so
     * the frames start where the BUG or the IPI came in. (When the registers are themselves in the
     * kdump path, a panic() without an oops, the frames start there.)
     */
    @Override
    public List<StackFrame> unwindCpu(Session session, int cpu) {
        List<Registers> cpus = cpuRegisters();
        if (cpu < 0 || cpu >= cpus.size() || cpus.get(cpu).isEmpty()) return List.of();
        Registers regs = cpus.get(cpu);
        List<StackFrame> frames = unwinder(session).fromRegisters(regs, "registers");
        if (kdump && kernelMode(regs) && !inKdumpPath(session, regs.pc())) {
            // the interrupted context itself (the oops's pt_regs, the stop IPI's): frame #0 carries them,
            // for what looks for the faulting registers (autopsy); bt prints no frame for them, as crash
            StackFrame f = frames.get(0);
            List<StackFrame> out = new java.util.ArrayList<>(frames);
            out.set(0, new StackFrame(f.level(), f.sp(), f.pc(), regs, f.method(), f.reliable(), f.stack(), f.note()));
            return out;
        }
        return frames;
    }

    /** Whether {@code pc} is in the kdump path's own functions (a panic() without an oops saves its registers there). */
    private static boolean inKdumpPath(Session session, long pc) {
        String fn = session.symbols().containing(pc).map(org.kdive.api.symbols.Symbol::name).orElse("");
        return fn.equals("machine_kexec") || fn.equals("__crash_kexec") || fn.equals("crash_kexec") || fn.equals("crash_save_cpu")
                || fn.equals("panic");
    }

    /** task->thread.cpu_context: x19-x28, fp, sp and pc (the return address into __switch_to). */
    @Override
    public Optional<Registers> blockedRegisters(Session session, long task) {
        try {
            long ctx = offset(session, "struct task_struct", "thread") ;
            long cc = offset(session, "struct thread_struct", "cpu_context");
            if (ctx < 0 || cc < 0) return Optional.empty();
            byte[] b = session.memory().read(task + ctx + cc, 13 * 8);
            Map<String, Long> m = new LinkedHashMap<>();
            for (int i = 0; i < 10; i++) m.put("x" + (19 + i), le(b, 8 * i));
            m.put("x29", le(b, 80));
            m.put("sp", le(b, 88));
            m.put("pc", layout.stripPac(le(b, 96)));
            return Optional.of(new Registers(m, Arm64Regs.PC, Arm64Regs.SP));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public List<StackFrame> unwindBlocked(Session session, long task) {
        return blockedRegisters(session, task).map(r -> unwinder(session).fromSwitchedOut(r)).orElse(List.of());
    }

    @Override
    public List<String> formatRegisters(Registers regs) {
        return Arm64Regs.format(regs, null, layout::stripPac);
    }

    /** crash's arm64 exception frame: PC and LR with their symbols, SP, PSTATE, X29 … X0. */
    @Override
    public List<String> formatException(Registers regs, LongFunction<String> where) {
        // a kdump CPU's own saved registers (frame #0, see unwindCpu): crash's bt starts there and prints no frame
        for (Registers cpu : cpuRegisters()) if (cpu == regs) return List.of();
        return Arm64Regs.format(regs, where, layout::stripPac);
    }

    /** The unwinder's pcs are already what crash prints and looks up: the branch before a return address. */
    @Override
    public long callSite(StackFrame f) {
        return f.pc();
    }

    /**
     * crash's arm64 {@code bt -f}: the words from a frame's record (its fp, "#N [fp]") up to the next
     * frame's record, the newer record's two words included; up to the stack's top when the older
     * frame is on another stack (crash prints the rest of the IRQ stack before "--- &lt;IRQ stack&gt; ---").
     */
    @Override
    public AddressSpace.Region frameWords(StackFrame newer, StackFrame older) {
        long from = newer.sp();
        long to = older.sp();
        if (from == 0) return AddressSpace.Region.NONE;
        if (newer.stack() != null) {
            // leaving the IRQ or overflow stack: the rest of it, up to its top
            if (!newer.stack().equals(older.stack())) {
                Stacks st = stacks;
                Optional<Stacks.Stack> on = st == null ? Optional.empty() : st.special(from);
                if (on.isEmpty()) return AddressSpace.Region.NONE;
                to = on.get().high();
            }
        } else {
            Stacks.Stack task = Stacks.taskStack(from);
            if (older.stack() != null || to == 0 || !task.equals(Stacks.taskStack(to))) to = task.high();
        }
        if (Long.compareUnsigned(to, from) <= 0 || to - from > Stacks.THREAD_SIZE) return AddressSpace.Region.NONE;
        return new AddressSpace.Region(from, to);
    }

    /** bt -E on arm64: each CPU's IRQ stack (crash's arm64_eframe_search looks at no other). */
    @Override
    public List<org.kdive.api.arch.CpuStack> cpuStacks(Session session) {
        long[] perCpu = addressSpace(session).perCpuOffsets();
        return org.kdive.arch.arm64.unwind.FrameSearch.cpuStacks(Stacks.of(session, perCpu), perCpu.length);
    }

    @Override
    public List<org.kdive.api.arch.ExceptionFrame> searchExceptionFrames(Session session, AddressSpace.Region stack, long from,
            boolean userTask) {
        boolean irq = cpuStacks(session).stream().anyMatch(c -> c.region().equals(stack));
        return new org.kdive.arch.arm64.unwind.FrameSearch(session, layout::stripPac).search(stack, from, userTask, !irq);
    }

    /** Return addresses on the stack may carry a pointer-authentication code in their upper bits. */
    @Override
    public long codeAddress(long word) {
        return layout.stripPac(word);
    }

    /** crash's arm64 layout: the heading unindented; no blank line before a user-mode frame that comes first. */
    @Override
    public List<String> formatFoundException(org.kdive.api.arch.ExceptionFrame frame, boolean first, LongFunction<String> where) {
        List<String> lines = new java.util.ArrayList<>();
        boolean kernel = kernelMode(frame.regs());
        if (kernel || !first) lines.add("");
        lines.add(String.format("%s-MODE EXCEPTION FRAME AT: %x", kernel ? "KERNEL" : "USER", frame.address()));
        lines.addAll(formatException(frame.regs(), where));
        return lines;
    }

    @Override
    public boolean kernelMode(Registers regs) {
        return Arm64Regs.kernelMode(regs);
    }

    @Override
    public Optional<BugTrap> bugTrap() {
        return Optional.of(BUG_TRAP);
    }

    @Override
    public Optional<CodeModel> codeModel() {
        return Optional.of(Arm64CodeModel.INSTANCE);
    }

    /** The special stacks of the last session that unwound (one session per dump): for {@link #frameWords}. */
    private volatile Stacks stacks;

    private Unwinder unwinder(Session session) {
        Stacks stacks = Stacks.of(session, addressSpace(session).perCpuOffsets());
        this.stacks = stacks;
        return session.cached("arch-arm64.unwinder", () -> new Unwinder(session, layout, stacks));
    }

    /** crash's arm64_verify_symbol, and every kept absolute symbol moved with the image (see {@link KernelSymbolTable}). */
    @Override
    public List<org.kdive.api.symbols.Symbol> kernelSymbolTable(List<org.kdive.api.symbols.Symbol> symbols) {
        return org.kdive.arch.arm64.symbols.KernelSymbolTable.kept(symbols, layout.kernelOffset());
    }

    private static long offset(Session s, String type, String member) {
        return s.symbols().type(type).map(t -> t.resolve().member(member).map(m -> m.offset()).orElse(-1L)).orElse(-1L);
    }

    private static long le(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = (v << 8) | (b[off + i] & 0xff);
        return v;
    }
}
