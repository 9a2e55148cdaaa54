package org.kdive.arch.x86.unwind;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.kdive.api.arch.AddressSpace;
import org.kdive.api.arch.CpuStack;
import org.kdive.api.arch.ExceptionFrame;
import org.kdive.api.arch.Registers;
import org.kdive.api.arch.StackFrame;
import org.kdive.api.session.Memory;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Symbol;
import org.kdive.arch.x86.regs.PtRegs;

/**
 * What crash's x86_64 bt finds by reading a stack word by word rather than unwinding it: the
 * per-CPU stacks of {@code bt -E} (IRQ stacks, then the IST exception stacks of each CPU), the
 * exception frames of {@code bt -e}/{@code -E} (struct pt_regs whose segment selectors, flags and
 * pointers look like the entry code's), and the "old" backtrace of {@code bt -o}.
 */
public final class StackSearch {
    /** RFLAGS bits that read as zero: a set one means these words are no saved RFLAGS. */
    private static final long RFLAGS_ZERO_BITS = 0xffffffffffc08028L;
    private static final long KERNEL_CS = 0x10;
    private static final long KERNEL_SS = 0x18;
    private static final long USER_CS = 0x33;
    private static final long USER32_CS = 0x23;
    private static final long USER_SS = 0x2b;
    /** The IST stacks in cea_exception_stacks order (= IST index order) and crash's names for them. */
    private static final String[] IST = {"DF", "NMI", "DB", "MCE", "VC", "VC2"};
    private static final String[] IST_CRASH = {"DOUBLEFAULT", "NMI", "DEBUG", "MCE", "VC", "VC2"};
    /**
     * The entry stubs of exceptions whose pt_regs lie just above their return-address slot (crash's
     * exception_functions: the asm_exc_ names of 5.8 and later, the older names before).
     */
    private static final List<String> EXCEPTION_ENTRIES = List.of(
            "asm_exc_invalid_tss", "asm_exc_segment_not_present", "asm_exc_alignment_check", "asm_exc_general_protection",
            "asm_exc_page_fault", "asm_exc_divide_error", "asm_exc_overflow", "asm_exc_bounds", "asm_exc_invalid_op",
            "asm_exc_device_not_available", "asm_exc_coproc_segment_overrun", "asm_exc_spurious_interrupt_bug",
            "asm_exc_coprocessor_error", "asm_exc_simd_coprocessor_error", "asm_exc_debug", "xen_asm_exc_stack_segment",
            "xen_asm_exc_xen_hypervisor_callback", "xen_asm_exc_int3");
    private static final List<String> EXCEPTION_ENTRIES_OLD = List.of(
            "invalid_TSS", "segment_not_present", "alignment_check", "xen_stack_segment", "general_protection", "page_fault",
            "divide_error", "overflow", "bounds", "invalid_op", "device_not_available", "coprocessor_segment_overrun",
            "spurious_interrupt_bug", "coprocessor_error", "simd_coprocessor_error", "xen_hypervisor_callback", "xen_debug",
            "xen_int3", "async_page_fault");

    private final Session session;
    private final Memory mem;
    private final AddressSpace space;
    private final long userTop;
    private final KernelLayout layout;

    public StackSearch(Session session, AddressSpace space, boolean fiveLevel) {
        this.session = session;
        this.mem = session.memory();
        this.space = space;
        this.userTop = fiveLevel ? 1L << 56 : 1L << 47;
        this.layout = new KernelLayout(session);
    }

    /** IRQ stacks of every CPU, then each CPU's exception stacks (DF, NMI, DB, MCE; VC and VC2 when mapped). */
    public List<CpuStack> cpuStacks(int cpus) {
        List<CpuStack> irq = new ArrayList<>();
        List<CpuStack> ist = new ArrayList<>();
        OptionalLong perCpu = layout.symbol("__per_cpu_offset");
        if (perCpu.isEmpty()) return List.of();
        OptionalLong hardirq = layout.hardirqStackPtr();
        OptionalLong cea = layout.symbol("cea_exception_stacks");
        long[] off = new long[IST.length];
        long[] size = new long[IST.length];
        for (int i = 0; i < IST.length; i++) {
            off[i] = layout.offset("struct cea_exception_stacks", IST[i] + "_stack");
            long next = i + 1 < IST.length ? layout.offset("struct cea_exception_stacks", IST[i + 1] + "_stack_guard")
                    : layout.offset("struct cea_exception_stacks", "IST_top_guard");
            size[i] = off[i] >= 0 && next >= 0 ? next - off[i] : -1;
        }
        for (int cpu = 0; cpu < cpus; cpu++) {
            long base;
            try {
                base = mem.u64(perCpu.getAsLong() + 8L * cpu);
            } catch (RuntimeException e) {
                continue;
            }
            if (hardirq.isPresent()) {
                try {
                    long top = mem.u64(base + hardirq.getAsLong());
                    if (top != 0) {
                        long high = StackRanges.irqStackEnd(top);
                        irq.add(new CpuStack(cpu, "IRQ", new AddressSpace.Region(high - StackRanges.IRQ_STACK_SIZE, high)));
                    }
                } catch (RuntimeException e) {
                    // no IRQ stack known for this CPU
                }
            }
            if (cea.isPresent()) {
                try {
                    long stacks = mem.u64(base + cea.getAsLong());
                    for (int i = 0; stacks != 0 && i < IST.length; i++) {
                        if (off[i] < 0 || size[i] <= 0 || !mem.isReadable(stacks + off[i])) break; // as crash: the first absent one ends the list
                        long lo = stacks + off[i];
                        ist.add(new CpuStack(cpu, IST_CRASH[i] + " EXCEPTION", new AddressSpace.Region(lo, lo + size[i])));
                    }
                } catch (RuntimeException e) {
                    // no exception stacks known for this CPU
                }
            }
        }
        List<CpuStack> all = new ArrayList<>(irq);
        all.addAll(ist);
        return all;
    }

    /** crash's x86_64_eframe_search over {@code [from, stack.end - sizeof(pt_regs)]}. */
    public List<ExceptionFrame> search(AddressSpace.Region stack, long from, List<CpuStack> cpuStacks) {
        String estack = null;
        for (CpuStack c : cpuStacks) if (c.region().equals(stack) && c.name().endsWith("EXCEPTION")) estack = c.name();
        boolean dfOrNmi = estack != null && (estack.startsWith("DOUBLEFAULT") || estack.startsWith("NMI"));
        List<ExceptionFrame> out = new ArrayList<>();
        long last = stack.end() - PtRegs.PT_REGS_SIZE;
        for (long a = Math.max(from, stack.start()) & -8L; Long.compareUnsigned(a, last) <= 0; a += 8) {
            Registers r = read(a);
            if (r != null && verify(a, r, estack != null, dfOrNmi)) out.add(new ExceptionFrame(a, r));
        }
        return out;
    }

    /**
     * crash's "old" x86_64 backtrace: frame #0 from {@code start}, then every word above it holding a
     * kernel text address that is not a function's first byte; after an exception entry stub, the
     * pt_regs above its slot, when they check out, are its exception frame and are skipped.
     */
    public List<StackFrame> scan(Registers start, AddressSpace.Region stack, boolean userTask, List<CpuStack> cpuStacks) {
        List<StackFrame> frames = new ArrayList<>();
        ScanCursor c = new ScanCursor(stack, cpuStacks);
        frames.add(new StackFrame(0, start.sp(), start.pc(), null, "registers", true, c.irq, null));
        boolean newEntries = !session.symbols().byName("asm_exc_divide_error").isEmpty();
        // frame #0 read from its stack slot (a saved or found return address) is not scanned again; a
        // pc from the CPU's registers is not on the stack, and the word at sp is the caller's return address
        long first = start.sp() + 8;
        try {
            if (mem.u64(start.sp()) != start.pc()) first = start.sp();
        } catch (RuntimeException e) {
            // unreadable: the loop stops at once
        }
        for (long a = first; frames.size() < Unwinder.MAX_FRAMES; a += 8) {
            if (Long.compareUnsigned(a, c.top) >= 0) {
                a = c.leaveAtTop(frames);
                if (a == ScanCursor.END) break;
                continue;
            }
            long v;
            try {
                v = mem.u64(a);
            } catch (RuntimeException e) {
                break;
            }
            Optional<Symbol> sym = textSymbol(v);
            if (sym.isEmpty() || v == sym.get().address()) continue;
            String name = sym.get().name();
            Registers ex = null;
            if ((newEntries ? EXCEPTION_ENTRIES : EXCEPTION_ENTRIES_OLD).contains(name)) {
                Registers r = read(a + 8);
                if (r != null && verify(a + 8, r, false, false)) ex = r;
            }
            frames.add(new StackFrame(frames.size(), a, v, ex, "stack-scan", false, c.irq, null));
            if (ex != null) a += PtRegs.PT_REGS_SIZE;
        }
        if (userTask) {
            long at = c.stack.end() - PtRegs.PT_REGS_SIZE;
            Registers r = read(at);
            StackFrame lastFrame = frames.get(frames.size() - 1);
            if (r != null && lastFrame.exceptionRegs() == null) {
                frames.set(frames.size() - 1, new StackFrame(lastFrame.level(), lastFrame.sp(), lastFrame.pc(), r,
                        lastFrame.method(), false));
            }
        }
        return frames;
    }

    /** crash's x86_64 bt -t/-T: every text word below the top pt_regs; a user process's stack ends with its user-mode frame. */
    public List<StackFrame> textWords(AddressSpace.Region stack, long from, boolean userTask, List<CpuStack> cpuStacks) {
        List<StackFrame> out = new ArrayList<>();
        ScanCursor c = new ScanCursor(stack, cpuStacks);
        for (long a = from & -8L; ; a += 8) {
            if (Long.compareUnsigned(a, c.top) >= 0) {
                a = c.leaveAtTop(out);
                if (a == ScanCursor.END) break;
                continue;
            }
            long v;
            try {
                v = mem.u64(a);
            } catch (RuntimeException e) {
                a |= 0xfff;
                continue;
            }
            if (isText(v)) out.add(new StackFrame(out.size(), a, v, null, "stack-scan", false, c.irq, null));
        }
        if (userTask && !out.isEmpty()) {
            Registers r = read(c.top);
            StackFrame last = out.get(out.size() - 1);
            if (r != null) out.set(out.size() - 1, new StackFrame(last.level(), last.sp(), last.pc(), r, last.method(), false));
        }
        return out;
    }

    /**
     * Where a scan reads: its stack, the address it stops at, and the IRQ stack's name while on one.
     * An IRQ stack has no pt_regs at its top (they are on the interrupted stack): it is read whole.
     */
    private final class ScanCursor {
        static final long END = Long.MIN_VALUE;
        AddressSpace.Region stack;
        long top;
        String irq;

        ScanCursor(AddressSpace.Region stack, List<CpuStack> cpuStacks) {
            this.stack = stack;
            this.irq = irqStackName(stack, cpuStacks);
            this.top = irq != null ? stack.end() : stack.end() - PtRegs.PT_REGS_SIZE;
        }

        /**
         * At the top of an IRQ stack: adds the exit's frame, moves on to the interrupted stack after its
         * exception frame and returns the address before the next word to read; {@link #END} elsewhere.
         */
        long leaveAtTop(List<StackFrame> out) {
            IrqExit exit = irq == null ? null : leaveIrqStack(stack);
            if (exit == null) return END;
            out.add(exit.frame(out.size()));
            stack = exit.stack();
            top = stack.end() - PtRegs.PT_REGS_SIZE;
            irq = null;
            return exit.eframe() + PtRegs.PT_REGS_SIZE - 8;
        }
    }

    /** crash's name of {@code stack} when it is a CPU's IRQ stack ("IRQ stack"), else null. */
    private static String irqStackName(AddressSpace.Region stack, List<CpuStack> cpuStacks) {
        for (CpuStack c : cpuStacks) if (c.name().equals("IRQ") && c.region().equals(stack)) return "IRQ stack";
        return null;
    }

    /**
     * Where a scan that reached the top of an IRQ stack goes on, as crash's does: the interrupt entry's
     * exception frame on the interrupted stack (crash's irq_eframe), found from the stack pointer the
     * IRQ stack's last word saved: the first pt_regs at or a few words above it that checks out as a
     * kernel-mode frame. Its frame is placed at the exception frame, named by the return address
     * into the entry code just below it (crash's line for it).
     */
    private record IrqExit(long eframe, long pc, Registers regs, AddressSpace.Region stack) {
        StackFrame frame(int level) {
            return new StackFrame(level, eframe, pc, regs, "stack-scan", false);
        }
    }

    private IrqExit leaveIrqStack(AddressSpace.Region irq) {
        long saved;
        try {
            saved = mem.u64(irq.end() - 8);
        } catch (RuntimeException e) {
            return null;
        }
        // the entry code may push a few words before switching stacks (6.1: 3): the first that checks out
        for (long at = saved; at <= saved + 32; at += 8) {
            if (irq.contains(at)) continue;
            Registers r = read(at);
            if (r == null || r.get("cs").orElse(-1) != KERNEL_CS || !verify(at, r, false, false)) continue;
            long pc;
            try {
                pc = mem.u64(at - 8);
            } catch (RuntimeException e) {
                continue;
            }
            if (!isText(pc)) continue;
            long low = at & -StackRanges.THREAD_SIZE; // the interrupted task's stack
            return new IrqExit(at, pc, r, new AddressSpace.Region(low, low + StackRanges.THREAD_SIZE));
        }
        return null;
    }

    private Registers read(long a) {
        try {
            byte[] b = mem.read(a, PtRegs.PT_REGS_SIZE);
            return PtRegs.decode(b, 0, PtRegs.PT_REGS_WORDS);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** crash's x86_64_eframe_verify: the checks an exception frame on this stack must pass. */
    private boolean verify(long at, Registers r, boolean onExceptionStack, boolean dfOrNmi) {
        long cs = r.get("cs").orElse(-1);
        long ss = r.get("ss").orElse(-1);
        long rip = r.pc();
        long rsp = r.sp();
        long rflags = r.get("rflags").orElse(-1);
        if ((rflags & RFLAGS_ZERO_BITS) != 0 || (rflags & 2) == 0) return false;
        boolean text = isText(rip);
        boolean kernelSp = Long.compareUnsigned(rsp, space.kernelBase()) >= 0;
        long size = PtRegs.PT_REGS_SIZE;
        if (cs == KERNEL_CS && ss == KERNEL_SS) {
            if (text && kernelSp) return true;
            if (space.modules().contains(rip) && kernelSp && rsp == at + size) return true;
            if (text && !kernelSp && onExceptionStack) return true;
            if (text && dfOrNmi) return true;
            if (pageFaultBelow(at)) return true;
            if (at + size == rsp) return true;
        }
        if (cs == KERNEL_CS) {
            if (text && kernelSp && (rsp == at + size + 8 || rsp == at + size)) return true;
            if (text && kernelSp && onExceptionStack) return true;
            if (kernelSp && space.vmalloc().contains(rip) && mapped(rip)) return true;
        }
        if ((cs == USER_CS || cs == USER32_CS) && ss == USER_SS) {
            return user(rip) && user(rsp);
        }
        return false;
    }

    private boolean pageFaultBelow(long at) {
        try {
            Optional<Symbol> s = session.symbols().containing(mem.u64(at - 8));
            return s.isPresent() && s.get().name().equals("page_fault");
        } catch (RuntimeException e) {
            return false;
        }
    }

    private boolean mapped(long v) {
        try {
            mem.u64(v & -8L);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private boolean user(long v) {
        return Long.compareUnsigned(v, userTop) < 0;
    }

    private boolean isText(long v) {
        return textSymbol(v).isPresent();
    }

    /** The text symbol containing {@code v}, when {@code v} lies in kernel or module text. */
    private Optional<Symbol> textSymbol(long v) {
        if (v >= 0) return Optional.empty();
        try {
            Optional<Symbol> s = session.symbols().containing(v);
            if (s.isEmpty() || !s.get().isText()) return Optional.empty();
            long size = s.get().size();
            // a return address after a noreturn call that ends its function lies just past it: still its text
            boolean inside = size <= 0 ? v - s.get().address() < 0x10000 : v - s.get().address() <= size;
            return inside ? s : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
