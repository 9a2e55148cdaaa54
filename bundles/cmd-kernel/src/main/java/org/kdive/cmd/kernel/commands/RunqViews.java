package org.kdive.cmd.kernel.commands;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.util.Hex;
import org.kdive.cmd.kernel.access.Kernel;
import org.kdive.cmd.kernel.tasks.TaskFacts;
import org.kdive.cmd.kernel.tasks.TaskTable;

/** `runq -d` (tasks with on_rq set), `-T` (clock lag between CPUs), `-m` (time the current tasks have run); `-g` is {@link RunqGroups}. */
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
        return prio(k, t);
    }

    private String entry(TaskInfo t) {
        return entry(k, t);
    }

    private Map<String, Object> entryData(TaskInfo t) {
        return entryData(k, t);
    }

    static int prio(Kernel k, TaskInfo t) {
        return (int) k.s32(t.task() + k.requireOffset("task_struct", "prio"));
    }

    /** A queued task's line: "[PRIO] PID: …  TASK: …  COMMAND: …". */
    static String entry(Kernel k, TaskInfo t) {
        return String.format("[%3d] PID: %-5d  TASK: %x  COMMAND: \"%s\"", prio(k, t), t.pid(), t.task(), t.comm());
    }

    static Map<String, Object> entryData(Kernel k, TaskInfo t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("prio", prio(k, t));
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
}
