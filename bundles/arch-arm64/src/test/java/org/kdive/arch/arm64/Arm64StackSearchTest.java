package org.kdive.arch.arm64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kdive.api.arch.AddressSpace;
import org.kdive.api.arch.CpuStack;
import org.kdive.api.arch.ExceptionFrame;
import org.kdive.api.arch.Registers;
import org.kdive.api.arch.StackFrame;
import org.kdive.api.session.Session;
import org.kdive.arch.arm64.unwind.Stacks;
import org.kdive.test.MadeDump;

/**
 * What bt -e, -E, -t and -T ask of arm64 (issue 18), on the made arm64 dumps. There is no crash
 * reference for arm64 (the chroot's crash is built for x86_64 only), so each search is checked
 * against an independent view of the same boot: the exception frame the frame-record unwinder
 * crossed (itself tested against the console's oops and drgn) must be among the frames the search
 * finds, with the same registers; the text words must include every return address the unwinder
 * found on that stack.
 */
class Arm64StackSearchTest {
    /** The IRQ dump: the PL011's interrupt came from the idle loop (kernel text; module text would need mod's symbols). */
    @Test
    void searchFindsTheExceptionFrameTheUnwinderCrossed() {
        MadeDump d = MadeDumps.irq();
        Session s = Arm64Sessions.open(d, d.dump());
        int cpu = Integer.parseInt(d.facts().get("cpu"));
        List<StackFrame> frames = s.arch().unwindCpu(s, cpu);
        Registers crossed = null;
        for (StackFrame f : frames) if (f.exceptionRegs() != null && s.arch().kernelMode(f.exceptionRegs())) crossed = f.exceptionRegs();
        assertTrue(crossed != null, frames.toString());
        Stacks.Stack task = Stacks.taskStack(crossed.sp());
        AddressSpace.Region stack = new AddressSpace.Region(task.low(), task.high());
        List<ExceptionFrame> found = s.arch().searchExceptionFrames(s, stack, stack.start(), false);
        Registers want = crossed;
        assertTrue(found.stream().anyMatch(e -> e.regs().pc() == want.pc() && e.regs().sp() == want.sp()
                && e.regs().get("x29").equals(want.get("x29"))), found.toString());
        for (ExceptionFrame e : found) assertTrue(s.arch().kernelMode(e.regs()), e.toString());
        List<String> lines = s.arch().formatFoundException(found.get(0), true, pc -> null);
        assertEquals("", lines.get(0));
        assertTrue(lines.get(1).startsWith("KERNEL-MODE EXCEPTION FRAME AT: "), lines.toString());
        // a user process (the BREAK may also come in on a kernel thread, whose trace ends in ret_from_fork):
        // its stack also ends with the user-mode frame, at stacktop - sizeof(pt_regs)
        String trace = d.facts().get("trace");
        if (!trace.substring(trace.lastIndexOf(',') + 1).startsWith("ret_from_fork+")) {
            List<ExceptionFrame> user = s.arch().searchExceptionFrames(s, stack, stack.start(), true);
            ExceptionFrame last = user.get(user.size() - 1);
            assertFalse(s.arch().kernelMode(last.regs()));
            assertEquals(stack.end() - 0x150, last.address());
        }
    }

    @Test
    void irqStacksPerCpuAndTextWordsHoldTheReturnAddresses() {
        MadeDump d = MadeDumps.irq();
        Session s = Arm64Sessions.open(d, d.dump());
        List<CpuStack> stacks = s.arch().cpuStacks(s);
        assertEquals(d.cpus(), stacks.size(), stacks.toString());
        for (int c = 0; c < stacks.size(); c++) {
            assertEquals(c, stacks.get(c).cpu());
            assertEquals("IRQ", stacks.get(c).name());
        }
        int cpu = Integer.parseInt(d.facts().get("cpu"));
        List<StackFrame> frames = s.arch().unwindCpu(s, cpu);
        CpuStack irq = stacks.get(cpu);
        // the panic ran in the PL011's interrupt: its frame records lie on this CPU's IRQ stack
        List<StackFrame> onIrq = frames.stream().filter(f -> irq.region().contains(f.sp())).toList();
        assertTrue(onIrq.size() > 3, frames.toString());
        List<StackFrame> words = s.arch().textWords(s, irq.region(), irq.region().start(), false);
        for (int i = 1; i < onIrq.size(); i++) {
            // the callee's frame record holds the return address into the caller (PAC stripped) one
            // slot above its fp; crash's pc is that address - 4
            StackFrame callee = onIrq.get(i - 1);
            StackFrame f = onIrq.get(i);
            assertTrue(words.stream().anyMatch(w -> w.sp() == callee.sp() + 8 && w.pc() - 4 == f.pc()), f + " in " + words);
        }
    }

    /** The irq dump (dumps/arm64/dumps.list). */
    private static final class MadeDumps {
        static MadeDump irq() {
            return org.kdive.test.MadeDumps.require(Arm64Sessions.KERNEL, "arm64-irq-sysrq");
        }
    }
}
