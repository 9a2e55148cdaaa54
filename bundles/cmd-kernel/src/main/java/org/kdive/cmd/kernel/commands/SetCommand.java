package org.kdive.cmd.kernel.commands;

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
import org.kdive.cmd.kernel.tasks.TaskStates;
import org.kdive.cmd.kernel.tasks.TaskTable;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** crash's `set`: shows or changes the context task that bt, task … use by default. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=set")
public class SetCommand implements Command {
    @Override public String name() { return "set"; }

    @Override public String description() { return "show or set the context task"; }

    @Override
    public String usage() {
        return "set - set the context task\n"
                + "set [pid | task | -c cpu | -a pid|task | -p]\n"
                + "  without argument: show the context task\n"
                + "  -p      back to the panic task\n"
                + "  -c cpu  the task that was running on this CPU\n"
                + "  -a pid | task  mark this task as the one running on its CPU (ps, bt -a, runq see it)\n";
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        Args a = Args.parse(args, Set.of("p"), Set.of("c", "a"));
        Session s = context.session();
        TaskTable table = TaskTable.of(s);
        if (a.has("a")) {
            String arg = a.value("a");
            List<TaskInfo> t = table.resolve(arg);
            // a pid shared by several tasks (pid 0: the idle task of each CPU) is ambiguous here
            if (arg.matches("\\d+") && table.byPid(Long.parseLong(arg)).size() > 1) t = table.byPid(Long.parseLong(arg));
            if (t.size() > 1) throw new CommandException("pid " + arg + " has " + t.size() + " tasks: use a task address");
            TaskInfo marked = table.markActive(t.get(0));
            Map<String, Object> d = describe(table, marked);
            String text = String.format("\"%s\" task %x has been marked as the active task on cpu %d%n",
                    marked.comm(), marked.task(), marked.cpu());
            return Result.of(text, d);
        }
        if (a.has("c")) {
            String c = a.value("c");
            if (!c.matches("\\d+")) throw new CommandException("invalid cpu number: " + c);
            int cpu = Integer.parseInt(c);
            if (cpu >= table.cpus()) {
                throw new CommandException("invalid cpu number: system has only " + table.cpus() + " cpu" + (table.cpus() > 1 ? "s" : ""));
            }
            TaskInfo t = table.byTask(table.currentOn(cpu)).orElseThrow(() -> new CommandException("cannot determine active task on cpu " + cpu));
            // crash prints nothing when the context is that task already
            if (TaskTable.context(s).map(x -> x.task() == t.task()).orElse(false)) return Result.of("", describe(table, t));
            TaskTable.setContext(s, t);
        } else if (a.has("p")) {
            TaskInfo p = table.panicTask().orElseThrow(() -> new CommandException("set: no panic task found"));
            TaskTable.setContext(s, p);
        } else if (!a.positional().isEmpty()) {
            if (a.positional().size() > 1) throw new CommandException("set: only one task may be given");
            List<TaskInfo> t = table.resolve(a.positional(0));
            if (t.size() > 1) {
                context.warn("set: pid " + a.positional(0) + " matches " + t.size() + " tasks; using the first (give a task address)");
            }
            TaskTable.setContext(s, t.get(0));
        }
        TaskInfo cur = TaskTable.context(s).orElseThrow(() -> new CommandException("set: no task found"));
        return Result.of(show(s, table, cur), describe(table, cur));
    }

    /** crash's show_context block (set, kmem ADDR of a task's stack). */
    public static String show(Session s, TaskTable table, TaskInfo t) {
        StringBuilder sb = new StringBuilder();
        sb.append("    PID: ").append(t.pid()).append('\n');
        sb.append("COMMAND: \"").append(t.comm()).append("\"\n");
        sb.append(String.format("   TASK: %x  ", t.task()));
        int same = table.byPid(t.pid()).size();
        if (same > 1) sb.append("(1 of ").append(same).append(")  ");
        sb.append(String.format("[THREAD_INFO: %x]%n", t.task()));
        sb.append("    CPU: ").append(t.cpu()).append('\n');
        sb.append("  STATE: ").append(TaskStates.longName(t.state())).append(' ');
        // crash: (PANIC), (SYSRQ) for a panic forced with SysRq-c, (ACTIVE)
        if (t.active()) sb.append('(').append(org.kdive.cmd.kernel.tasks.ActiveMark.of(s, t)).append(')');
        sb.append('\n');
        return sb.toString();
    }

    private static Map<String, Object> describe(TaskTable table, TaskInfo t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", t.pid());
        m.put("comm", t.comm());
        m.put("task", org.kdive.api.util.Hex.json(t.task()));
        m.put("cpu", t.cpu());
        m.put("state", TaskStates.longName(t.state()));
        m.put("active", t.active());
        m.put("panic", table.panicTask().map(p -> p.task() == t.task()).orElse(false));
        return m;
    }
}
