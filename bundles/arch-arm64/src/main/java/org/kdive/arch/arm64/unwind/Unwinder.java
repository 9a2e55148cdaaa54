package org.kdive.arch.arm64.unwind;

import java.util.ArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.kdive.api.arch.Registers;
import org.kdive.api.arch.StackFrame;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.Type;
import org.kdive.arch.arm64.layout.Arm64Layout;
import org.kdive.arch.arm64.regs.Arm64Regs;

/**
 * Frame-record unwinding (arm64 kernels are built with frame pointers): x29 points at a record
 * {previous x29, return address}; return addresses carry a pointer-authentication code, stripped
 * with KERNELPACMASK. An exception entry (el1h_64_sync, el1h_64_irq, el0t_64_sync …) saves struct
 * pt_regs and links a record inside it (pt_regs.stackframe = {x29, elr}) into the chain: the frame
 * of the entry code carries those registers, and the interrupted context (its exact pc) follows.
 * User-mode entries end the chain with the user registers.
 *
 * <p>Frames are numbered and placed as crash's arm64 bt shows them: "#N [fp] function at pc", fp
 * being the record of the function pc lies in, and pc what crash prints: crash subtracts 4 from every
 * frame's pc (arm64.c, arm64_print_stackframe_entry), so for a return address pc is the branch
 * before it (a call that never returns names its caller, not the next function), and for the
 * context an exception interrupted, or a CPU's registers, the instruction before the one it was
 * at (that exact pc is the exception frame's, or the registers', own).
 */
public final class Unwinder {
    private static final int MAX_FRAMES = 512;
    private final Session session;
    private final Arm64Layout layout;
    private final Stacks stacks;
    private final long ptRegsSize;
    private final long stackframeOffset;

    public Unwinder(Session session, Arm64Layout layout, Stacks stacks) {
        this.session = session;
        this.layout = layout;
        this.stacks = stacks;
        long size = Stacks.size(session, "struct pt_regs");
        long off = offset(session, "struct pt_regs", "stackframe");
        this.ptRegsSize = size > 0 ? size : Arm64Regs.PT_REGS_SIZE;
        this.stackframeOffset = off > 0 ? off : Arm64Regs.STACKFRAME_OFFSET;
    }

    static long offset(Session s, String type, String member) {
        try {
            Optional<Type> t = s.symbols().type(type).map(Type::resolve);
            if (t.isEmpty()) return -1;
            return t.get().member(member).map(Member::offset).orElse(-1L);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** From registers the CPU was at: frame #0 is at the instruction before its pc, as crash prints it. */
    public List<StackFrame> fromRegisters(Registers start, String method) {
        List<StackFrame> out = new ArrayList<>();
        long fp = start.get(Arm64Regs.FP).orElse(0);
        out.add(frame(0, fp, start.pc() - 4, null, method, true));
        follow(out, fp);
        return out;
    }

    /** A task switched out: cpu_context's pc is the return address into __switch_to. */
    public List<StackFrame> fromSwitchedOut(Registers saved) {
        List<StackFrame> out = new ArrayList<>();
        long fp = saved.get(Arm64Regs.FP).orElse(0);
        out.add(frame(0, fp, saved.pc() - 4, null, "saved-context", true));
        follow(out, fp);
        return out;
    }

    /** Follows the frame records from {@code fp}, appending frames to {@code out}. */
    private void follow(List<StackFrame> out, long fp) {
        long prev = 0;
        Stacks.Stack prevStack = null;
        while (out.size() < MAX_FRAMES) {
            if (fp == 0) return; // the last record of a kernel thread or a user task's entry
            if ((fp & 7) != 0) {
                note(out, String.format("frame pointer %x is not aligned", fp));
                return;
            }
            Stacks.Stack st = stacks.around(fp);
            if (prevStack != null && st.equals(prevStack) && Long.compareUnsigned(fp, prev) <= 0) {
                note(out, String.format("frame pointer %x does not move up the stack (loop)", fp));
                return;
            }
            long nextFp;
            long ret;
            try {
                nextFp = session.memory().u64(fp);
                ret = layout.stripPac(session.memory().u64(fp + 8));
            } catch (RuntimeException e) {
                note(out, String.format("frame record at %x not readable: %s", fp, e.getMessage()));
                return;
            }
            if (ret == 0) return; // the final record (pt_regs of a task's first entry)
            Symbol sym = containing(ret - 4);
            String name = sym == null ? null : sym.name();
            if (isEntry(name)) {
                // the entry code's record lies in the pt_regs it saved
                long regsAt = nextFp - stackframeOffset;
                Registers regs;
                try {
                    regs = Arm64Regs.decode(session.memory().read(regsAt, (int) ptRegsSize), 0, true);
                } catch (RuntimeException e) {
                    out.add(frame(out.size(), nextFp, ret - 4, null, "frame-pointer", true));
                    note(out, String.format("exception frame at %x not readable: %s", regsAt, e.getMessage()));
                    return;
                }
                out.add(frame(out.size(), nextFp, ret - 4, regs, "frame-pointer", true));
                if (!Arm64Regs.kernelMode(regs)) return; // user registers end the kernel stack
                long ifp = regs.get(Arm64Regs.FP).orElse(0);
                out.add(frame(out.size(), ifp, regs.pc() - 4, null, "exception", true));
                prev = nextFp;
                prevStack = stacks.around(nextFp);
                fp = ifp;
                continue;
            }
            out.add(frame(out.size(), nextFp, ret - 4, null, "frame-pointer", true));
            prev = fp;
            prevStack = st;
            fp = nextFp;
        }
        note(out, "more than " + MAX_FRAMES + " frames");
    }

    /**
     * Exception vectors' entry code (arch/arm64/kernel/entry.S): el1h_64_sync, el0t_64_irq … (not the
     * C handlers), and __bad_stack, the entry of an exception taken with the task stack overflowed,
     * which saves its pt_regs on the CPU's overflow stack.
     */
    static boolean isEntry(String name) {
        if (name == null || name.endsWith("_handler")) return false;
        if (name.equals("__bad_stack")) return true;
        return name.startsWith("el1h_64_") || name.startsWith("el1t_64_") || name.startsWith("el0t_64_")
                || name.startsWith("el0t_32_");
    }

    private StackFrame frame(int level, long fp, long pc, Registers ex, String method, boolean reliable) {
        String stack = stacks.special(fp).map(Stacks.Stack::name).orElse(null);
        return new StackFrame(level, fp, pc, ex, method, reliable, stack, null);
    }

    private static void note(List<StackFrame> out, String why) {
        if (out.isEmpty()) return;
        out.set(out.size() - 1, out.get(out.size() - 1).withNote(why));
    }

    private final Map<Long, Optional<Symbol>> symbolCache = new ConcurrentHashMap<>();

    private Symbol containing(long addr) {
        return symbolCache.computeIfAbsent(addr, a -> {
            try {
                return session.symbols().containing(a);
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }).orElse(null);
    }

    private Symbol symbol(String name) {
        try {
            return session.symbols().first(name).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** A return address inside {@code s} (after its first instruction, as crash tests it). */
    private static boolean inside(Symbol s, long addr) {
        if (s == null || s.size() <= 0) return false;
        return Long.compareUnsigned(addr, s.address()) > 0 && Long.compareUnsigned(addr, s.address() + s.size()) < 0;
    }

    private static long le(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = (v << 8) | (b[off + i] & 0xff);
        return v;
    }
}
