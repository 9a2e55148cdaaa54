package org.kdive.arch.x86.unwind;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.kdive.api.arch.Registers;
import org.kdive.api.arch.StackFrame;
import org.kdive.api.session.Memory;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Symbol;
import org.kdive.arch.x86.orc.OrcEntry;
import org.kdive.arch.x86.orc.OrcTables;
import org.kdive.arch.x86.regs.SwitchFrame;
import org.kdive.arch.x86.regs.PtRegs;

/**
 * x86_64 kernel stack unwinding with ORC, crossing exception frames (pt_regs) and stack switches,
 * with frame-pointer and stack-scan fallbacks where no ORC data describes the code. Frames are
 * numbered and placed as crash's bt shows them (see {@link StackFrame}).
 */
public final class Unwinder {
    public static final int MAX_FRAMES = 256;
    /** Words a stack scan may look at before giving up. */
    private static final int MAX_SCAN_WORDS = 2048;
    /** Functions where a CPU stopped by the capture kernel waits, innermost first. */
    private static final List<String> KDUMP_STOPS = List.of("machine_kexec", "crash_nmi_callback");
    private static final int MAX_KDUMP_CANDIDATES = 8;

    private final Session session;
    private final Memory mem;
    private final OrcTables orc;
    private final StackRanges stacks;
    private final KernelLayout layout;

    public Unwinder(Session session, OrcTables orc, int cpus) {
        this.session = session;
        this.mem = session.memory();
        this.orc = orc;
        this.layout = new KernelLayout(session);
        this.stacks = session.cached("arch-x86_64.stacks", () -> StackRanges.of(session, cpus));
    }

    /** Frame #0 is [rsp] rip of {@code start}. */
    public List<StackFrame> fromRegisters(Registers start) {
        Walk w = new Walk();
        w.ip = start.pc();
        w.sp = start.sp();
        w.bp = start.get("rbp").orElse(0);
        w.regs = start;
        w.signal = true;
        w.emit(w.sp, w.ip, "registers", true);
        w.run();
        return w.frames;
    }

    /** Frame #0 is the return address stored at {@code slot}. */
    public List<StackFrame> fromReturnAddress(long slot, long bp, String method) {
        Walk w = new Walk();
        long ret;
        try {
            ret = mem.u64(slot);
        } catch (RuntimeException e) {
            List<StackFrame> l = new ArrayList<>();
            l.add(new StackFrame(0, slot, 0, null, method, false, stackName(slot),
                    String.format("stack unreadable at %x: %s", slot, e.getMessage())));
            return l;
        }
        w.ip = ret;
        w.sp = slot + 8;
        w.bp = bp;
        w.signal = false;
        w.emit(slot, ret, method, true);
        w.run();
        return w.frames;
    }

    /**
     * A CPU the capture kernel stopped: finds where it stopped (a return address into machine_kexec
     * or crash_nmi_callback on one of its stacks) and unwinds from there, accepting the result only
     * when it reaches the exception frame holding {@code saved} (the CPU's PRSTATUS registers).
     */
    public List<StackFrame> fromStoppedCpu(int cpu, Registers saved) {
        List<long[]> targets = new ArrayList<>();
        for (String f : KDUMP_STOPS) {
            try {
                for (Symbol s : session.symbols().byName(f)) {
                    if (s.isText()) targets.add(new long[] {s.address(), s.address() + Math.max(s.size(), 1)});
                }
            } catch (RuntimeException e) {
                // no symbols: nothing to look for
            }
        }
        if (!targets.isEmpty()) {
            List<StackRanges.Range> areas = new ArrayList<>();
            StackRanges.Range task = stacks.bounds(saved.sp());
            areas.add(new StackRanges.Range(task.low(), saved.sp(), task.name(), cpu));
            for (StackRanges.Range r : stacks.forCpu(cpu)) if (!r.contains(saved.sp())) areas.add(r);
            int tries = 0;
            for (StackRanges.Range area : areas) {
                for (long a = area.low(); Long.compareUnsigned(a, area.high()) < 0 && tries < MAX_KDUMP_CANDIDATES; a += 8) {
                    long v;
                    try {
                        v = mem.u64(a);
                    } catch (RuntimeException e) {
                        a = (a | 0xfff); // skip the unreadable page
                        continue;
                    }
                    if (!inAny(targets, v)) continue;
                    tries++;
                    List<StackFrame> frames = fromReturnAddress(a, 0, "kdump-path");
                    if (reaches(frames, saved)) return frames;
                }
            }
        }
        return fromRegisters(saved);
    }

    /**
     * A task that is not running: from the registers its inactive_task_frame holds
     * ({@link SwitchFrame}). crash 8.0.6 places the first frame, as every other, at the stack slot
     * holding its return address (the frame's ret_addr into the scheduler, thread.sp + 0x30 on 6.x);
     * crash 8.0.2 placed it at thread.sp itself.
     */
    public List<StackFrame> fromSwitchedOut(long task) {
        Optional<Long> slot;
        Optional<Registers> regs;
        try {
            slot = SwitchFrame.returnSlot(session, task);
            regs = SwitchFrame.registers(session, task);
        } catch (RuntimeException e) {
            return List.of(new StackFrame(0, 0, 0, null, "saved-context", false, null,
                    String.format("saved context of task %x unreadable: %s", task, e.getMessage())));
        }
        if (slot.isEmpty() || regs.isEmpty()) return List.of();
        List<StackFrame> frames = new ArrayList<>(fromRegisters(regs.get()));
        StackFrame first = frames.get(0);
        frames.set(0, new StackFrame(0, slot.get(), first.pc(), first.exceptionRegs(), "saved-context", first.reliable(),
                first.stack(), first.note()));
        return frames;
    }

    private static boolean inAny(List<long[]> ranges, long v) {
        for (long[] r : ranges) {
            if (Long.compareUnsigned(v, r[0]) > 0 && Long.compareUnsigned(v, r[1]) < 0) return true;
        }
        return false;
    }

    private static boolean reaches(List<StackFrame> frames, Registers saved) {
        for (StackFrame f : frames) {
            Registers x = f.exceptionRegs();
            if (x != null && x.pc() == saved.pc() && x.sp() == saved.sp()) return true;
        }
        return false;
    }

    String stackName(long sp) {
        StackRanges.Range r = stacks.find(sp);
        return r == null ? null : r.name();
    }

    /** One unwind in progress. */
    private final class Walk {
        final List<StackFrame> frames = new ArrayList<>();
        final Set<Long> visitedStacks = new HashSet<>();
        long ip;
        long sp;
        long bp;
        /** Registers known at this point (only right after an exception frame or at the start). */
        Registers regs;
        /** ip is where the CPU was interrupted, not a return address. */
        boolean signal;
        /** The last frame was reached by leaving a stack (its return address is on another stack). */
        boolean leftStack;

        void emit(long frameSp, long pc, String method, boolean reliable) {
            frames.add(new StackFrame(frames.size(), frameSp, pc, null, method, reliable, stackName(frameSp), null));
            visitedStacks.add(stacks.bounds(frameSp).low());
            leftStack = false;
        }

        void stop(String why) {
            int last = frames.size() - 1;
            frames.set(last, frames.get(last).withNote(why));
        }

        void attach(Registers ex) {
            int last = frames.size() - 1;
            StackFrame f = frames.get(last);
            frames.set(last, new StackFrame(f.level(), f.sp(), f.pc(), ex, f.method(), f.reliable(), f.stack(), f.note()));
        }

        void run() {
            while (true) {
                if (frames.size() >= MAX_FRAMES) {
                    stop("more than " + MAX_FRAMES + " frames: stopped");
                    return;
                }
                OrcEntry e = orc.find(signal ? ip : ip - 1);
                if (e == null || e.isUndefined()) {
                    if (!fallback(e == null ? "no ORC data" : "no ORC entry")) return;
                    continue;
                }
                if (e.spReg() == OrcEntry.REG_UNDEFINED) return; // end of stack (e.g. ret_from_fork)
                Long cfa = cfa(e);
                if (cfa == null) return;
                if (e.type() == OrcEntry.TYPE_CALL) {
                    if (!call(e, cfa)) return;
                } else if (e.type() == OrcEntry.TYPE_REGS || e.type() == OrcEntry.TYPE_REGS_PARTIAL) {
                    if (!exception(e, cfa)) return;
                } else {
                    stop(String.format("unknown ORC type %d at %x", e.type(), ip));
                    return;
                }
            }
        }

        /** The previous frame's stack pointer (DWARF CFA) as the entry describes it. */
        Long cfa(OrcEntry e) {
            long base;
            try {
                switch (e.spReg()) {
                    case OrcEntry.REG_SP -> base = sp + e.spOffset();
                    case OrcEntry.REG_BP -> base = bp + e.spOffset();
                    case OrcEntry.REG_SP_INDIRECT -> base = mem.u64(sp) + e.spOffset();
                    case OrcEntry.REG_BP_INDIRECT -> base = mem.u64(bp + e.spOffset());
                    case OrcEntry.REG_DX, OrcEntry.REG_DI, OrcEntry.REG_R10, OrcEntry.REG_R13 -> {
                        String r = switch (e.spReg()) {
                            case OrcEntry.REG_DX -> "rdx";
                            case OrcEntry.REG_DI -> "rdi";
                            case OrcEntry.REG_R10 -> "r10";
                            default -> "r13";
                        };
                        if (regs == null || regs.get(r).isEmpty()) {
                            stop(String.format("stack pointer of the caller of %x is in %s, which is unknown here", ip, r));
                            return null;
                        }
                        base = regs.get(r).getAsLong() + e.spOffset();
                    }
                    default -> {
                        stop(String.format("unknown ORC stack base %d at %x", e.spReg(), ip));
                        return null;
                    }
                }
            } catch (RuntimeException ex) {
                stop(String.format("stack unreadable while unwinding %x: %s", ip, ex.getMessage()));
                return null;
            }
            return base;
        }

        boolean call(OrcEntry e, long cfa) {
            long slot = cfa - 8;
            if (!advances(slot)) return false;
            long ret;
            long newBp;
            try {
                ret = mem.u64(slot);
                newBp = nextBp(e, cfa);
            } catch (RuntimeException ex) {
                stop(String.format("stack unreadable at %x: %s", slot, ex.getMessage()));
                return false;
            }
            if (ret == 0) {
                stop(String.format("return address 0 at %x", slot));
                return false;
            }
            boolean left = stacks.bounds(sp).low() != stacks.bounds(slot).low();
            ip = ret;
            sp = cfa;
            bp = newBp;
            regs = null;
            signal = false;
            emit(slot, ret, "orc", true);
            leftStack = left;
            return true;
        }

        boolean exception(OrcEntry e, long cfa) {
            boolean partial = e.type() == OrcEntry.TYPE_REGS_PARTIAL;
            long base = partial ? cfa - PtRegs.IRET_FRAME_OFFSET : cfa;
            Registers ex;
            try {
                if (partial) {
                    long[] w = new long[PtRegs.PT_REGS_WORDS];
                    java.util.Map<String, Long> m = new java.util.LinkedHashMap<>();
                    for (String r : List.of("rip", "cs", "rflags", "rsp", "ss")) {
                        m.put(r, mem.u64(base + PtRegs.offsetOf(r)));
                    }
                    ex = PtRegs.ordered(m);
                } else {
                    byte[] raw = mem.read(base, PtRegs.PT_REGS_SIZE);
                    ex = PtRegs.decode(raw, 0, PtRegs.PT_REGS_WORDS);
                }
            } catch (RuntimeException x) {
                stop(String.format("exception frame at %x unreadable: %s", base, x.getMessage()));
                return false;
            }
            attach(ex);
            if (!partial && leftStack && frames.get(frames.size() - 1).sp() + 8 == base) {
                // back from the IRQ stack into the interrupt's entry code: crash places this frame at
                // the exception frame itself (its irq_eframe), not at the return-address slot below it
                int last = frames.size() - 1;
                StackFrame f = frames.get(last);
                frames.set(last, new StackFrame(f.level(), base, f.pc(), f.exceptionRegs(), f.method(), f.reliable(), f.stack(), f.note()));
            }
            leftStack = false;
            long cs = ex.get("cs").orElse(0);
            if ((cs & 3) != 0) return false; // entered from user space: the kernel stack ends here
            long newSp = ex.sp();
            long newIp = ex.pc();
            long newBp = bp;
            if (!partial) {
                newBp = ex.get("rbp").orElse(bp);
            } else {
                try {
                    newBp = nextBp(e, cfa);
                } catch (RuntimeException x) {
                    newBp = bp;
                }
            }
            boolean switched = stacks.bounds(base).low() != stacks.bounds(newSp).low();
            if (switched && visitedStacks.contains(stacks.bounds(newSp).low())) {
                stop(String.format("exception frame at %x leads back to a stack already unwound (%x)", base, newSp));
                return false;
            }
            if (!switched && Long.compareUnsigned(newSp, sp) <= 0) {
                stop(String.format("exception frame at %x has stack pointer %x below the frame", base, newSp));
                return false;
            }
            ip = newIp;
            sp = newSp;
            bp = newBp;
            regs = partial ? null : ex;
            signal = true;
            if (switched) emit(newSp, newIp, "orc", true);
            return true;
        }

        long nextBp(OrcEntry e, long cfa) {
            return switch (e.bpReg()) {
                case OrcEntry.REG_PREV_SP -> mem.u64(cfa + e.bpOffset());
                case OrcEntry.REG_BP -> mem.u64(bp + e.bpOffset());
                default -> bp;
            };
        }

        /** The next return-address slot must lie above sp on this stack, or on a stack not seen yet. */
        boolean advances(long slot) {
            long from = stacks.bounds(sp).low();
            long to = stacks.bounds(slot).low();
            if (from == to) {
                if (Long.compareUnsigned(slot, sp) >= 0) return true;
                stop(String.format("next frame at %x is below the stack pointer %x: stopped", slot, sp));
                return false;
            }
            if (visitedStacks.contains(to)) {
                stop(String.format("next frame at %x is on a stack already unwound: stopped", slot));
                return false;
            }
            return true;
        }

        /** No ORC for ip: follow the frame pointer if it looks right, else scan the stack. */
        boolean fallback(String why) {
            StackRanges.Range bounds = stacks.bounds(sp);
            if (bp != 0 && bounds.contains(bp) && Long.compareUnsigned(bp, sp) >= 0 && bounds.contains(bp + 8)) {
                try {
                    long ret = mem.u64(bp + 8);
                    long prevBp = mem.u64(bp);
                    if (orc.isCode(ret) || isText(ret)) {
                        long slot = bp + 8;
                        sp = bp + 16;
                        bp = prevBp;
                        ip = ret;
                        regs = null;
                        signal = false;
                        emit(slot, ret, "frame-pointer", false);
                        return true;
                    }
                } catch (RuntimeException x) {
                    // fall through to scanning
                }
            }
            long a = sp & ~7L;
            for (int i = 0; i < MAX_SCAN_WORDS && bounds.contains(a); i++, a += 8) {
                long v;
                try {
                    v = mem.u64(a);
                } catch (RuntimeException x) {
                    stop(String.format("%s for %x; stack unreadable at %x", why, ip, a));
                    return false;
                }
                if ((orc.isCode(v) || isText(v)) && followsCall(v)) {
                    sp = a + 8;
                    ip = v;
                    regs = null;
                    signal = false;
                    emit(a, v, "stack-scan", false);
                    return true;
                }
            }
            stop(String.format("%s for %x and no return address found on the stack", why, ip));
            return false;
        }
    }

    /**
     * Whether the instruction before {@code ret} is a call (e8 rel32, or ff /2 with any
     * operand form), as it must be for a return address: keeps stack scans off saved
     * registers and function pointers.
     */
    boolean followsCall(long ret) {
        byte[] b;
        try {
            b = mem.read(ret - 7, 7);
        } catch (RuntimeException e) {
            return false;
        }
        if ((b[2] & 0xff) == 0xe8) return true; // ret-5
        for (int len : new int[] {2, 3, 4, 6, 7}) {
            int op = 7 - len;
            if ((b[op] & 0xff) == 0xff && ((b[op + 1] >> 3) & 7) == 2) return true;
        }
        return false;
    }

    private boolean isText(long v) {
        if (v >= 0) return false; // user or non-canonical low half
        try {
            Optional<Symbol> s = session.symbols().containing(v);
            if (s.isEmpty() || !s.get().isText()) return false;
            long size = s.get().size();
            return size <= 0 ? v - s.get().address() < 0x10000 : v - s.get().address() < size;
        } catch (RuntimeException e) {
            return false;
        }
    }

    OptionalLong symbol(String name) {
        return layout.symbol(name);
    }
}
