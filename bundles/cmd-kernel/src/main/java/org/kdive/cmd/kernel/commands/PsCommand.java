package org.kdive.cmd.kernel.commands;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.kdive.api.command.Args;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.session.Session;
import org.kdive.api.util.Columns;
import org.kdive.cmd.kernel.access.Kernel;
import org.kdive.cmd.kernel.tasks.MemUsage;
import org.kdive.cmd.kernel.tasks.TaskFacts;
import org.kdive.cmd.kernel.tasks.TaskTable;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** crash's `ps`: every task, including the per-CPU idle tasks; `>` marks the active ones. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=ps")
public class PsCommand implements Command {
    static final String HEADER = "      PID    PPID  CPU       TASK        ST  %MEM      VSZ      RSS  COMM";

    @Override public String name() { return "ps"; }

    @Override public String description() { return "display process status information"; }

    @Override
    public String usage() {
        return "ps - display process status information\n"
                + "ps [-k|-u|-G|-y policy] [-s] [-p|-c|-t|-[l|m][-C cpu]|-a|-g|-r|-S|-A|-H]\n"
                + "     [pid | task | command] ...\n"
                + "  pid | task | command | 'regex'   select tasks (\\name for a numeric command name)\n"
                + "  -k  kernel threads only        -u  user tasks only\n"
                + "  -G  thread group leaders only  -y policy  only tasks of these scheduling policies\n"
                + "      (0|NORMAL, 1|FIFO, 2|RR, 3|BATCH, 4|ISO, 5|IDLE, 6|DEADLINE; comma-separated)\n"
                + "  -s  the saved kernel stack pointer (KSTACKP) instead of the task address\n"
                + "  -H  no header                  -A  active tasks only\n"
                + "  -p  the parents of each task   -c  the children of each task\n"
                + "  -t  run time, start time, user and system time (oldest first)\n"
                + "  -l  the last-run timestamp (sched_info.last_arrival, ns), most recent first\n"
                + "  -m  the time since the task last ran (days hh:mm:ss.ms), most recent first\n"
                + "  -C cpus  with -l or -m: per CPU (1, 0-3, 0,2 or a)\n"
                + "  -a  the command line and environment (from the task's user memory)\n"
                + "  -g  the threads of each thread group    -r  resource limits\n"
                + "  -S  the number of tasks in each state\n";
    }

    /** Options that choose another view than the table: only one of them at a time. */
    private static final String EXCLUSIVE = "atcpglmSrA";

    @Override
    public Result execute(CommandContext context, List<String> args) {
        Args a = Args.parse(args, Set.of("k", "u", "G", "p", "c", "A", "I", "H", "s", "t", "l", "m", "a", "g", "r", "S"),
                Set.of("C", "y"));
        if (a.has("k") && a.has("u")) throw new CommandException("-u and -k are mutually exclusive");
        long exclusive = EXCLUSIVE.chars().filter(c -> a.has(String.valueOf((char) c))).count();
        if (exclusive > 1) throw new CommandException("-a, -t, -c, -p, -g, -l, -m, -S, -r and -A flags are all mutually-exclusive");
        Session s = context.session();
        Kernel k = Kernel.of(s);
        TaskFacts facts = new TaskFacts(k);
        if ((a.has("l") || a.has("m")) && !facts.hasLastRun()) {
            throw new CommandException("last-run timestamps do not exist in this kernel");
        }
        if (a.has("C") && !a.has("l") && !a.has("m")) throw new CommandException("-C option is only applicable with -l and -m");
        if (a.has("G") && (a.has("l") || a.has("m"))) {
            throw new CommandException("-G not supported with -" + (a.has("l") ? "l" : "m") + " option");
        }
        TaskTable table = TaskTable.of(s);
        for (String p : table.problems()) context.warn(p);
        int policies = a.has("y") ? policyMask(a.value("y")) : 0;
        boolean all = a.positional().isEmpty();
        if (!all && a.has("S")) throw new CommandException("-S option takes no arguments");
        if (a.has("S") && (a.has("u") || a.has("k") || a.has("G"))) {
            throw new CommandException("-S option cannot be used with other options");
        }
        if (!all && a.has("C")) context.warn("ps: -C option is not applicable with specified tasks");

        List<TaskInfo> order = new ArrayList<>(table.tasks());
        if (a.has("l") || a.has("m")) {
            // crash sorts its task table by last run, most recent first
            order.sort((x, y) -> Long.compareUnsigned(facts.lastRun(y.task()), facts.lastRun(x.task())));
        }
        List<TaskInfo> selected = new ArrayList<>();
        if (all) {
            selected.addAll(order);
        } else {
            for (TaskInfo t : order) {
                for (String arg : a.positional()) {
                    if (matches(table, t, arg) && groupLeaderIfNamed(a, t, arg)) selected.add(t);
                }
            }
            for (String arg : a.positional()) {
                if (arg.matches("\\d+|0x[0-9a-fA-F]+|[0-9a-fA-F]{8,16}")) {
                    try {
                        table.resolve(arg);
                    } catch (CommandException e) {
                        context.warn("ps: " + e.getMessage());
                    }
                }
            }
        }
        PsViews views = new PsViews(context, k, table, facts);
        if (a.has("S")) return views.summary(selected);
        if (a.has("t")) return views.times(filter(k, facts, selected, a, policies, all), all);
        if ((a.has("l") || a.has("m")) && a.has("C") && all) {
            return views.lastRunByCpu(order, RunqCommand.cpuSpec(a.value("C"), table.cpus()), a.has("m"));
        }
        List<TaskInfo> shown = filter(k, facts, selected, a, policies, all);
        if (a.has("l") || a.has("m")) return views.lastRun(shown, order, a.has("m"));
        if (a.has("a")) return views.arguments(shown);
        if (a.has("r")) return views.rlimits(shown);
        if (a.has("g")) return views.threadGroups(shown, !all);

        StringBuilder sb = new StringBuilder();
        List<Object> rows = new ArrayList<>();
        if (a.has("p") || a.has("c")) {
            for (TaskInfo t : shown) {
                if (a.has("p")) parents(sb, table, t);
                else children(sb, table, t);
                sb.append('\n');
                rows.add(row(t, null));
            }
            return Result.of(sb.toString(), Map.of("tasks", rows));
        }
        boolean kstack = a.has("s");
        if (!a.has("H")) sb.append(kstack ? KSTACK_HEADER : HEADER).append('\n');
        for (TaskInfo t : shown) {
            if (a.has("A") && all && !t.active()) continue;
            MemUsage m = MemUsage.of(k, table, t);
            OptionalLong ksp = kstack ? views.kernelStackPointer(t) : OptionalLong.empty();
            sb.append(kstack ? line(t, m, ksp) : line(t, m)).append('\n');
            Map<String, Object> r = row(t, m);
            if (kstack) r.put("kstackp", ksp.isPresent() ? org.kdive.api.util.Hex.json(ksp.getAsLong()) : null);
            rows.add(r);
        }
        return Result.of(sb.toString(), Map.of("tasks", rows));
    }

    static final String KSTACK_HEADER = "      PID    PPID  CPU      KSTACKP      ST  %MEM      VSZ      RSS  COMM";

    /** With -g or -G a command name or regex selects only thread group leaders. */
    private static boolean groupLeaderIfNamed(Args a, TaskInfo t, String arg) {
        if (!(a.has("g") || a.has("G"))) return true;
        if (arg.matches("\\d+|(0x)?[0-9a-fA-F]{8,16}")) return true;
        return t.pid() == t.tgid();
    }

    /** crash's -y argument: names (any case, a prefix is enough) or numbers, comma-separated; a mask of policies. */
    static int policyMask(String spec) {
        int mask = 0;
        for (String p : spec.split(",")) {
            String u = p.trim().toUpperCase(java.util.Locale.ROOT);
            boolean found = false;
            for (int i = 0; i < TaskFacts.POLICIES.length; i++) {
                if (u.startsWith(TaskFacts.POLICIES[i]) || u.equals(String.valueOf(i)) || u.equals("0X" + i)) {
                    mask |= 1 << i;
                    found = true;
                    break;
                }
            }
            if (!found) throw new CommandException("" + p + ": invalid scheduling policy");
        }
        return mask;
    }

    private static boolean matches(TaskTable table, TaskInfo t, String arg) {
        if (arg.matches("\\d+")) {
            long v = Long.parseLong(arg);
            if (t.pid() == v) return true;
        }
        if (arg.matches("(0x)?[0-9a-fA-F]{8,16}")) {
            long v = Long.parseUnsignedLong(arg.startsWith("0x") ? arg.substring(2) : arg, 16);
            if (t.task() == v) return true;
        }
        String comm = arg.startsWith("\\") ? arg.substring(1) : arg;
        if (comm.length() >= 2 && comm.startsWith("'") && comm.endsWith("'")) {
            return java.util.regex.Pattern.compile(comm.substring(1, comm.length() - 1)).matcher(t.comm()).find();
        }
        return t.comm().equals(comm);
    }

    private static List<TaskInfo> filter(Kernel k, TaskFacts facts, List<TaskInfo> in, Args a, int policies, boolean all) {
        List<TaskInfo> out = new ArrayList<>();
        java.util.Set<Long> leaders = new java.util.HashSet<>();
        for (TaskInfo t : in) {
            if (a.has("k") && !t.kernelThread()) continue;
            if (a.has("u") && t.kernelThread()) continue;
            if (a.has("I") && t.idle()) continue;
            if (policies != 0 && (policies & (1 << facts.policy(t.task()))) == 0) continue;
            if (a.has("G")) {
                // a thread stands for its group leader when named, and each leader shows once
                TaskInfo leader = t;
                if (t.pid() != t.tgid()) {
                    if (all) continue;
                    leader = TaskTable.of(k.session()).byPid(t.tgid()).stream().findFirst().orElse(null);
                    if (leader == null) continue;
                }
                if (!leaders.add(leader.task())) continue;
                t = leader;
            }
            out.add(t);
        }
        return out;
    }

    /** One ps line with the KSTACKP column (crash's -s): "--" for active tasks. */
    static String line(TaskInfo t, MemUsage m, OptionalLong ksp) {
        String l = line(t, m);
        String col = ksp.isPresent() ? org.kdive.api.util.Hex.addr(ksp.getAsLong()) : "       --       ";
        return l.substring(0, 23) + col + l.substring(39);
    }

    /** One ps line, crash's columns. */
    static String line(TaskInfo t, MemUsage m) {
        String pct = org.kdive.cmd.kernel.access.CNumbers.oneDecimal(m.pctMem());
        if (pct.length() == 3) pct = " " + pct;
        String comm = t.kernelThread() ? "[" + t.comm() + "]" : t.comm();
        String pad = t.stateName().length() > 3 ? " " : "  ";
        // "%s%7d %7d %3d  %016x %3s%s%s %8d %8d  %s"
        StringBuilder sb = new StringBuilder(80).append(t.active() ? "> " : "  ");
        Columns.right(sb, t.pid(), 7).append(' ');
        Columns.right(sb, t.ppid(), 7).append(' ');
        Columns.right(sb, t.cpu(), 3).append("  ");
        Columns.hex16(sb, t.task()).append(' ');
        Columns.right(sb, t.stateName(), 3).append(pad).append(pct).append(' ');
        Columns.right(sb, m.vszKb(), 8).append(' ');
        Columns.right(sb, m.rssKb(), 8).append("  ");
        return sb.append(comm).toString();
    }

    private static Map<String, Object> row(TaskInfo t, MemUsage m) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("pid", t.pid());
        r.put("ppid", t.ppid());
        r.put("cpu", t.cpu());
        r.put("task", org.kdive.api.util.Hex.json(t.task()));
        r.put("state", t.stateName());
        if (m != null) {
            r.put("pct_mem", Math.round(m.pctMem() * 10) / 10.0);
            r.put("vsz_kb", m.vszKb());
            r.put("rss_kb", m.rssKb());
        }
        r.put("comm", t.comm());
        r.put("active", t.active());
        r.put("kernel_thread", t.kernelThread());
        return r;
    }

    static String header(TaskInfo t) {
        // "PID: %-7d  TASK: %016x  CPU: %-3s  COMMAND: \"%s\""
        StringBuilder sb = Columns.left(new StringBuilder(80).append("PID: "), t.pid(), 7).append("  TASK: ");
        Columns.hex16(sb, t.task()).append("  CPU: ");
        return Columns.left(sb, String.valueOf(t.cpu()), 3).append("  COMMAND: \"").append(t.comm()).append('"').toString();
    }

    private static void parents(StringBuilder sb, TaskTable table, TaskInfo t) {
        List<TaskInfo> chain = new ArrayList<>();
        TaskInfo cur = t;
        chain.add(cur);
        // up through real_parent pids until the idle task; bounded against cycles
        for (int i = 0; i < 4096 && cur.pid() != 0; i++) {
            List<TaskInfo> p = table.byPid(cur.ppid());
            if (p.isEmpty()) break;
            cur = p.get(0);
            if (chain.contains(cur)) break;
            chain.add(cur);
        }
        String indent = "";
        for (int i = chain.size() - 1; i >= 0; i--) {
            sb.append(indent).append(header(chain.get(i))).append('\n');
            indent += " ";
        }
    }

    private static void children(StringBuilder sb, TaskTable table, TaskInfo t) {
        sb.append(header(t)).append('\n');
        List<TaskInfo> kids = table.children(t);
        if (kids.isEmpty()) {
            sb.append("  (no children)\n");
        } else {
            for (TaskInfo c : kids) sb.append("  ").append(header(c)).append('\n');
        }
    }
}
