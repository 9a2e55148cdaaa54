package org.kdive.arch.arm64.unwind;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.Type;

/**
 * The stacks an arm64 kernel runs on besides task stacks (arch/arm64/include/asm/stacktrace.h):
 * per CPU an IRQ stack (irq_stack_ptr, IRQ_STACK_SIZE = THREAD_SIZE) and an overflow stack
 * (overflow_stack, OVERFLOW_STACK_SIZE = 4 KiB, used when a task stack overflows). Read once per session.
 */
public final class Stacks {
    /** THREAD_SIZE with 4 KiB pages and without KASAN: 16 KiB. */
    public static final long THREAD_SIZE = 16384;
    public static final long OVERFLOW_SIZE = 4096;

    /** A stack: [low, high), named as crash names it. */
    public record Stack(long low, long high, String name, int cpu) {
        boolean contains(long a) {
            return Long.compareUnsigned(a, low) >= 0 && Long.compareUnsigned(a, high) < 0;
        }
    }

    private final List<Stack> special;

    private Stacks(List<Stack> special) {
        this.special = special;
    }

    public static Stacks of(Session s, long[] perCpu) {
        return s.cached("arch-arm64.stacks", () -> read(s, perCpu));
    }

    private static Stacks read(Session s, long[] perCpu) {
        List<Stack> out = new ArrayList<>();
        long irqPtr = address(s, "irq_stack_ptr");
        long overflow = address(s, "overflow_stack");
        for (int cpu = 0; cpu < perCpu.length; cpu++) {
            try {
                if (irqPtr != -1) {
                    long base = s.memory().u64(irqPtr + perCpu[cpu]);
                    if (base != 0) out.add(new Stack(base, base + THREAD_SIZE, "IRQ stack", cpu));
                }
            } catch (RuntimeException e) {
                // that CPU's IRQ stack is not in the dump: its frames are then not followed
            }
            if (overflow != -1) out.add(new Stack(overflow + perCpu[cpu], overflow + perCpu[cpu] + OVERFLOW_SIZE, "Overflow stack", cpu));
        }
        return new Stacks(List.copyOf(out));
    }

    private static long address(Session s, String name) {
        try {
            Optional<Symbol> sym = s.symbols().first(name);
            return sym.map(Symbol::address).orElse(-1L);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** The special stack holding {@code sp}, if any. */
    public Optional<Stack> special(long sp) {
        for (Stack st : special) if (st.contains(sp)) return Optional.of(st);
        return Optional.empty();
    }

    /** CPU {@code cpu}'s IRQ stack, if known. */
    public Optional<Stack> irq(int cpu) {
        for (Stack st : special) if (st.cpu() == cpu && st.name().equals("IRQ stack")) return Optional.of(st);
        return Optional.empty();
    }

    /** CPU {@code cpu}'s overflow stack, if known. */
    public Optional<Stack> overflow(int cpu) {
        for (Stack st : special) if (st.cpu() == cpu && st.name().equals("Overflow stack")) return Optional.of(st);
        return Optional.empty();
    }

    /** The task stack holding {@code sp}: the THREAD_SIZE-aligned block (task stacks are aligned to it). */
    public static Stack taskStack(long sp) {
        long low = sp & -THREAD_SIZE;
        return new Stack(low, low + THREAD_SIZE, null, -1);
    }

    /** The stack holding {@code sp}: a special one, or else the task stack around it. */
    public Stack around(long sp) {
        return special(sp).orElseGet(() -> taskStack(sp));
    }

    /** Size of a type from the session's debuginfo, or -1. */
    static long size(Session s, String type) {
        try {
            return s.symbols().type(type).map(Type::size).orElse(-1L);
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
