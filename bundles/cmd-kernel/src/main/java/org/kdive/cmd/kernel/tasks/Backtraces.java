package org.kdive.cmd.kernel.tasks;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.kdive.api.arch.KernelArch;
import org.kdive.api.arch.Registers;
import org.kdive.api.arch.StackFrame;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.session.Session;

/**
 * Where a task's stack starts and its unwound frames, both from the architecture. Active tasks start
 * from the registers the capture kernel saved for their CPU (PRSTATUS); blocked tasks from what they
 * saved when they were switched out ({@link KernelArch#blockedRegisters}).
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
        KernelArch arch = s.arch();
        Registers start;
        try {
            Optional<Registers> r = startRegisters(s, t);
            if (r.isEmpty()) return new Trace(List.of(), "no saved registers for this task");
            start = r.get();
        } catch (RuntimeException e) {
            return new Trace(List.of(), "cannot find where the stack starts: " + e.getMessage());
        }
        String pc = start.pcName().toUpperCase();
        String sp = start.spName().toUpperCase();
        if (!s.memory().isReadable(start.sp())) {
            return new Trace(List.of(), String.format("stack not in the dump (%s %016x not readable: "
                    + "page excluded or not mapped)", sp, start.sp()));
        }
        try {
            List<StackFrame> frames = t.active() ? arch.unwind(s, start) : arch.unwindBlocked(s, t.task());
            if (frames.isEmpty()) {
                return new Trace(List.of(), String.format("no frames unwound from %s %016x %s %016x", pc, start.pc(), sp, start.sp()));
            }
            return new Trace(frames, null);
        } catch (RuntimeException e) {
            return new Trace(List.of(), "unwinding failed: " + e.getMessage());
        }
    }

    /** The registers the task's stack starts from: its CPU's when it was running, else what it saved. */
    public static Optional<Registers> startRegisters(Session s, TaskInfo t) {
        if (t.active()) {
            List<Registers> cpus = s.arch().cpuRegisters();
            if (t.cpu() >= 0 && t.cpu() < cpus.size() && !cpus.get(t.cpu()).isEmpty()) return Optional.of(cpus.get(t.cpu()));
            // its CPU's registers are lost (damaged note): what the task itself saved, if anything
            return s.arch().blockedRegisters(s, t.task());
        }
        return s.arch().blockedRegisters(s, t.task());
    }

    /** The innermost frame with an exception register set. */
    public static Optional<StackFrame> exceptionFrame(List<StackFrame> frames) {
        for (StackFrame f : frames) if (f.exceptionRegs() != null) return Optional.of(f);
        return Optional.empty();
    }
}
