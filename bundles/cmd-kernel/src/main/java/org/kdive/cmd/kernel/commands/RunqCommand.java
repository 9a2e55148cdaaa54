package org.kdive.cmd.kernel.commands;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.kdive.api.command.Args;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.session.Session;
import org.kdive.cmd.kernel.access.Kernel;
import org.kdive.cmd.kernel.sched.RunQueue;
import org.kdive.cmd.kernel.tasks.TaskTable;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** crash's `runq`: each CPU's running task and its queued RT and CFS tasks; `-t` the run queue clocks. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=runq")
public class RunqCommand implements Command {
    @Override public String name() { return "runq"; }

    @Override public String description() { return "run queue of each CPU"; }

    @Override
    public String usage() {
        return "runq - run queue\n"
                + "runq [-t] [-T] [-m] [-d] [-g] [-c cpu(s)]\n"
                + "  -t         the run queue clock of each CPU and when its current task last arrived\n"
                + "  -T         how far each CPU's run queue clock lags behind the most advanced one\n"
                + "  -m         how long each CPU's current task has been running (days hh:mm:ss.ms)\n"
                + "  -d         every task with task_struct.on_rq set, per CPU (a cross-check of the queues)\n"
                + "  -g         the run queues by task group: RT (with CONFIG_RT_GROUP_SCHED) and CFS, child\n"
                + "             groups nested under TASK_GROUP headers, the running task marked [CURRENT]\n"
                + "  -c cpus    only these CPUs: 1, 0-3, 0,2 or a (all)\n"
                + "JSON: \"cpus\", one record each; -g: cpu, task_group, rt_rq and rt_queued (RT groups), cfs_rq and\n"
                + "  queued: tasks {prio, pid, task, comm, current} and groups {task_group, name, throttled, cfs_rq or\n"
                + "  rt_rq with prio, queued}; -t clock and current.last_arrival (ns); -T lag_seconds; -m running_ns.\n";
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        if (args.stream().filter(w -> w.startsWith("-c")).count() > 1) {
            throw new CommandException("only one -c option allowed\nUsage:\n  runq [-t] [-T] [-m] [-g] [-c cpu(s)]\nEnter \"help runq\" for details.");
        }
        Args a = Args.parse(args, Set.of("t", "g", "d", "T", "m"), Set.of("c"));
        if (!a.positional().isEmpty()) throw new CommandException("unexpected argument: " + a.positional(0));
        Session s = context.session();
        Kernel k = Kernel.of(s);
        TaskTable table = TaskTable.of(s);
        for (String p : table.problems()) context.warn(p);
        int cpus = k.cpus();
        BitSet selected = a.has("c") ? cpuSpec(a.value("c"), cpus) : allCpus(cpus);
        if (!k.hasSymbol("runqueues")) throw new CommandException("per-cpu runqueues do not exist");
        RunqViews views = new RunqViews(k, table);
        RunqGroups groups = a.has("g") ? new RunqGroups(context, k, table) : null; // crash checks -g's support first
        // crash's precedence when several are given
        if (a.has("t")) return clocks(k, table, selected);
        if (a.has("T")) return views.lag();
        if (a.has("m")) return views.running(selected);
        if (a.has("d")) return views.onRq(selected);
        if (groups != null) return groups.show(selected);
        return queues(context, k, table, selected);
    }

    private static Result queues(CommandContext context, Kernel k, TaskTable table, BitSet cpus) {
        StringBuilder sb = new StringBuilder();
        List<Object> data = new ArrayList<>();
        for (int cpu = cpus.nextSetBit(0); cpu >= 0; cpu = cpus.nextSetBit(cpu + 1)) {
            RunQueue q = RunQueue.read(k, table, cpu);
            for (String p : q.problems()) context.warn("runq: " + p);
            if (sb.length() > 0) sb.append('\n');
            sb.append(String.format("CPU %d RUNQUEUE: %x%n", cpu, q.rq()));
            Optional<TaskInfo> cur = table.byTask(q.current());
            sb.append("  CURRENT: ").append(cur.map(RunqCommand::task).orElse(Long.toHexString(q.current()))).append('\n');
            sb.append(String.format("  RT PRIO_ARRAY: %x%n", q.rtArray()));
            queued(sb, q.rt());
            sb.append(String.format("  CFS RB_ROOT: %x%n", q.cfsRoot()));
            queued(sb, q.cfs());

            Map<String, Object> d = new LinkedHashMap<>();
            d.put("cpu", cpu);
            d.put("runqueue", org.kdive.api.util.Hex.json(q.rq()));
            d.put("current", cur.map(RunqCommand::taskData).orElse(Map.of("task", org.kdive.api.util.Hex.json(q.current()))));
            d.put("rt_prio_array", org.kdive.api.util.Hex.json(q.rtArray()));
            d.put("rt", queuedData(q.rt()));
            d.put("cfs_rb_root", org.kdive.api.util.Hex.json(q.cfsRoot()));
            d.put("cfs", queuedData(q.cfs()));
            if (!q.problems().isEmpty()) d.put("problems", q.problems());
            data.add(d);
        }
        return Result.of(sb.toString(), Map.of("cpus", data));
    }

    private static void queued(StringBuilder sb, List<RunQueue.Queued> tasks) {
        if (tasks.isEmpty()) sb.append("     [no tasks queued]\n");
        for (RunQueue.Queued t : tasks) sb.append(String.format("     [%3d] %s%n", t.prio(), task(t.task())));
    }

    /** crash's task part of a runq line. */
    private static String task(TaskInfo t) {
        return String.format("PID: %-5d  TASK: %x  COMMAND: \"%s\"", t.pid(), t.task(), t.comm());
    }

    private static Map<String, Object> taskData(TaskInfo t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", t.pid());
        m.put("task", org.kdive.api.util.Hex.json(t.task()));
        m.put("comm", t.comm());
        return m;
    }

    private static List<Object> queuedData(List<RunQueue.Queued> tasks) {
        List<Object> out = new ArrayList<>();
        for (RunQueue.Queued q : tasks) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("prio", q.prio());
            m.putAll(taskData(q.task()));
            out.add(m);
        }
        return out;
    }

    /** `runq -t`: rq.clock per CPU, and the current task's sched_info.last_arrival in the same width. */
    private static Result clocks(Kernel k, TaskTable table, BitSet cpus) {
        long clockOff = k.offset("rq", "clock").orElseThrow(() -> new CommandException("-t not supported on this kernel"));
        StringBuilder sb = new StringBuilder();
        List<Object> data = new ArrayList<>();
        for (int cpu = cpus.nextSetBit(0); cpu >= 0; cpu = cpus.nextSetBit(cpu + 1)) {
            long clock = k.u64(k.perCpu("runqueues", cpu) + clockOff);
            String c = Long.toUnsignedString(clock);
            sb.append(String.format("%sCPU %d: %s%n", cpu < 10 ? " " : "", cpu, c));
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("cpu", cpu);
            d.put("clock", clock);
            Optional<TaskInfo> cur = table.byTask(table.currentOn(cpu));
            if (cur.isPresent()) {
                long last = lastArrival(k, cur.get().task());
                int indent = cpu < 10 ? 8 : cpu < 100 ? 8 : cpu < 1000 ? 9 : 0;
                String l = Long.toUnsignedString(last);
                while (l.length() < c.length()) l = "0" + l;
                sb.append(" ".repeat(indent)).append(l).append("  ").append(task(cur.get())).append('\n');
                Map<String, Object> t = taskData(cur.get());
                t.put("last_arrival", last);
                d.put("current", t);
            } else {
                sb.append('\n');
            }
            data.add(d);
        }
        return Result.of(sb.toString(), Map.of("cpus", data));
    }

    private static long lastArrival(Kernel k, long task) {
        var off = k.offset("task_struct", "sched_info.last_arrival");
        return off.isPresent() ? k.u64(task + off.getAsLong()) : 0;
    }

    private static BitSet allCpus(int cpus) {
        BitSet b = new BitSet();
        b.set(0, cpus);
        return b;
    }

    /** crash's cpu list: "a" or "all", N, N-M, comma-separated. */
    static BitSet cpuSpec(String spec, int cpus) {
        BitSet b = new BitSet();
        for (String part : spec.split(",", -1)) {
            int start;
            int end;
            if (part.equals("a") || part.equals("all")) {
                start = 0;
                end = cpus - 1;
            } else {
                String[] r = part.split("-", -1);
                if (r.length > 2 || !r[0].matches("\\d{1,6}") || (r.length == 2 && !r[1].matches("\\d{1,6}"))) {
                    throw new CommandException("invalid cpu specification: " + spec);
                }
                start = Integer.parseInt(r[0]);
                end = r.length == 2 ? Integer.parseInt(r[1]) : start;
            }
            if (start >= cpus || end >= cpus || end < start) throw new CommandException("invalid cpu specification: " + spec);
            b.set(start, end + 1);
        }
        return b;
    }
}
