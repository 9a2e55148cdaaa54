package org.kdive.arch.x86;

import java.nio.ByteOrder;
import java.util.List;
import java.util.OptionalLong;
import org.kdive.api.arch.KernelArch;
import org.kdive.api.arch.Registers;
import org.kdive.api.arch.StackFrame;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.VmcoreInfo;
import org.kdive.api.session.Session;
import org.kdive.arch.x86.orc.OrcTables;
import org.kdive.arch.x86.paging.PageTableWalker;
import org.kdive.arch.x86.regs.Prstatus;
import org.kdive.arch.x86.regs.PtRegs;
import org.kdive.arch.x86.unwind.Unwinder;

/**
 * x86_64 bound to one dump. Translation needs only VMCOREINFO (phys_base, init_top_pgt,
 * pgtable_l5_enabled); unwinding uses the session's symbols and ORC tables.
 */
public final class X86KernelArch implements KernelArch {
    private static final String ORC_KEY = "arch-x86_64.orc";

    private final Dump dump;
    private final PageTableWalker walker;
    private final long kernelPgdVirtual;
    private volatile List<Registers> cpuRegisters;

    X86KernelArch(Dump dump, VmcoreInfo info) {
        this.dump = dump;
        long physBase = info.number("phys_base").orElse(0);
        boolean five = info.number("pgtable_l5_enabled").orElse(0) == 1;
        OptionalLong top = info.symbol("init_top_pgt");
        if (top.isEmpty()) top = info.symbol("swapper_pg_dir");
        this.kernelPgdVirtual = top.orElse(-1);
        long pgd = top.isPresent() ? top.getAsLong() - PageTableWalker.START_KERNEL_MAP + physBase : -1;
        long sme = info.number("sme_mask").orElse(0);
        this.walker = new PageTableWalker(dump.memory(), five, physBase, pgd, sme);
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

    /**
     * crash's vtop steps: "PGD DIRECTORY" (5-level) or "PML4 DIRECTORY" (4-level) with the table's
     * virtual address (for a user table: its physical address), each entry as "LEVEL: entry-address
     * => value", then "PAGE: physical" with "(2MB)"/"(1GB)" for large pages, or the failure.
     */
    @Override
    public List<String> explain(long pgdPhys, long vaddr) {
        long pgdVirtual = pgdPhys == walker.kernelPgd() && kernelPgdVirtual != -1 ? kernelPgdVirtual : pgdPhys;
        return walker.explain(pgdPhys, vaddr, pgdVirtual);
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
        if (cpu < 0 || cpu >= cpus.size()) return List.of();
        return unwinder(session).fromStoppedCpu(cpu, cpus.get(cpu));
    }

    @Override
    public List<StackFrame> unwindBlocked(Session session, long task) {
        return unwinder(session).fromSwitchedOut(task);
    }

    @Override
    public List<String> formatRegisters(Registers regs) {
        return PtRegs.format(regs);
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
