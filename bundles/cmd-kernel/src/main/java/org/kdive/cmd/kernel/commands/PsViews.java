package org.kdive.cmd.kernel.commands;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.Result;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.util.Hex;
import org.kdive.cmd.kernel.access.Clock;
import org.kdive.cmd.kernel.access.Kernel;
import org.kdive.cmd.kernel.tasks.TaskFacts;
import org.kdive.cmd.kernel.tasks.TaskTable;

/** The views of `ps` other than its table: -S, -t, -l, -m, -a, -r, -g, and -s's stack pointers. */
final class PsViews {
    private final CommandContext context;
    private final Kernel k;
    private final TaskTable table;
    private final TaskFacts facts;

    PsViews(CommandContext context, Kernel k, TaskTable table, TaskFacts facts) {
        this.context = context;
        this.k = k;
        this.table = table;
        this.facts = facts;
    }

    /** -S: how many tasks are in each state, states in order of first appearance. */
    Result summary(List<TaskInfo> tasks) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (TaskInfo t : tasks) counts.merge(t.stateName(), 1L, Long::sum);
        StringBuilder sb = new StringBuilder();
        counts.forEach((st, n) -> sb.append("  ").append(st).append(": ").append(n).append('\n'));
        return Result.of(sb.toString(), Map.of("states", counts));
    }

    /** -t: run time (from start_time and jiffies), start time, utime and stime; all tasks oldest first. */
    Result times(List<TaskInfo> tasks, boolean all) {
        List<TaskInfo> order = new ArrayList<>(tasks);
        if (all) order.sort((x, y) -> Long.compareUnsigned(facts.startTime(x.task()), facts.startTime(y.task())));
        Clock clock = new Clock(k);
        long hz = clock.hz();
        long now = clock.uptimeJiffies();
        StringBuilder sb = new StringBuilder();
        List<Object> rows = new ArrayList<>();
        for (TaskInfo t : order) {
            context.checkCancelled();
            long start = facts.startTime(t.task());
            long startTicks = Long.divideUnsigned(start, 1_000_000_000L) * hz;
            long run = Long.compareUnsigned(startTicks, now) > 0 ? 0 : now - startTicks;
            long utime = facts.utime(t.task());
            long stime = facts.stime(t.task());
            sb.append(PsCommand.header(t)).append('\n');
            sb.append("    RUN TIME: ").append(Clock.duration(run / hz)).append('\n');
            sb.append("  START TIME: ").append(Long.toUnsignedString(start)).append('\n');
            sb.append("       UTIME: ").append(utime).append('\n');
            sb.append("       STIME: ").append(stime).append("\n\n");
            Map<String, Object> r = task(t);
            r.put("run_time_seconds", run / hz);
            r.put("start_time_ns", start);
            r.put("utime_ns", utime);
            r.put("stime_ns", stime);
            rows.add(r);
        }
        return Result.of(sb.toString(), Map.of("tasks", rows));
    }

    /** -l / -m of the given tasks; the timestamp column is as wide as the most recent one of all tasks. */
    Result lastRun(List<TaskInfo> tasks, List<TaskInfo> sorted, boolean msecs) {
        int width = sorted.isEmpty() ? 1 : Long.toUnsignedString(facts.lastRun(sorted.get(0).task())).length();
        StringBuilder sb = new StringBuilder();
        List<Object> rows = new ArrayList<>();
        for (TaskInfo t : tasks) {
            context.checkCancelled();
            rows.add(lastRunLine(sb, t, width, msecs, msecs && tasks.size() == 1 ? daysWidth(t.cpu()) : 0));
        }
        return Result.of(sb.toString(), Map.of("tasks", rows));
    }

    /** -l / -m with -C: the tasks of each chosen CPU under "CPU: n". */
    Result lastRunByCpu(List<TaskInfo> sorted, BitSet cpus, boolean msecs) {
        int width = sorted.isEmpty() ? 1 : Long.toUnsignedString(facts.lastRun(sorted.get(0).task())).length();
        StringBuilder sb = new StringBuilder();
        List<Object> out = new ArrayList<>();
        boolean others = false;
        for (int cpu = cpus.nextSetBit(0); cpu >= 0; cpu = cpus.nextSetBit(cpu + 1)) {
            sb.append(others ? "\n" : "").append("CPU: ").append(cpu).append('\n');
            others = true;
            int days = msecs ? daysWidth(cpu) : 0;
            List<Object> rows = new ArrayList<>();
            for (TaskInfo t : sorted) {
                if (t.cpu() == cpu) rows.add(lastRunLine(sb, t, width, msecs, days));
            }
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("cpu", cpu);
            c.put("tasks", rows);
            out.add(c);
        }
        return Result.of(sb.toString(), Map.of("cpus", out));
    }

    /** The width of the days field of a CPU's run queue clock: -m pads shorter ones to it. */
    private int daysWidth(int cpu) {
        String c = TaskFacts.daysClock(facts.rqClock(cpu));
        return c.indexOf(' ');
    }

    private Map<String, Object> lastRunLine(StringBuilder sb, TaskInfo t, int width, boolean msecs, int daysWidth) {
        long last = facts.lastRun(t.task());
        Map<String, Object> r = task(t);
        r.put("state", t.stateName());
        r.put("last_run_ns", last);
        if (msecs) {
            long delta = facts.rqClock(t.cpu()) - last;
            if (delta < 0) delta = 0;
            String d = TaskFacts.daysClock(delta);
            int pad = Math.max(0, daysWidth - d.indexOf(' '));
            sb.append('[').append(" ".repeat(pad)).append(d).append("] ");
            r.put("since_last_run_ns", delta);
        } else {
            sb.append(String.format("[%" + width + "s] ", Long.toUnsignedString(last)));
        }
        sb.append('[').append(t.stateName()).append("]  ").append(PsCommand.header(t)).append('\n');
        return r;
    }

    /** -r: signal_struct's resource limits. */
    Result rlimits(List<TaskInfo> tasks) {
        StringBuilder sb = new StringBuilder();
        List<Object> rows = new ArrayList<>();
        for (TaskInfo t : tasks) {
            long[][] lim = facts.rlimits(t.task());
            sb.append(PsCommand.header(t)).append('\n');
            sb.append("      RLIMIT     CURRENT       MAXIMUM  \n");
            List<Object> limits = new ArrayList<>();
            for (int i = 0; i < lim.length; i++) {
                String name = i < TaskFacts.RLIMIT_NAMES.length ? TaskFacts.RLIMIT_NAMES[i] : "(unknown)";
                sb.append(String.format("  %10s   %s   %s\n", name, limit(lim[i][0]), limit(lim[i][1])));
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("name", name);
                l.put("current", lim[i][0] == -1 ? null : lim[i][0]);
                l.put("maximum", lim[i][1] == -1 ? null : lim[i][1]);
                limits.add(l);
            }
            sb.append('\n');
            Map<String, Object> r = task(t);
            r.put("rlimits", limits);
            rows.add(r);
        }
        return Result.of(sb.toString(), Map.of("tasks", rows));
    }

    /** crash centres a limit in 11 columns ("(unlimited)" fills them), decimal, the extra blank on the right. */
    private static String limit(long v) {
        if (v == -1) return "(unlimited)";
        String d = Long.toUnsignedString(v);
        int left = (11 - d.length()) / 2;
        return " ".repeat(Math.max(0, left)) + d + " ".repeat(Math.max(0, 11 - left - d.length()));
    }

    /** -g: each thread group leader and its threads; a named thread stands for its leader. */
    Result threadGroups(List<TaskInfo> tasks, boolean specified) {
        StringBuilder sb = new StringBuilder();
        List<Object> rows = new ArrayList<>();
        boolean idleShown = false;
        for (TaskInfo t : tasks) {
            TaskInfo leader = t;
            if (t.pid() != t.tgid()) {
                if (!specified) continue;
                leader = table.byPid(t.tgid()).stream().findFirst().orElse(null);
                if (leader == null) continue;
            }
            if (leader.pid() == 0 && idleShown) continue;
            sb.append(PsCommand.header(leader)).append('\n');
            List<Object> threads = new ArrayList<>();
            for (TaskInfo th : table.tasks()) {
                if (th.task() == leader.task() || th.tgid() != leader.tgid()) continue;
                sb.append("  ").append(PsCommand.header(th)).append('\n');
                threads.add(task(th));
                if (th.pid() == 0) idleShown = true;
            }
            if (threads.isEmpty()) sb.append("  (no threads)\n");
            sb.append('\n');
            Map<String, Object> r = task(leader);
            r.put("threads", threads);
            rows.add(r);
        }
        return Result.of(sb.toString(), Map.of("groups", rows));
    }

    /** -a: the command line and environment from the task's user memory (mm arg_start..env_end). */
    Result arguments(List<TaskInfo> tasks) {
        return Result.stream("tasks", out -> {
            for (TaskInfo t : tasks) {
                context.checkCancelled();
                out.text(PsCommand.header(t) + "\n");
                Map<String, Object> r = task(t);
                if (t.mm() == 0) {
                    out.error("no-user-stack", "ps: no user stack\n\n");
                    out.record(r);
                    continue;
                }
                long mm = t.mm();
                long argStart = k.readMember(mm, "mm_struct", "arg_start");
                long argEnd = k.readMember(mm, "mm_struct", "arg_end");
                long envStart = k.readMember(mm, "mm_struct", "env_start");
                long envEnd = k.readMember(mm, "mm_struct", "env_end");
                UserRead args = readUser(mm, argStart, argEnd);
                if (args.failedAt >= 0) {
                    out.error("not-in-dump", String.format("ps: cannot access user stack address: %x\n\n", args.failedAt));
                    out.record(r);
                    continue;
                }
                List<String> argv = strings(args.bytes);
                StringBuilder sb = new StringBuilder("ARG: ").append(argText(args.bytes));
                UserRead env = readUser(mm, envStart, envEnd);
                if (env.failedAt >= 0) {
                    out.text(sb);
                    out.error("not-in-dump", String.format("ps: cannot access user stack address: %x\n\n", env.failedAt));
                    r.put("argv", argv);
                    out.record(r);
                    continue;
                }
                List<String> envp = strings(env.bytes);
                sb.append("\nENV: ").append(envText(env.bytes));
                out.text(sb);
                r.put("argv", argv);
                r.put("envp", envp);
                out.record(r);
            }
            return null;
        });
    }

    private record UserRead(byte[] bytes, long failedAt) { }

    /** User memory of a task through its own page tables, page by page; where a page is missing, its address. */
    private UserRead readUser(long mm, long start, long end) {
        if (end <= start || end - start > (1 << 20)) return new UserRead(new byte[0], -1);
        long pgd = k.u64(mm + k.requireOffset("mm_struct", "pgd"));
        byte[] b = new byte[(int) (end - start)];
        long page = k.session().dump().memory().pageSize() > 0 ? k.session().dump().memory().pageSize() : 4096;
        long at = start;
        while (at < end) {
            int n = (int) Math.min(end - at, page - (at & (page - 1)));
            try {
                long pgdPhys = k.memory().toPhysical(pgd);
                long phys = k.session().arch().toPhysical(pgdPhys, at);
                k.session().dump().memory().read(phys, b, (int) (at - start), n);
            } catch (RuntimeException e) {
                return new UserRead(null, at);
            }
            at += n;
        }
        return new UserRead(b, -1);
    }

    /** argv as crash prints it: each string followed by a space (none after an empty one). */
    private static String argText(byte[] b) {
        StringBuilder sb = new StringBuilder();
        int c = 0;
        for (byte x : b) {
            if (x == 0) {
                if (c > 0) sb.append(' ');
                c = 0;
            } else {
                sb.append((char) (x & 0xff));
                c++;
            }
        }
        return sb.toString();
    }

    /**
     * envp as crash prints it: each string on its own line (indented under "ENV: "), ended by its
     * NUL's newline, then one more newline (two when there was no string), so each task's block
     * ends with a blank line.
     */
    private static String envText(byte[] b) {
        StringBuilder sb = new StringBuilder();
        int c = 0;
        int d = 0;
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                if (c > 0) sb.append('\n');
                c = 0;
            } else {
                if (c == 0 && i > 0) sb.append("     ");
                sb.append((char) (b[i] & 0xff));
                c++;
                d++;
            }
        }
        return sb.append('\n').append(d == 0 ? "\n" : "").toString();
    }

    /** The NUL-separated strings of a user buffer (empty ones left out, as crash prints them). */
    private static List<String> strings(byte[] b) {
        List<String> out = new ArrayList<>();
        int from = 0;
        for (int i = 0; i <= b.length; i++) {
            if (i == b.length || b[i] == 0) {
                if (i > from) out.add(new String(b, from, i - from, java.nio.charset.StandardCharsets.ISO_8859_1));
                from = i + 1;
            }
        }
        return out;
    }

    /**
     * -s: the stack pointer a task saved when it was switched out, where crash reads it: the
     * thread struct's saved kernel stack pointer member, whichever this architecture's debuginfo
     * has (thread.sp, thread.ksp, thread.cpu_context.sp); none for a task running on a CPU.
     */
    OptionalLong kernelStackPointer(TaskInfo t) {
        if (t.active()) return OptionalLong.empty();
        for (String member : new String[] {"thread.sp", "thread.ksp", "thread.cpu_context.sp"}) {
            OptionalLong off = k.offset("task_struct", member);
            if (off.isPresent()) {
                try {
                    return OptionalLong.of(k.u64(t.task() + off.getAsLong()));
                } catch (RuntimeException e) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }

    private static Map<String, Object> task(TaskInfo t) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("pid", t.pid());
        r.put("task", Hex.json(t.task()));
        r.put("cpu", t.cpu());
        r.put("comm", t.comm());
        return r;
    }
}
