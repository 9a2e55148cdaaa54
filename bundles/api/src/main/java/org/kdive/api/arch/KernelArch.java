package org.kdive.api.arch;

import java.nio.ByteOrder;
import java.util.List;
import org.kdive.api.session.Session;

/** An architecture bound to one dump: address translation, CPU registers, unwinding. */
public interface KernelArch {
    String machine();

    int pointerSize();

    ByteOrder byteOrder();

    /**
     * Kernel virtual → physical address.
     *
     * @throws org.kdive.api.dump.MemoryAccessException naming the page-table level that failed
     */
    long toPhysical(long vaddr);

    /** Virtual → physical through the page table rooted at physical {@code pgdPhys} (user space). */
    long toPhysical(long pgdPhys, long vaddr);

    /** The translation step by step, as `vtop` prints it. */
    List<String> explain(long pgdPhys, long vaddr);

    /** Registers saved by the capture kernel per CPU (from PRSTATUS), in CPU order. */
    List<Registers> cpuRegisters();

    /**
     * Unwinds a stack starting from {@code start}; never throws for bad data, ends the list instead
     * (the last frame's {@link StackFrame#note()} says why). {@code start.pc()} is taken as the
     * instruction the CPU was at (frame #0 is [sp] pc).
     */
    List<StackFrame> unwind(Session session, Registers start);

    /**
     * The backtrace of the task that was running on {@code cpu} when the dump was taken, as crash
     * shows it: from where the capture kernel stopped the CPU (e.g. machine_kexec on the panic CPU,
     * crash_nmi_callback on the others) through the exception frame holding the interrupted
     * registers ({@link #cpuRegisters()}), then on down the interrupted stack.
     */
    default List<StackFrame> unwindCpu(Session session, int cpu) {
        List<Registers> regs = cpuRegisters();
        if (cpu < 0 || cpu >= regs.size()) return List.of();
        return unwind(session, regs.get(cpu));
    }

    /**
     * The backtrace of a task that is not running, from the context it saved when it was switched
     * out (its first frame is the return address into the scheduler). Empty when unknown.
     *
     * @param task address of the task_struct
     */
    default List<StackFrame> unwindBlocked(Session session, long task) {
        return List.of();
    }

    /** Physical address of the kernel's top-level page table (the {@code pgdPhys} for kernel addresses), or -1. */
    default long kernelPageTable() {
        return -1;
    }

    /**
     * The registers of an exception frame or a CPU as crash prints them under "[exception RIP: …]"
     * (each line indented by 4 spaces). Architectures without a crash layout return the registers
     * name by name.
     */
    default List<String> formatRegisters(Registers regs) {
        List<String> lines = new java.util.ArrayList<>();
        regs.values().forEach((k, v) -> lines.add(String.format("    %s: %016x", k.toUpperCase(), v)));
        return lines;
    }
}
