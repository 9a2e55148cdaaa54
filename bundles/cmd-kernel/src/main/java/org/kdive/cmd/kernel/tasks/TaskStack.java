package org.kdive.cmd.kernel.tasks;

import org.kdive.api.arch.AddressSpace;
import org.kdive.api.arch.CpuStack;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.session.Session;
import org.kdive.cmd.kernel.access.Kernel;

/**
 * Where a task's kernel stack lies: task_struct.stack, THREAD_SIZE bytes (crash's STACKSIZE()),
 * as the kernel itself says it ({@link org.kdive.api.kernel.ThreadSize}).
 */
public final class TaskStack {
    private static final long DEFAULT_THREAD_SIZE = 16384;
    private final Session s;
    private final Kernel k;
    private final long size;
    private final long belowFrames;

    private TaskStack(Session s) {
        this.s = s;
        this.k = Kernel.of(s);
        this.size = org.kdive.api.kernel.ThreadSize.of(s).orElse(DEFAULT_THREAD_SIZE);
        // crash's bt -T starts above the thread_info (kept in the task_struct since 4.9, on the stack before)
        long ti = k.size("thread_info").orElse(0);
        this.belowFrames = k.hasMember("task_struct", "thread_info") || ti > 0 ? ti : k.size("task_struct").orElse(0);
    }

    public static TaskStack of(Session s) {
        return s.cached("cmd-kernel.task-stack", () -> new TaskStack(s));
    }

    /** THREAD_SIZE. */
    public long size() { return size; }

    /** Bytes at the stack's base that hold no frames (crash's bt -T starts above them). */
    public long belowFrames() { return belowFrames; }

    /** The task's own stack. */
    public AddressSpace.Region region(TaskInfo t) {
        long base = k.readMember(t.task(), "task_struct", "stack");
        return new AddressSpace.Region(base, base + size);
    }

    /** The stack {@code sp} lies on: the task's own, a per-CPU stack of the architecture, else the THREAD_SIZE block. */
    public AddressSpace.Region regionHolding(TaskInfo t, long sp) {
        AddressSpace.Region own = region(t);
        if (own.contains(sp)) return own;
        for (CpuStack c : s.arch().cpuStacks(s)) if (c.region().contains(sp)) return c.region();
        long lo = sp & -size;
        return new AddressSpace.Region(lo, lo + size);
    }
}
