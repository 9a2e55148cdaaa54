package org.kdive.arch.x86.unwind;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.kdive.api.session.Memory;
import org.kdive.api.session.Session;

/**
 * The per-CPU stacks besides the task stacks: the IST exception stacks in the cpu_entry_area
 * (struct cea_exception_stacks) and the hard-IRQ stacks, named as crash names them.
 */
final class StackRanges {
    /** THREAD_SIZE without KASAN: task stacks are this big and aligned to it. */
    static final long THREAD_SIZE = 16384;
    static final long IRQ_STACK_SIZE = 16384;

    record Range(long low, long high, String name, int cpu) {
        boolean contains(long a) {
            return Long.compareUnsigned(a, low) >= 0 && Long.compareUnsigned(a, high) < 0;
        }
    }

    private static final String[] IST = {"DF", "NMI", "DB", "MCE", "VC", "VC2"};
    private static final String[] IST_CRASH = {"DOUBLEFAULT", "NMI", "DEBUG", "MCE", "VC", "VC2"};

    private final List<Range> ranges;

    private StackRanges(List<Range> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    /**
     * The end of a CPU's IRQ stack from its hardirq_stack_ptr: the stack's last word on 6.x, its end on
     * 5.x. The stack is vmapped page by page (6.1: not aligned to its size), so the end is the page
     * boundary at or above the pointer, not a multiple of IRQ_STACK_SIZE.
     */
    static long irqStackEnd(long hardirqStackPtr) {
        return (hardirqStackPtr + PAGE_SIZE - 1) & -PAGE_SIZE;
    }

    private static final long PAGE_SIZE = 4096;

    static StackRanges of(Session session, int cpus) {
        KernelLayout k = new KernelLayout(session);
        Memory mem = session.memory();
        List<Range> out = new ArrayList<>();
        OptionalLong perCpuOffsets = k.symbol("__per_cpu_offset");
        if (perCpuOffsets.isEmpty()) return new StackRanges(out);
        OptionalLong cea = k.symbol("cea_exception_stacks");
        OptionalLong irq = k.hardirqStackPtr();
        long[] istOffset = new long[IST.length];
        long[] istSize = new long[IST.length];
        for (int i = 0; i < IST.length; i++) {
            long off = k.offset("struct cea_exception_stacks", IST[i] + "_stack");
            long guard = k.offset("struct cea_exception_stacks", IST[i] + "_stack_guard");
            // Without types: 4 KiB guard + 8 KiB stack each (EXCEPTION_STKSZ of 5.x/6.x kernels).
            istOffset[i] = off >= 0 ? off : 4096 + i * (4096 + 8192L);
            istSize[i] = off >= 0 && guard >= 0 && i + 1 < IST.length
                    ? k.offset("struct cea_exception_stacks", IST[i + 1] + "_stack_guard") - off : 8192;
            if (istSize[i] <= 0) istSize[i] = 8192;
        }
        for (int cpu = 0; cpu < cpus; cpu++) {
            try {
                long base = mem.u64(perCpuOffsets.getAsLong() + 8L * cpu);
                if (cea.isPresent()) {
                    long stacks = mem.u64(base + cea.getAsLong());
                    if (stacks != 0) {
                        for (int i = 0; i < IST.length; i++) {
                            long lo = stacks + istOffset[i];
                            out.add(new Range(lo, lo + istSize[i], IST_CRASH[i] + " exception stack", cpu));
                        }
                    }
                }
                if (irq.isPresent()) {
                    long top = mem.u64(base + irq.getAsLong());
                    if (top != 0) {
                        long high = irqStackEnd(top);
                        out.add(new Range(high - IRQ_STACK_SIZE, high, "IRQ stack", cpu));
                    }
                }
            } catch (RuntimeException e) {
                // an unreadable per-CPU area: that CPU's stacks stay unnamed
            }
        }
        return new StackRanges(out);
    }

    /** The special stack holding {@code sp}, or null (task stack). */
    Range find(long sp) {
        for (Range r : ranges) if (r.contains(sp)) return r;
        return null;
    }

    /** Bounds of the stack holding {@code sp}: a special stack, else the THREAD_SIZE block. */
    Range bounds(long sp) {
        Range r = find(sp);
        if (r != null) return r;
        long lo = sp & -THREAD_SIZE;
        return new Range(lo, lo + THREAD_SIZE, null, -1);
    }

    List<Range> forCpu(int cpu) {
        List<Range> l = new ArrayList<>();
        for (Range r : ranges) if (r.cpu() == cpu) l.add(r);
        return l;
    }
}
