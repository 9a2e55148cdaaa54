package org.kdive.cmd.kernel.tasks;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.kdive.api.arch.Registers;
import org.kdive.api.arch.StackFrame;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.session.Session;
import org.kdive.cmd.kernel.access.Kernel;

/**
 * Where a task's stack starts and its unwound frames. Active tasks start from the registers the
 * capture kernel saved for their CPU (PRSTATUS); blocked tasks from the frame __switch_to_asm
 * pushed (task->thread.sp → struct inactive_task_frame).
 */
public final class Backtraces {
    private Backtraces() {
    }

    /** The frames, or a problem saying why there are none. */
    public record Trace(List<StackFrame> frames, String problem) {
    }

    public static Trace of(Session s, TaskInfo t) {
        Map<Long, Trace> cache = s.cached("cmd-kernel.backtraces", java.util.concurrent.ConcurrentHashMap::new);
        return cache.computeIfAbsent(t.task(), x -> compute(s, t));
    }

    private static Trace compute(Session s, TaskInfo t) {
        Registers start;
        try {
            Optional<Registers> r = startRegisters(s, t);
            if (r.isEmpty()) return new Trace(List.of(), "no saved registers for this task");
            start = r.get();
        } catch (RuntimeException e) {
            return new Trace(List.of(), "cannot find where the stack starts: " + e.getMessage());
        }
        if (!s.memory().isReadable(start.sp())) {
            return new Trace(List.of(), String.format("stack not in the dump (RSP %016x not readable: "
                    + "page excluded or not mapped)", start.sp()));
        }
        try {
            List<StackFrame> frames = s.arch().unwind(s, start);
            if (frames.isEmpty()) {
                return new Trace(List.of(), String.format("no frames unwound from RIP %016x RSP %016x", start.pc(), start.sp()));
            }
            if (!t.active()) {
                // crash shows a blocked task's first frame at the switch frame __switch_to_asm pushed
                List<StackFrame> copy = new java.util.ArrayList<>(frames);
                StackFrame f0 = copy.get(0);
                copy.set(0, new StackFrame(f0.level(), switchFrame(s, t), f0.pc(), f0.exceptionRegs(),
                        f0.method(), f0.reliable()));
                frames = List.copyOf(copy);
            }
            return new Trace(frames, null);
        } catch (RuntimeException e) {
            return new Trace(List.of(), "unwinding failed: " + e.getMessage());
        }
    }

    public static Optional<Registers> startRegisters(Session s, TaskInfo t) {
        if (t.active()) {
            List<Registers> cpus = s.arch().cpuRegisters();
            if (t.cpu() >= 0 && t.cpu() < cpus.size()) return Optional.of(cpus.get(t.cpu()));
            return Optional.empty();
        }
        Kernel k = Kernel.of(s);
        long sp = switchFrame(s, t);
        Map<String, Long> regs = new LinkedHashMap<>();
        OptionalLong size = k.size("inactive_task_frame");
        long frameSize = size.orElse(7 * 8);
        String[][] names = {{"r15", "r15"}, {"r14", "r14"}, {"r13", "r13"}, {"r12", "r12"}, {"bx", "rbx"}, {"bp", "rbp"}};
        long ret = k.u64(sp + k.offset("inactive_task_frame", "ret_addr").orElse(frameSize - 8));
        regs.put("rip", ret);
        regs.put("rsp", sp + frameSize);
        for (int i = 0; i < names.length; i++) {
            long off = k.offset("inactive_task_frame", names[i][0]).orElse(8L * i);
            regs.put(names[i][1], k.u64(sp + off));
        }
        return Optional.of(new Registers(regs, "rip", "rsp"));
    }

    /** task->thread.sp of a blocked task: the inactive_task_frame __switch_to_asm pushed. */
    private static long switchFrame(Session s, TaskInfo t) {
        Kernel k = Kernel.of(s);
        return k.u64(t.task() + k.requireOffset("task_struct", "thread.sp"));
    }

    /** The innermost frame with an exception register set. */
    public static Optional<StackFrame> exceptionFrame(List<StackFrame> frames) {
        for (StackFrame f : frames) if (f.exceptionRegs() != null) return Optional.of(f);
        return Optional.empty();
    }
}
