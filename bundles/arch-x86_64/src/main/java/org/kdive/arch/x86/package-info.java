/**
 * x86_64 support: {@link org.kdive.arch.x86.X86Architecture} (DS component) binds to a dump as
 * {@link org.kdive.arch.x86.X86KernelArch}; {@link org.kdive.arch.x86.dis.X86Disassembler} (DS
 * component) disassembles in gdb's AT&amp;T syntax on the embedded capstone binding. Packages:
 * {@code paging} (4/5-level walks, crash's vtop lines), {@code layout} (the address space),
 * {@code regs} (pt_regs, PRSTATUS, switch frames), {@code unwind} and {@code orc} (backtraces),
 * {@code code} (instruction semantics for autopsy), {@code dis} (the disassembler), {@code idt} (the
 * interrupt descriptor table, for irq -d and the names of the IST stacks), {@code symbols} (which
 * vmlinux symbols crash's kernel table keeps).
 *
 * <p>Backtraces for commands (bt, foreach, autopsy …):
 * <ul>
 * <li>task running on CPU n: {@code arch.unwindCpu(session, n)} (or {@code unwind(session,
 *     cpuRegisters().get(n))}, which is the same) — crash's frames, from machine_kexec /
 *     crash_nmi_callback down through the exception frame holding the PRSTATUS registers;</li>
 * <li>task switched out: {@code arch.unwindBlocked(session, taskAddress)} — frame #0 is
 *     [task->thread.sp] __schedule;</li>
 * <li>anything else: {@code unwind(session, registers)} — frame #0 is [rsp] rip.</li>
 * </ul>
 * Each {@link org.kdive.api.arch.StackFrame} is one "#N [sp] func at pc" line; print
 * {@code arch.formatRegisters(frame.exceptionRegs())} after "[exception RIP: name+off]" when
 * present, and "--- &lt;frame.stack()&gt; ---" when the next frame's stack differs. A non-null
 * {@code note()} on the last frame says why the unwind stopped early.
 */
package org.kdive.arch.x86;
