package org.kdive.arch.x86.regs;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.kdive.api.arch.Registers;
import org.kdive.api.session.Session;
import org.kdive.arch.x86.unwind.KernelLayout;

/**
 * What a switched-out task saved: __switch_to_asm pushes the callee-saved registers and the return
 * address into __schedule (struct inactive_task_frame) and leaves the stack pointer in
 * task->thread.sp.
 */
public final class SwitchFrame {
    /** r15 r14 r13 r12 bx bp ret_addr: the 6.x layout when the debuginfo does not say. */
    private static final String[][] SAVED = {{"r15", "r15"}, {"r14", "r14"}, {"r13", "r13"}, {"r12", "r12"}, {"bx", "rbx"}, {"bp", "rbp"}};

    private SwitchFrame() {
    }

    /** task->thread.sp, or empty when struct task_struct has no thread.sp. */
    public static Optional<Long> threadSp(Session s, long task) {
        long off = new KernelLayout(s).offset("struct task_struct", "thread.sp");
        if (off < 0) return Optional.empty();
        return Optional.of(s.memory().u64(task + off));
    }

    /** Where the switch frame keeps the return address into the scheduler: thread.sp + offsetof(ret_addr). */
    public static Optional<Long> returnSlot(Session s, long task) {
        Optional<Long> threadSp = threadSp(s, task);
        if (threadSp.isEmpty()) return Optional.empty();
        KernelLayout k = new KernelLayout(s);
        long size = k.size("struct inactive_task_frame");
        long frameSize = size > 0 ? size : 7 * 8;
        long retOff = k.offset("struct inactive_task_frame", "ret_addr");
        return Optional.of(threadSp.get() + (retOff >= 0 ? retOff : frameSize - 8));
    }

    /** The registers the frame at thread.sp holds, rip being the return address and rsp just above the frame. */
    public static Optional<Registers> registers(Session s, long task) {
        Optional<Long> threadSp = threadSp(s, task);
        if (threadSp.isEmpty()) return Optional.empty();
        long sp = threadSp.get();
        KernelLayout k = new KernelLayout(s);
        long size = k.size("struct inactive_task_frame");
        long frameSize = size > 0 ? size : 7 * 8;
        long retOff = k.offset("struct inactive_task_frame", "ret_addr");
        Map<String, Long> regs = new LinkedHashMap<>();
        regs.put(PtRegs.PC, s.memory().u64(sp + (retOff >= 0 ? retOff : frameSize - 8)));
        regs.put(PtRegs.SP, sp + frameSize);
        for (int i = 0; i < SAVED.length; i++) {
            long off = k.offset("struct inactive_task_frame", SAVED[i][0]);
            regs.put(SAVED[i][1], s.memory().u64(sp + (off >= 0 ? off : 8L * i)));
        }
        return Optional.of(new Registers(regs, PtRegs.PC, PtRegs.SP));
    }
}
