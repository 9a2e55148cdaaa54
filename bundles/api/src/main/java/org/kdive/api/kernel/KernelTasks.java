package org.kdive.api.kernel;

import java.util.List;
import java.util.Optional;
import org.kdive.api.arch.StackFrame;
import org.kdive.api.session.Session;

/**
 * The crashed kernel's tasks, computed once per session and shared by every command that needs
 * them (ps, sys, bt, task, foreach, autopsy …). Published as an OSGi service by the bundle that
 * walks the task list (kdive-cmd-kernel); every method works on the given session only.
 */
public interface KernelTasks {
    /**
     * Every task: the per-CPU idle tasks first (by CPU), then by pid, as crash's ps orders them.
     * Tasks whose task_struct cannot be read are left out and reported in {@link #problems}.
     */
    List<TaskInfo> tasks(Session session);

    /** What went wrong while walking the lists (broken pointers, cycles, unreadable tasks). */
    List<String> problems(Session session);

    /** The CPU that crashed, or -1 when neither the dump nor the kernel says. */
    int panicCpu(Session session);

    /** The task running on the panic CPU. */
    Optional<TaskInfo> panicTask(Session session);

    /**
     * The backtrace of a task, innermost first: active tasks start from the registers the capture
     * kernel saved for their CPU, others from the context saved at their last switch.
     */
    List<StackFrame> backtrace(Session session, TaskInfo task);

    /** The innermost exception frame (pt_regs) of the panic task's backtrace: the faulting registers. */
    Optional<StackFrame> panicExceptionFrame(Session session);

    /** The task commands work on by default: the panic task, or the one chosen with `set`. */
    Optional<TaskInfo> currentTask(Session session);
}
