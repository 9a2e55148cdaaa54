package org.kdive.cmd.symbols;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.kdive.api.arch.StackFrame;
import org.kdive.api.kernel.KernelTasks;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.session.Session;

/**
 * The task list crash 8.0.6 printed for the same dump (its {@code ps} reference), for the commands of
 * this bundle that take tasks (vtop -c PID, search -t/-T/-u, rd/struct -u). kdive's own task walker is
 * kdive-cmd-kernel, which depends on this bundle, so its tests cannot use it; the list crash saw is
 * the reference these commands' outputs are compared with anyway. The current task is the one the
 * test names (crash's context: the panic task, or the one a reference's session `set`).
 */
final class RefTasks implements KernelTasks {
    private final List<TaskInfo> tasks = new ArrayList<>();
    private volatile int currentPid;

    RefTasks(String crashPs, int currentPid) {
        this.currentPid = currentPid;
        for (String line : crashPs.split("\n")) {
            boolean active = line.startsWith(">");
            String[] c = (active ? line.substring(1) : line).trim().split("\\s+", 9);
            if (c.length < 9 || !c[0].matches("\\d+")) continue;
            String comm = c[8];
            boolean kthread = comm.startsWith("[") && comm.endsWith("]");
            if (kthread) comm = comm.substring(1, comm.length() - 1);
            int pid = Integer.parseInt(c[0]);
            tasks.add(new TaskInfo(Long.parseUnsignedLong(c[3], 16), pid, Integer.parseInt(c[1]), pid, Integer.parseInt(c[2]), comm, 0,
                    c[4], active, pid == 0, kthread, 0));
        }
    }

    /** crash's `set PID`. */
    void setCurrent(int pid) {
        currentPid = pid;
    }

    @Override public List<TaskInfo> tasks(Session session) { return tasks; }

    @Override public List<String> problems(Session session) { return List.of(); }

    @Override public int panicCpu(Session session) { return currentTask(session).map(TaskInfo::cpu).orElse(-1); }

    @Override public Optional<TaskInfo> panicTask(Session session) { return currentTask(session); }

    @Override public List<StackFrame> backtrace(Session session, TaskInfo task) { return List.of(); }

    @Override public Optional<StackFrame> panicExceptionFrame(Session session) { return Optional.empty(); }

    @Override
    public Optional<TaskInfo> currentTask(Session session) {
        // the active task first: pid 0 names every CPU's idle task
        return tasks.stream().filter(t -> t.pid() == currentPid).sorted((a, b) -> Boolean.compare(b.active(), a.active())).findFirst();
    }
}
