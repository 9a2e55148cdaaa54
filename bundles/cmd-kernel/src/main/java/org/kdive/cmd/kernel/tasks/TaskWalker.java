package org.kdive.cmd.kernel.tasks;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.kdive.api.dump.DumpNote;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.cmd.kernel.access.Kernel;

/**
 * Builds the task table: every thread of every process reachable from init_task.tasks (through
 * signal->thread_head, or the older thread_group ring), plus the per-CPU idle tasks from the
 * runqueues. Broken pointers and cycles end one list with a problem noted, never the walk.
 */
final class TaskWalker {
    /** No real kernel has more; stops runaway walks over garbage. */
    private static final int MAX_TASKS = 1 << 22;
    private static final long PF_KTHREAD = 0x00200000L;

    private final Kernel k;
    private final List<String> problems = new ArrayList<>();
    private final Set<Long> seen = new HashSet<>();
    private final List<Long> order = new ArrayList<>();

    private final long offTasks;
    private final long offPid;
    private final long offTgid;
    private final long offComm;
    private final long offState;
    private final int stateSize;
    private final long offExitState;
    private final long offParent;
    private final long offMm;
    private final long offFlags;
    private final long offCpu;

    TaskWalker(Kernel k) {
        this.k = k;
        offTasks = k.requireOffset("task_struct", "tasks");
        offPid = k.requireOffset("task_struct", "pid");
        offTgid = k.requireOffset("task_struct", "tgid");
        offComm = k.requireOffset("task_struct", "comm");
        if (k.hasMember("task_struct", "__state")) {
            offState = k.requireOffset("task_struct", "__state");
            stateSize = (int) Math.max(4, k.memberSize("task_struct", "__state"));
        } else {
            offState = k.requireOffset("task_struct", "state");
            stateSize = (int) Math.max(4, k.memberSize("task_struct", "state"));
        }
        offExitState = k.offset("task_struct", "exit_state").orElse(-1);
        // crash's PPID is task_struct.parent (the ptracer while traced), else real_parent
        offParent = k.offset("task_struct", "parent").orElseGet(() -> k.requireOffset("task_struct", "real_parent"));
        offMm = k.requireOffset("task_struct", "mm");
        offFlags = k.requireOffset("task_struct", "flags");
        OptionalLong cpu = k.offset("task_struct", "cpu");
        if (cpu.isEmpty()) cpu = k.offset("task_struct", "thread_info.cpu");
        offCpu = cpu.orElse(-1);
    }

    TaskTable walk() {
        long initTask = k.requireSymbol("init_task");
        int cpus = k.cpus();

        // the idle tasks and what each CPU was running
        long[] idle = new long[cpus];
        long[] current = new long[cpus];
        for (int c = 0; c < cpus; c++) {
            idle[c] = c == 0 ? initTask : 0;
            current[c] = 0;
            try {
                long rq = k.perCpu("runqueues", c);
                long i = k.u64(rq + k.requireOffset("rq", "idle"));
                if (i != 0) idle[c] = i;
                current[c] = k.u64(rq + k.requireOffset("rq", "curr"));
            } catch (RuntimeException e) {
                problems.add("CPU " + c + ": cannot read its runqueue: " + e.getMessage());
            }
            long pc = perCpuCurrent(c);
            if (pc != 0) current[c] = pc;
        }

        // every process, then every thread of it
        List<Long> leaders = walkList(initTask + offTasks, offTasks, "init_task.tasks", true);
        for (long leader : leaders) {
            add(leader);
            for (long t : threadsOf(leader)) add(t);
        }
        for (int c = 0; c < cpus; c++) {
            if (idle[c] != 0) add(idle[c]);
            if (current[c] != 0) add(current[c]);
        }

        Map<Long, Integer> activeCpu = new HashMap<>();
        for (int c = 0; c < cpus; c++) if (current[c] != 0) activeCpu.put(current[c], c);
        Set<Long> idleSet = new HashSet<>();
        for (long i : idle) if (i != 0) idleSet.add(i);

        List<TaskInfo> tasks = new ArrayList<>();
        for (long t : order) {
            try {
                tasks.add(read(t, activeCpu, idleSet, idle));
            } catch (RuntimeException e) {
                problems.add(String.format("task %x: cannot read task_struct: %s", t, e.getMessage()));
            }
        }
        // crash's order: pid 0 tasks by CPU, then by pid
        tasks.sort(Comparator.comparingInt(TaskInfo::pid)
                .thenComparingInt(t -> t.pid() == 0 ? t.cpu() : 0));
        int panicCpu = panicCpu(cpus);
        return new TaskTable(tasks, problems, panicCpu, current);
    }

    private long perCpuCurrent(int cpu) {
        try {
            OptionalLong ct = k.symbol("current_task");
            if (ct.isPresent()) return k.u64(ct.getAsLong() + k.perCpuOffset(cpu));
            OptionalLong hot = k.symbol("pcpu_hot");
            OptionalLong off = k.offset("pcpu_hot", "current_task");
            if (hot.isPresent() && off.isPresent()) return k.u64(hot.getAsLong() + k.perCpuOffset(cpu) + off.getAsLong());
        } catch (RuntimeException e) {
            // the runqueue's curr is used
        }
        return 0;
    }

    private void add(long task) {
        if (task == 0 || seen.size() >= MAX_TASKS) return;
        if (seen.add(task)) order.add(task);
    }

    /** The threads of a process other than itself. */
    private List<Long> threadsOf(long leader) {
        OptionalLong head = k.offset("signal_struct", "thread_head");
        OptionalLong node = k.offset("task_struct", "thread_node");
        try {
            if (head.isPresent() && node.isPresent()) {
                long signal = k.u64(leader + k.requireOffset("task_struct", "signal"));
                if (signal == 0) return List.of();
                List<Long> all = walkList(signal + head.getAsLong(), node.getAsLong(),
                        String.format("thread list of task %x", leader), false);
                all.remove(leader);
                return all;
            }
            OptionalLong group = k.offset("task_struct", "thread_group");
            if (group.isPresent()) {
                // a ring without a head: start at the leader's own node
                List<Long> all = walkList(leader + group.getAsLong(), group.getAsLong(),
                        String.format("thread_group of task %x", leader), false);
                all.remove(leader);
                return all;
            }
        } catch (RuntimeException e) {
            problems.add(String.format("task %x: cannot walk its threads: %s", leader, e.getMessage()));
        }
        return List.of();
    }

    /**
     * Entries of a circular list_head list starting at {@code head} (not itself an entry unless
     * {@code headIsEntry}); each entry's node sits at {@code nodeOffset} in its container.
     */
    private List<Long> walkList(long head, long nodeOffset, String what, boolean headIsEntry) {
        List<Long> out = new ArrayList<>();
        Set<Long> visited = new HashSet<>();
        if (headIsEntry) out.add(head - nodeOffset);
        long p;
        try {
            p = k.u64(head);
        } catch (RuntimeException e) {
            problems.add(what + ": cannot read the list head at " + Long.toHexString(head) + ": " + e.getMessage());
            return out;
        }
        while (p != head) {
            if (p == 0) {
                problems.add(what + ": NULL next pointer: list ends early");
                break;
            }
            if (!visited.add(p) || visited.size() > MAX_TASKS) {
                problems.add(String.format("%s: cycle at %x: list ends early", what, p));
                break;
            }
            out.add(p - nodeOffset);
            try {
                p = k.u64(p);
            } catch (RuntimeException e) {
                problems.add(String.format("%s: cannot read next pointer at %x: %s", what, p, e.getMessage()));
                break;
            }
        }
        return out;
    }

    private TaskInfo read(long t, Map<Long, Integer> activeCpu, Set<Long> idleSet, long[] idle) {
        byte[] comm = k.memory().read(t + offComm, 16);
        int n = 0;
        while (n < comm.length && comm[n] != 0) n++;
        String name = new String(comm, 0, n, StandardCharsets.UTF_8);
        int pid = (int) k.u32(t + offPid);
        int tgid = (int) k.u32(t + offTgid);
        long state = k.memory().unsigned(t + offState, stateSize == 8 ? 8 : 4);
        if (offExitState >= 0) state |= k.u32(t + offExitState);
        long parent = k.u64(t + offParent);
        int ppid = 0;
        if (parent != 0 && parent != t) {
            try {
                ppid = (int) k.u32(parent + offPid);
            } catch (RuntimeException e) {
                ppid = -1;
            }
        }
        long mm = k.u64(t + offMm);
        long flags = k.u32(t + offFlags);
        int cpu = offCpu >= 0 ? (int) k.u32(t + offCpu) : 0;
        boolean isIdle = idleSet.contains(t);
        if (isIdle) {
            for (int c = 0; c < idle.length; c++) if (idle[c] == t) cpu = c;
        }
        Integer ac = activeCpu.get(t);
        boolean active = ac != null;
        if (active) cpu = ac;
        boolean kthread = (flags & PF_KTHREAD) != 0 || mm == 0;
        return new TaskInfo(t, pid, ppid, tgid, cpu, name, state, TaskStates.shortName(state), active, isIdle, kthread, mm);
    }

    /** The CPU that crashed: dump header, then the kernel's crashing_cpu / panic_cpu. */
    private int panicCpu(int cpus) {
        int d = k.session().dump().info().panicCpu();
        if (d >= 0 && d < cpus) return d;
        for (String sym : new String[] {"crashing_cpu", "panic_cpu"}) {
            try {
                OptionalLong s = k.symbol(sym);
                if (s.isPresent()) {
                    int c = (int) k.s32(s.getAsLong());
                    if (c >= 0 && c < cpus) return c;
                }
            } catch (RuntimeException e) {
                // next source
            }
        }
        // one PRSTATUS note only: that CPU
        long prstatus = k.session().dump().notes().stream().filter(x -> x.type() == DumpNote.NT_PRSTATUS).count();
        return prstatus == 1 || cpus == 1 ? 0 : -1;
    }

    static Map<String, Object> describe(TaskInfo t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", t.pid());
        m.put("ppid", t.ppid());
        m.put("cpu", t.cpu());
        m.put("task", org.kdive.api.util.Hex.json(t.task()));
        m.put("state", t.stateName());
        m.put("comm", t.comm());
        m.put("active", t.active());
        return m;
    }
}
