package org.kdive.arch.arm64.unwind;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.kdive.api.arch.AddressSpace;
import org.kdive.api.arch.CpuStack;
import org.kdive.api.arch.ExceptionFrame;
import org.kdive.api.arch.Registers;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Symbol;
import org.kdive.arch.arm64.regs.Arm64Regs;

/**
 * crash's arm64 {@code bt -e}/{@code -E} (arm64_eframe_search): struct pt_regs on a stack whose sp
 * and fp lie on that stack, whose PSTATE is an AArch64 EL1/EL2 mode with the upper half clear, and
 * whose pc and lr are kernel text; a user process's stack also ends with its user-mode frame.
 */
public final class FrameSearch {
    private static final long PSR_MODE32 = 0x10;
    private static final long PSR_MODE_MASK = 0xf;

    private final Session session;
    private final java.util.function.LongUnaryOperator stripPac;

    public FrameSearch(Session session, java.util.function.LongUnaryOperator stripPac) {
        this.session = session;
        this.stripPac = stripPac;
    }

    /** bt -E: the IRQ stack of each CPU (crash searches no other per-CPU stack on arm64). */
    public static List<CpuStack> cpuStacks(Stacks stacks, int cpus) {
        List<CpuStack> out = new ArrayList<>();
        for (int cpu = 0; cpu < cpus; cpu++) {
            stacks.irq(cpu).ifPresent(s -> out.add(new CpuStack(s.cpu(), "IRQ", new AddressSpace.Region(s.low(), s.high()))));
        }
        return out;
    }

    public List<ExceptionFrame> search(AddressSpace.Region stack, long from, boolean userTask, boolean taskStack) {
        List<ExceptionFrame> out = new ArrayList<>();
        int size = ptRegsSize();
        for (long a = Math.max(from, stack.start()) & -8L; Long.compareUnsigned(a, stack.end() - size) < 0; a += 8) {
            Registers r = read(a);
            if (r != null && kernelFrame(r, stack)) out.add(new ExceptionFrame(a, r));
        }
        if (userTask && taskStack) {
            long at = stack.end() - userFrameOffset();
            Registers r = read(at);
            if (r != null) out.add(new ExceptionFrame(at, r));
        }
        return out;
    }

    private boolean kernelFrame(Registers r, AddressSpace.Region stack) {
        long pstate = r.get("pstate").orElse(-1);
        if (!stack.contains(r.sp()) || !stack.contains(r.get(Arm64Regs.FP).orElse(0))) return false;
        if ((pstate & (0xffffffff00000000L | PSR_MODE32)) != 0) return false;
        if (!isText(r.pc()) || !isText(stripPac.applyAsLong(r.get(Arm64Regs.LR).orElse(0)))) return false;
        long mode = pstate & PSR_MODE_MASK;
        return mode == 4 || mode == 5 || mode == 8 || mode == 9; // EL1t, EL1h, EL2t, EL2h
    }

    private Registers read(long a) {
        try {
            return Arm64Regs.decode(session.memory().read(a, Arm64Regs.PT_REGS_SIZE), 0, true);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private int ptRegsSize() {
        long s = Stacks.size(session, "struct pt_regs");
        return s > 0 ? (int) s : Arm64Regs.PT_REGS_SIZE;
    }

    /** crash's USER_EFRAME_OFFSET: sizeof(pt_regs), 16 more before pt_regs had its stackframe. */
    private int userFrameOffset() {
        boolean stackframe;
        try {
            stackframe = session.symbols().type("struct pt_regs").map(t -> t.resolve().members().stream()
                    .anyMatch(m -> m.name().equals("stackframe"))).orElse(true);
        } catch (RuntimeException e) {
            stackframe = true;
        }
        return ptRegsSize() + (stackframe ? 0 : 16);
    }

    private boolean isText(long v) {
        if (v >= 0) return false;
        try {
            Optional<Symbol> s = session.symbols().containing(v);
            return s.isPresent() && s.get().isText() && (s.get().size() <= 0 || v - s.get().address() < s.get().size());
        } catch (RuntimeException e) {
            return false;
        }
    }
}
