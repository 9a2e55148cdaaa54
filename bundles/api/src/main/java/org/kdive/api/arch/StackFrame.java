package org.kdive.api.arch;

/**
 * One frame of a backtrace, innermost first, numbered as crash's {@code bt} numbers them.
 *
 * <p>For frames found through a return address, {@code sp} is the stack slot that held it
 * (crash's "#N [sp]"), and {@code pc} that return address ("at ADDR"). A frame started from
 * registers (a CPU's saved registers, or the context interrupted by an exception that was taken on
 * another stack) has {@code sp} = the register stack pointer and {@code pc} = the instruction pointer.
 *
 * @param sp             stack pointer of the frame (crash's "#N [sp]")
 * @param pc             return address / instruction pointer in this frame
 * @param exceptionRegs  non-null when an exception/interrupt frame (pt_regs) was found here: the
 *                       registers of the interrupted context, printed after this frame (crash's
 *                       "[exception RIP: …]" block on x86_64). When that context ran on the same stack, its
 *                       own function is not listed as a separate frame (crash does the same): its pc
 *                       is {@code exceptionRegs.pc()}.
 * @param method         how the unwinder got here: "orc", "frame-pointer", "stack-scan", or for the
 *                       first frame "registers", "saved-context" (task switched out), "kdump-path"
 *                       (found on the stack of a CPU the capture kernel stopped)
 * @param reliable       false for guesses (frame pointers without ORC, stack scanning)
 * @param stack          name of the stack {@code sp} lies on when it is not the task's own stack, as
 *                       crash names it in "--- &lt;NAME&gt; ---" (e.g. "NMI exception stack", "IRQ stack");
 *                       null on the task stack. When it differs from the next frame's, crash prints
 *                       "--- &lt;stack&gt; ---" between the two.
 * @param note           non-null on the last frame when unwinding stopped early, saying why
 *                       (unreadable stack, no unwind data, loop …); null when the stack ended normally
 */
public record StackFrame(int level, long sp, long pc, Registers exceptionRegs, String method, boolean reliable,
        String stack, String note) {

    public StackFrame(int level, long sp, long pc, Registers exceptionRegs, String method, boolean reliable) {
        this(level, sp, pc, exceptionRegs, method, reliable, null, null);
    }

    /** This frame with {@code note} set. */
    public StackFrame withNote(String why) {
        return new StackFrame(level, sp, pc, exceptionRegs, method, reliable, stack, why);
    }
}
