package org.kdive.api.arch;

/**
 * One frame of a backtrace, innermost first.
 *
 * @param sp             stack pointer of the frame (crash's "#N [sp]")
 * @param pc             return address / instruction pointer in this frame
 * @param exceptionRegs  non-null when an exception/interrupt frame (pt_regs) was found here
 * @param method         how the unwinder got here: "orc", "frame-pointer", "stack-scan" …
 * @param reliable       false for guesses (stack scanning)
 */
public record StackFrame(int level, long sp, long pc, Registers exceptionRegs, String method, boolean reliable) {
}
