package org.kdive.arch.x86;

import java.nio.ByteOrder;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
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
import org.kdive.api.symbols.Symbol;
import org.kdive.arch.x86.code.X86CodeModel;
import org.kdive.arch.x86.layout.X86AddressSpace;
import org.kdive.arch.x86.orc.OrcTables;
import org.kdive.arch.x86.paging.PageTableWalker;
import org.kdive.arch.x86.regs.Prstatus;
import org.kdive.arch.x86.regs.PtRegs;
import org.kdive.arch.x86.regs.SwitchFrame;
import org.kdive.arch.x86.symbols.KernelSymbolTable;
import org.kdive.arch.x86.unwind.Unwinder;

/**
 * x86_64 bound to one dump. Translation needs only VMCOREINFO (phys_base, init_top_pgt,
 * pgtable_l5_enabled); the address-space layout, unwinding and the switch frames of blocked tasks
 * use the session's symbols.
 */
public final class X86KernelArch implements KernelArch {
    private static final String ORC_KEY = "arch-x86_64.orc";
    /** System V AMD64: the kernel's calling convention (no red zone, but the same registers). */
    static final RegisterRoles ROLES = new RegisterRoles(PtRegs.PC, PtRegs.SP, "rbp", null, "rax",
            List.of("rdi", "rsi", "rdx", "rcx", "r8", "r9"),
            List.of("rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11"), "System V");
    /**
     * BUG()/WARN(): ud2 (0f 0b); struct bug_entry with CONFIG_GENERIC_BUG_RELATIVE_POINTERS and
     * CONFIG_DEBUG_BUGVERBOSE: bug_addr_disp, file_disp (32-bit), line, flags (16-bit).
     */
    static final BugTrap BUG_TRAP = new BugTrap(new byte[] {0x0f, 0x0b}, "ud2", new BugTrap.BugEntryLayout(12, 0, 4, 8, 10, true));

    private final Dump dump;
    private final PageTableWalker walker;
    private final long kernelPgdVirtual;
    private final boolean fiveLevel;
    private final long physBase;
    private volatile List<Registers> cpuRegisters;

    X86KernelArch(Dump dump, VmcoreInfo info) {
        this.dump = dump;
        this.physBase = info.number("phys_base").orElse(0);
        this.fiveLevel = info.number("pgtable_l5_enabled").orElse(0) == 1;
        OptionalLong top = info.symbol("init_top_pgt");
        if (top.isEmpty()) top = info.symbol("swapper_pg_dir");
        this.kernelPgdVirtual = top.orElse(-1);
        long pgd = top.isPresent() ? top.getAsLong() - PageTableWalker.START_KERNEL_MAP + physBase : -1;
        long sme = info.number("sme_mask").orElse(0);
        this.walker = new PageTableWalker(dump.memory(), fiveLevel, physBase, pgd, sme);
    }

    public PageTableWalker walker() { return walker; }

    @Override
    public String machine() { return "x86_64"; }

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

    /** crash shows the kernel's table by its virtual address (init_top_pgt), a user table by its physical one. */
    @Override
    public PageWalk walk(long pgdPhys, long vaddr) {
        long shown = pgdPhys == walker.kernelPgd() && kernelPgdVirtual != -1 ? kernelPgdVirtual : pgdPhys;
        return walker.walk(pgdPhys, vaddr, shown);
    }

    @Override
    public Iterator<MappedRange> mappings(long pgdPhys, long start, long end) {
        return walker.ranges(pgdPhys, start, end);
    }

    @Override
    public AddressSpace addressSpace(Session session) {
        return X86AddressSpace.of(session, fiveLevel, physBase);
    }

    @Override
    public List<Registers> cpuRegisters() {
        List<Registers> r = cpuRegisters;
        if (r == null) {
            r = Prstatus.fromNotes(dump.notes());
            cpuRegisters = r;
        }
        return r;
    }

    @Override
    public RegisterRoles registerRoles() {
        return ROLES;
    }

    /**
     * Unwinds from {@code start}. When {@code start} is exactly one CPU's PRSTATUS registers, this is
     * {@link #unwindCpu} for that CPU (crash's view, starting where the capture kernel stopped it).
     */
    @Override
    public List<StackFrame> unwind(Session session, Registers start) {
        List<Registers> cpus = cpuRegisters();
        for (int i = 0; i < cpus.size(); i++) {
            if (cpus.get(i).values().equals(start.values())) return unwindCpu(session, i);
        }
        return unwinder(session).fromRegisters(start);
    }

    @Override
    public List<StackFrame> unwindCpu(Session session, int cpu) {
        List<Registers> cpus = cpuRegisters();
        if (cpu < 0 || cpu >= cpus.size() || cpus.get(cpu).isEmpty()) return List.of();
        return unwinder(session).fromStoppedCpu(cpu, cpus.get(cpu));
    }

    @Override
    public Optional<Registers> blockedRegisters(Session session, long task) {
        return SwitchFrame.registers(session, task);
    }

    @Override
    public List<StackFrame> unwindBlocked(Session session, long task) {
        return unwinder(session).fromSwitchedOut(task);
    }

    /** bt -E's stacks: every CPU's IRQ stack, then each CPU's IST exception stacks (crash's order and names). */
    @Override
    public List<org.kdive.api.arch.CpuStack> cpuStacks(Session session) {
        return session.cached("arch-x86_64.cpu-stacks", () -> stackSearch(session).cpuStacks(cpuCount()));
    }

    @Override
    public List<org.kdive.api.arch.ExceptionFrame> searchExceptionFrames(Session session, AddressSpace.Region stack, long from,
            boolean userTask) {
        return stackSearch(session).search(stack, from, cpuStacks(session));
    }

    @Override
    public List<StackFrame> unwindByScan(Session session, Registers start, AddressSpace.Region stack, boolean userTask) {
        return stackSearch(session).scan(start, stack, userTask, cpuStacks(session));
    }

    @Override
    public List<StackFrame> textWords(Session session, AddressSpace.Region stack, long from, boolean userTask) {
        return stackSearch(session).textWords(stack, from, userTask, cpuStacks(session));
    }

    private org.kdive.arch.x86.unwind.StackSearch stackSearch(Session session) {
        return new org.kdive.arch.x86.unwind.StackSearch(session, addressSpace(session), fiveLevel);
    }

    private int cpuCount() {
        int cpus = Math.max(cpuRegisters().size(), dump.info().cpus());
        return Math.min(Math.max(cpus, 1), 8192);
    }

    @Override
    public List<String> formatRegisters(Registers regs) {
        return PtRegs.format(regs);
    }

    /** crash: "[exception RIP: name+offset]" for kernel-mode frames, then the register block. */
    @Override
    public List<String> formatException(Registers regs, LongFunction<String> where) {
        List<String> lines = new java.util.ArrayList<>();
        if (kernelMode(regs)) {
            String w = where.apply(regs.pc());
            lines.add("    [exception RIP: " + (w == null ? "unknown or invalid address" : w) + "]");
        }
        lines.addAll(PtRegs.format(regs));
        return lines;
    }

    /** The privilege level in CS: ring 0 is the kernel. */
    @Override
    public boolean kernelMode(Registers regs) {
        return (regs.get("cs").orElse(0) & 3) == 0;
    }

    @Override
    public Optional<BugTrap> bugTrap() {
        return Optional.of(BUG_TRAP);
    }

    @Override
    public Optional<CodeModel> codeModel() {
        return Optional.of(X86CodeModel.INSTANCE);
    }

    /** crash's irq -d: the 256 gates of idt_table. */
    @Override
    public Optional<List<org.kdive.api.arch.InterruptVector>> interruptVectors(Session session) {
        return Optional.of(org.kdive.arch.x86.idt.InterruptDescriptorTable.gates(session).stream()
                .map(org.kdive.arch.x86.idt.InterruptDescriptorTable.Gate::toVector).toList());
    }

    /** crash's x86_64_verify_symbol: below _text only the per-CPU symbols (see {@link KernelSymbolTable}). */
    @Override
    public List<Symbol> kernelSymbolTable(List<Symbol> symbols) {
        return KernelSymbolTable.kept(symbols);
    }

    /** The session's ORC tables (built once per session). */
    public static OrcTables orcTables(Session session) {
        return session.cached(ORC_KEY, () -> new OrcTables(session));
    }

    private Unwinder unwinder(Session session) {
        int cpus = Math.max(cpuRegisters().size(), dump.info().cpus());
        return new Unwinder(session, orcTables(session), Math.min(Math.max(cpus, 1), 8192));
    }
}
