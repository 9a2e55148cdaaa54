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

    /** Unwinds a stack starting from {@code start}; never throws for bad data, ends the list instead. */
    List<StackFrame> unwind(Session session, Registers start);
}
