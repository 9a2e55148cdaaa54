package org.kdive.cmd.kernel.tasks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.kdive.api.command.CommandException;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.session.Session;
import org.kdive.api.util.Hex;
import org.kdive.cmd.kernel.access.Kernel;

/**
 * The task table of one session, computed once ({@link Session#cached}) and shared by ps, sys,
 * bt, task, set and foreach, and by the {@link org.kdive.api.kernel.KernelTasks} service.
 */
public final class TaskTable {
    private volatile List<TaskInfo> tasks;
    private final List<String> problems;
    private final int panicCpu;
    private volatile long[] currentPerCpu;

    TaskTable(List<TaskInfo> tasks, List<String> problems, int panicCpu, long[] currentPerCpu) {
        this.tasks = List.copyOf(tasks);
        this.problems = List.copyOf(problems);
        this.panicCpu = panicCpu;
        this.currentPerCpu = currentPerCpu.clone();
    }

    public static TaskTable of(Session session) {
        return session.cached("cmd-kernel.tasks", () -> new TaskWalker(Kernel.of(session)).walk());
    }

    public List<TaskInfo> tasks() { return tasks; }

    public List<String> problems() { return problems; }

    public int panicCpu() { return panicCpu; }

    /** The task running on each CPU, in CPU order (0 when unknown). */
    public long currentOn(int cpu) { return cpu >= 0 && cpu < currentPerCpu.length ? currentPerCpu[cpu] : 0; }

    public int cpus() { return currentPerCpu.length; }

    public Optional<TaskInfo> byTask(long task) {
        for (TaskInfo t : tasks) if (t.task() == task) return Optional.of(t);
        return Optional.empty();
    }

    public List<TaskInfo> byPid(long pid) {
        List<TaskInfo> out = new ArrayList<>();
        for (TaskInfo t : tasks) if (t.pid() == pid) out.add(t);
        return out;
    }

    public List<TaskInfo> byComm(String comm) {
        List<TaskInfo> out = new ArrayList<>();
        for (TaskInfo t : tasks) if (t.comm().equals(comm)) out.add(t);
        return out;
    }

    public List<TaskInfo> active() {
        List<TaskInfo> out = new ArrayList<>();
        for (int c = 0; c < currentPerCpu.length; c++) {
            Optional<TaskInfo> t = byTask(currentPerCpu[c]);
            t.ifPresent(out::add);
        }
        return out;
    }

    public Optional<TaskInfo> panicTask() {
        if (panicCpu < 0) return Optional.empty();
        return byTask(currentOn(panicCpu));
    }

    /**
     * Resolves a crash-style task argument: a decimal pid, or a hexadecimal task_struct address.
     * A pid of 0 means the idle task of CPU 0, as in crash.
     */
    public List<TaskInfo> resolve(String arg) {
        String s = arg.trim();
        if (s.matches("\\d+")) {
            long v = Long.parseLong(s);
            List<TaskInfo> byPid = byPid(v);
            if (!byPid.isEmpty()) return v == 0 ? List.of(byPid.get(0)) : byPid;
        }
        if (Hex.looksLikeAddress(s) || s.matches("(0x)?[0-9a-fA-F]+")) {
            try {
                long addr = Hex.parseAddress(s);
                Optional<TaskInfo> t = byTask(addr);
                if (t.isPresent()) return List.of(t.get());
            } catch (CommandException e) {
                // not an address
            }
        }
        throw new CommandException("invalid task or pid value: " + arg);
    }

    // ---- the context task (`set`) ---------------------------------------------------------------

    @SuppressWarnings("unchecked")
    private static AtomicReference<TaskInfo> contextRef(Session session) {
        return session.cached("cmd-kernel.context", () -> new AtomicReference<TaskInfo>());
    }

    /** The task commands default to: chosen with `set`, else the panic task, else CPU 0's. */
    public static Optional<TaskInfo> context(Session session) {
        TaskInfo set = contextRef(session).get();
        if (set != null) return Optional.of(set);
        TaskTable t = of(session);
        Optional<TaskInfo> p = t.panicTask();
        if (p.isPresent()) return p;
        return t.tasks.isEmpty() ? Optional.empty() : Optional.of(t.tasks.get(0));
    }

    public static void setContext(Session session, TaskInfo task) {
        contextRef(session).set(task);
    }

    /**
     * crash's {@code set -a}: from now on {@code task} is the one running on its CPU (for ps's
     * marks, bt -a, runq...), the task that was there no longer counts as active.
     */
    public synchronized TaskInfo markActive(TaskInfo task) {
        int cpu = task.cpu();
        if (cpu < 0 || cpu >= currentPerCpu.length) return task;
        long[] current = currentPerCpu.clone();
        long before = current[cpu];
        current[cpu] = task.task();
        List<TaskInfo> next = new ArrayList<>(tasks.size());
        TaskInfo marked = task;
        for (TaskInfo t : tasks) {
            boolean active = t.task() == task.task() || (t.active() && t.task() != before);
            TaskInfo n = active == t.active() ? t : new TaskInfo(t.task(), t.pid(), t.ppid(), t.tgid(), t.cpu(), t.comm(),
                    t.state(), t.stateName(), active, t.idle(), t.kernelThread(), t.mm());
            if (n.task() == task.task()) marked = n;
            next.add(n);
        }
        tasks = Collections.unmodifiableList(next);
        currentPerCpu = current;
        return marked;
    }

    public List<TaskInfo> children(TaskInfo parent) {
        List<TaskInfo> out = new ArrayList<>();
        for (TaskInfo t : tasks) {
            if (t.ppid() == parent.pid() && t.task() != parent.task() && !(t.pid() == 0)) out.add(t);
        }
        return Collections.unmodifiableList(out);
    }
}
