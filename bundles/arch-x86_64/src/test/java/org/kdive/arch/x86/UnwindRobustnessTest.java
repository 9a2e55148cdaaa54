package org.kdive.arch.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kdive.api.arch.KernelArch;
import org.kdive.api.arch.Registers;
import org.kdive.api.arch.StackFrame;
import org.kdive.api.session.Session;
import org.kdive.arch.x86.unwind.Unwinder;

/** Bad starting points end the backtrace with a note: no exception, no endless loop. */
class UnwindRobustnessTest {
    private final Session session = CorpusSession.get();
    private final KernelArch arch = session.arch();

    private static Registers regs(long rip, long rsp, long rbp) {
        return new Registers(Map.of("rip", rip, "rsp", rsp, "rbp", rbp), "rip", "rsp");
    }

    private static void assertEndsWithNote(List<StackFrame> frames) {
        assertFalse(frames.isEmpty());
        assertTrue(frames.size() <= Unwinder.MAX_FRAMES);
        assertNotNull(frames.get(frames.size() - 1).note(), frames.toString());
    }

    @Test
    void garbageRegisters() {
        List<StackFrame> f = arch.unwind(session, regs(0x1234, 0xdead, 0));
        assertEndsWithNote(f);
        assertEquals(0x1234, f.get(0).pc());
        assertEndsWithNote(arch.unwind(session, regs(0, 0, 0)));
        assertEndsWithNote(arch.unwind(session, regs(-1, -1, -1)));
    }

    @Test
    void unmappedStack() {
        // kernel text, stack pointer in the guard page below the panic task's stack
        List<StackFrame> f = arch.unwind(session, regs(0xffffffffbca6c53fL, 0xff61e92840367000L, 0));
        assertEndsWithNote(f);
        assertTrue(f.get(f.size() - 1).note().contains("unreadable"), f.get(f.size() - 1).note());
    }

    @Test
    void noUnwindDataFallsBackToScanning() {
        // pc in data (no ORC), stack pointer at the panic task's exception frame: the scan finds
        // the return address into process_one_work, then ORC takes over to ret_from_fork
        List<StackFrame> f = arch.unwind(session, regs(0xffffffffbe41aa40L, 0xff61e9284036be90L, 0));
        assertEquals(0xffffffffbcab7bd7L, f.get(1).pc());
        assertEquals("stack-scan", f.get(1).method());
        assertFalse(f.get(1).reliable());
        assertEquals(0xffffffffbca032f2L, f.get(f.size() - 1).pc());
    }

    @Test
    void stackPointerGoingBackwardsStops() {
        // a frame pointer below the stack pointer and an address in the middle of nowhere
        List<StackFrame> f = arch.unwind(session, regs(0xffffffffbe41aa40L, 0xff61e9284036bff8L, 0xff61e9284036b000L));
        assertEndsWithNote(f);
        for (int i = 1; i < f.size(); i++) {
            assertTrue(Long.compareUnsigned(f.get(i).sp(), f.get(i - 1).sp()) >= 0
                    || !java.util.Objects.equals(f.get(i).stack(), f.get(i - 1).stack()), "sp never goes back on one stack");
        }
    }

    @Test
    void unknownTaskAndCpu() {
        assertTrue(arch.unwindCpu(session, 7).isEmpty());
        List<StackFrame> f = arch.unwindBlocked(session, 0xff00000000001000L);
        assertEndsWithNote(f);
    }
}
