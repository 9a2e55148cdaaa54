package org.kdive.cmd.kernel.commands;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.kdive.api.command.Args;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.session.Session;
import org.kdive.cmd.kernel.access.Kernel;
import org.kdive.cmd.kernel.tasks.MemUsage;
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
                + "ps [-k|-u] [-G] [-p|-c] [-A] [-I] [-H] [pid | task | command] ...\n"
                + "  -k  kernel threads only        -u  user tasks only\n"
                + "  -G  thread group leaders only  -A  active tasks only\n"
                + "  -I  leave out the idle tasks   -H  no header\n"
                + "  -p  the parents of each task   -c  the children of each task\n";
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        Args a = Args.parse(args, Set.of("k", "u", "G", "p", "c", "A", "I", "H"), Set.of());
        if (a.has("k") && a.has("u")) throw new CommandException("ps: -u and -k are mutually exclusive");
        if (a.has("p") && a.has("c")) throw new CommandException("ps: -p and -c are mutually exclusive");
        Session s = context.session();
        TaskTable table = TaskTable.of(s);
        for (String p : table.problems()) context.warn(p);

        List<TaskInfo> selected = new ArrayList<>();
        if (a.positional().isEmpty()) {
            selected.addAll(table.tasks());
        } else {
            for (TaskInfo t : table.tasks()) {
                for (String arg : a.positional()) {
                    if (matches(table, t, arg)) {
                        selected.add(t);
                        break;
                    }
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

        StringBuilder sb = new StringBuilder();
        List<Object> rows = new ArrayList<>();
        if (a.has("p") || a.has("c")) {
            for (TaskInfo t : filter(selected, a)) {
                if (a.has("p")) parents(sb, table, t);
                else children(sb, table, t);
                sb.append('\n');
                rows.add(row(t, null));
            }
            return Result.of(sb.toString(), Map.of("tasks", rows));
        }
        if (!a.has("H")) sb.append(HEADER).append('\n');
        Kernel k = Kernel.of(s);
        for (TaskInfo t : filter(selected, a)) {
            if (a.has("A") && !t.active()) continue;
            MemUsage m = MemUsage.of(k, table, t);
            sb.append(line(t, m)).append('\n');
            rows.add(row(t, m));
        }
        return Result.of(sb.toString(), Map.of("tasks", rows));
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

    private static List<TaskInfo> filter(List<TaskInfo> in, Args a) {
        List<TaskInfo> out = new ArrayList<>();
        for (TaskInfo t : in) {
            if (a.has("k") && !t.kernelThread()) continue;
            if (a.has("u") && t.kernelThread()) continue;
            if (a.has("I") && t.idle()) continue;
            if (a.has("G") && t.pid() != t.tgid()) continue;
            out.add(t);
        }
        return out;
    }

    /** One ps line, crash's columns. */
    static String line(TaskInfo t, MemUsage m) {
        String pct = String.format("%.1f", m.pctMem());
        if (pct.length() == 3) pct = " " + pct;
        String comm = t.kernelThread() ? "[" + t.comm() + "]" : t.comm();
        String pad = t.stateName().length() > 3 ? " " : "  ";
        return String.format("%s%7d %7d %3d  %016x %3s%s%s %8d %8d  %s",
                t.active() ? "> " : "  ", t.pid(), t.ppid(), t.cpu(), t.task(), t.stateName(), pad,
                pct, m.vszKb(), m.rssKb(), comm);
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
        return String.format("PID: %-7d  TASK: %016x  CPU: %-3s  COMMAND: \"%s\"", t.pid(), t.task(),
                String.valueOf(t.cpu()), t.comm());
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
