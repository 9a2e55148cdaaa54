package org.kdive.cmd.kernel.commands;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.util.Hex;
import org.kdive.cmd.kernel.access.Kernel;
import org.kdive.cmd.kernel.access.RbTree;
import org.kdive.cmd.kernel.tasks.TaskFacts;
import org.kdive.cmd.kernel.tasks.TaskTable;

/** `runq -d` (tasks with on_rq set), `-T` (clock lag between CPUs), `-m` (time the current tasks have run), `-g` (by task group). */
final class RunqViews {
    private final Kernel k;
    private final TaskTable table;
    private final TaskFacts facts;

    RunqViews(Kernel k, TaskTable table) {
        this.k = k;
        this.table = table;
        this.facts = new TaskFacts(k);
    }

    private int prio(TaskInfo t) {
        return (int) k.s32(t.task() + k.requireOffset("task_struct", "prio"));
    }

    private String entry(TaskInfo t) {
        return String.format("[%3d] PID: %-5d  TASK: %x  COMMAND: \"%s\"", prio(t), t.pid(), t.task(), t.comm());
    }

    private Map<String, Object> entryData(TaskInfo t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("prio", prio(t));
        m.put("pid", t.pid());
        m.put("task", Hex.json(t.task()));
        m.put("comm", t.comm());
        return m;
    }

    /** -d: every task whose task_struct.on_rq is set, per CPU, in task order. */
    Result onRq(BitSet cpus) {
        long onRq = k.offset("task_struct", "on_rq").orElseThrow(() -> new CommandException("-d option not supported or applicable on this architecture or kernel"));
        StringBuilder sb = new StringBuilder();
        List<Object> data = new ArrayList<>();
        for (int cpu = cpus.nextSetBit(0); cpu >= 0; cpu = cpus.nextSetBit(cpu + 1)) {
            sb.append(cpu > 0 ? "\n" : "").append("CPU ").append(cpu).append('\n');
            List<Object> tasks = new ArrayList<>();
            for (TaskInfo t : table.tasks()) {
                if (t.cpu() != cpu || k.s32(t.task() + onRq) == 0) continue;
                sb.append("     ").append(entry(t)).append('\n');
                tasks.add(entryData(t));
            }
            if (tasks.isEmpty()) sb.append("     [no tasks queued]\n");
            data.add(Map.of("cpu", cpu, "tasks", tasks));
        }
        return Result.of(sb.toString(), Map.of("cpus", data));
    }

    /** -T: how far each CPU's run queue clock is behind the most advanced one, most advanced first. */
    Result lag() {
        int n = table.cpus();
        List<long[]> ts = new ArrayList<>();
        for (int cpu = 0; cpu < n; cpu++) ts.add(new long[] {cpu, facts.rqClock(cpu)});
        ts.sort((x, y) -> Long.compareUnsigned(y[1], x[1]));
        StringBuilder sb = new StringBuilder();
        List<Object> data = new ArrayList<>();
        for (long[] t : ts) {
            double secs = ((double) ts.get(0)[1] - (double) t[1]) / 1e9;
            sb.append(" ".repeat(2 + digits(n) - digits(t[0]))).append(String.format("CPU %d: %.2f secs%n", t[0], secs));
            data.add(Map.of("cpu", (int) t[0], "clock", t[1], "lag_seconds", secs));
        }
        return Result.of(sb.toString(), Map.of("cpus", data));
    }

    private static int digits(long x) {
        int r = 1;
        while (x > 9) {
            r++;
            x /= 10;
        }
        return r;
    }

    /** -m: how long each CPU's current task has been running (rq clock minus its last arrival). */
    Result running(BitSet cpus) {
        int n = table.cpus();
        int maxIndent = n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : 4;
        int maxDays = 0;
        StringBuilder sb = new StringBuilder();
        List<Object> data = new ArrayList<>();
        for (int cpu = cpus.nextSetBit(0); cpu >= 0; cpu = cpus.nextSetBit(cpu + 1)) {
            long clock = facts.rqClock(cpu);
            if (maxDays == 0) maxDays = TaskFacts.daysClock(clock).indexOf(' ');
            int indent = cpu < 10 ? maxIndent : cpu < 100 ? maxIndent - 1 : cpu < 1000 ? maxIndent - 2 : maxIndent - 4;
            Optional<TaskInfo> cur = table.byTask(table.currentOn(cpu));
            if (cur.isEmpty()) {
                sb.append(" ".repeat(indent)).append("CPU ").append(cpu).append(": [unknown]\n");
                continue;
            }
            long delta = clock - facts.lastRun(cur.get().task());
            if (delta < 0) delta = 0;
            String d = TaskFacts.daysClock(delta);
            TaskInfo t = cur.get();
            sb.append(" ".repeat(indent)).append(String.format("CPU %d: [%s%s]  PID: %-5d  TASK: %x  COMMAND: \"%s\"%n",
                    cpu, " ".repeat(Math.max(0, maxDays - d.indexOf(' '))), d, t.pid(), t.task(), t.comm()));
            Map<String, Object> m = entryData(t);
            m.remove("prio");
            m.put("cpu", cpu);
            m.put("running_ns", delta);
            data.add(m);
        }
        return Result.of(sb.toString(), Map.of("cpus", data));
    }

    /**
     * -g: per CPU the root task group's CFS run queue, the current task marked [CURRENT] where the
     * queue's curr is its entity, queued tasks in vruntime order, and child groups' queues
     * (sched_entity.my_q) nested under "TASK_GROUP:" headers. RT group scheduling is not shown
     * when the kernel has none (task_group.rt_rq).
     */
    Result byTaskGroup(BitSet cpus) {
        String groupName;
        long root;
        if (k.hasSymbol("init_task_group")) {
            root = k.requireSymbol("init_task_group");
            groupName = "INIT";
        } else if (k.hasSymbol("root_task_group")) {
            root = k.requireSymbol("root_task_group");
            groupName = "ROOT";
        } else {
            throw new CommandException("cannot determine root task_group");
        }
        OptionalLong cfsOff = k.offset("task_group", "cfs_rq");
        if (cfsOff.isEmpty()) throw new CommandException("-g option not supported or applicable on this architecture or kernel");
        OptionalLong rtOff = k.offset("task_group", "rt_rq");
        long cfsArray = k.u64(root + cfsOff.getAsLong());
        long rtArray = rtOff.isPresent() ? k.u64(root + rtOff.getAsLong()) : 0;
        StringBuilder sb = new StringBuilder();
        List<Object> data = new ArrayList<>();
        boolean displayed = false;
        for (int cpu = cpus.nextSetBit(0); cpu >= 0; cpu = cpus.nextSetBit(cpu + 1)) {
            sb.append(displayed ? "\n" : "").append("CPU ").append(cpu).append('\n');
            displayed = true;
            Optional<TaskInfo> cur = table.byTask(table.currentOn(cpu));
            sb.append("  CURRENT: ").append(cur.map(t -> String.format("PID: %-5d  TASK: %x  COMMAND: \"%s\"", t.pid(), t.task(), t.comm()))
                    .orElse(Long.toHexString(table.currentOn(cpu)))).append('\n');
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("cpu", cpu);
            if (rtArray != 0) {
                long rtRq = k.u64(rtArray + 8L * cpu);
                sb.append(String.format("  %s_TASK_GROUP: %x  RT_RQ: %x%n", groupName, root, rtRq));
                sb.append("     (RT task groups are not shown yet)\n");
                d.put("rt_rq", Hex.json(rtRq));
            }
            long cfsRq = k.u64(cfsArray + 8L * cpu);
            sb.append(String.format("  %s_TASK_GROUP: %x  CFS_RQ: %x%n", groupName, root, cfsRq));
            List<Object> queued = new ArrayList<>();
            cfsGroup(sb, 0, cfsRq, cur.orElse(null), queued, new HashSet<>());
            d.put("task_group", Hex.json(root));
            d.put("cfs_rq", Hex.json(cfsRq));
            d.put("queued", queued);
            data.add(d);
        }
        return Result.of(sb.toString(), Map.of("cpus", data));
    }

    private int cfsGroup(StringBuilder sb, int depth, long cfsRq, TaskInfo current, List<Object> out, Set<Long> seen) {
        int total = 0;
        long seOff = k.requireOffset("task_struct", "se");
        long runNode = k.requireOffset("sched_entity", "run_node");
        OptionalLong myQ = k.offset("sched_entity", "my_q");
        if (depth > 0) {
            long tg = k.u64(cfsRq + k.requireOffset("cfs_rq", "tg"));
            StringBuilder h = new StringBuilder(" ".repeat(2 + 3 * depth))
                    .append(String.format("TASK_GROUP: %x  CFS_RQ: %x ", tg, cfsRq));
            groupName(tg).ifPresent(n -> h.append(" <").append(n).append('>'));
            OptionalLong thr = k.offset("cfs_rq", "throttled");
            if (thr.isPresent() && k.s32(cfsRq + thr.getAsLong()) != 0) h.append(" (THROTTLED)");
            sb.append(h).append('\n');
        }
        long curr = k.u64(cfsRq + k.requireOffset("cfs_rq", "curr"));
        long currMyQ = curr != 0 && myQ.isPresent() ? k.u64(curr + myQ.getAsLong()) : 0;
        if (currMyQ != 0) {
            total++;
            List<Object> sub = new ArrayList<>();
            total += cfsGroup(sb, depth + 1, currMyQ, current, sub, seen);
            out.add(Map.of("cfs_rq", Hex.json(currMyQ), "queued", sub));
        } else if (current != null && curr != 0 && curr - seOff == current.task()) {
            total++;
            sb.append(" ".repeat(5 + 3 * depth)).append(entry(current)).append(" [CURRENT]\n");
            Map<String, Object> m = entryData(current);
            m.put("current", true);
            out.add(m);
        }
        long timeline = cfsRq + k.requireOffset("cfs_rq", "tasks_timeline");
        long rootNode = k.u64(timeline + k.requireOffset("rb_root_cached", "rb_root") + k.requireOffset("rb_root", "rb_node"));
        for (long node : RbTree.walk(k, rootNode, true, false).nodes()) {
            long se = node - runNode;
            long q = myQ.isPresent() ? k.u64(se + myQ.getAsLong()) : 0;
            if (q != 0) {
                total++;
                List<Object> sub = new ArrayList<>();
                total += cfsGroup(sb, depth + 1, q, current, sub, seen);
                out.add(Map.of("cfs_rq", Hex.json(q), "queued", sub));
                continue;
            }
            Optional<TaskInfo> t = table.byTask(se - seOff);
            if (t.isEmpty()) continue;
            if (!seen.add(t.get().task())) break;
            sb.append(" ".repeat(5 + 3 * depth)).append(entry(t.get())).append('\n');
            out.add(entryData(t.get()));
            total++;
        }
        if (total == 0) sb.append(" ".repeat(5 + 3 * depth)).append("[no tasks queued]\n");
        return total;
    }

    /** A task group's cgroup directory name (task_group.css.cgroup->kn->name), if readable. */
    private Optional<String> groupName(long tg) {
        try {
            long cgroup = k.u64(tg + k.requireOffset("task_group", "css") + k.requireOffset("cgroup_subsys_state", "cgroup"));
            long kn = k.u64(cgroup + k.requireOffset("cgroup", "kn"));
            long name = k.u64(kn + k.requireOffset("kernfs_node", "name"));
            return name == 0 ? Optional.empty() : Optional.of(k.memory().cString(name, 256));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
