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
import org.kdive.cmd.kernel.tasks.TaskTable;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** crash's `bt`: backtrace of the context task, of given tasks, or of every active task. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=bt")
public class BtCommand implements Command {
    @Override public String name() { return "bt"; }

    @Override public String description() { return "backtrace of a task (default: the panic task)"; }

    @Override
    public String usage() {
        return "bt - backtrace\n"
                + "bt [-a] [-f] [-l] [-c cpu] [pid | task] ...\n"
                + "  -a      the active task of every CPU\n"
                + "  -c cpu  the active task of that CPU\n"
                + "  -f      also the stack words of each frame\n"
                + "  -l      also the source file and line of each frame\n";
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        Args a = Args.parse(args, Set.of("a", "f", "l"), Set.of("c"));
        Session s = context.session();
        List<TaskInfo> targets = targets(context, s, a);
        return render(context, s, targets, a.has("f"), a.has("l"));
    }

    /** One task at a time, printed (or one JSON record per task) as it is unwound: foreach bt may cover thousands. */
    static Result render(CommandContext context, Session s, List<TaskInfo> targets, boolean full, boolean lines) {
        return Result.stream("backtraces", out -> {
            BtFormatter f = new BtFormatter(s, full, lines);
            boolean first = true;
            for (TaskInfo t : targets) {
                context.checkCancelled();
                Map<String, Object> d = new LinkedHashMap<>();
                String text = f.format(t, d);
                if (!first) out.text("\n");
                out.text(text);
                out.record(d);
                first = false;
            }
            return null;
        });
    }

    private static List<TaskInfo> targets(CommandContext context, Session s, Args a) {
        TaskTable table = TaskTable.of(s);
        for (String p : table.problems()) context.warn(p);
        List<TaskInfo> out = new ArrayList<>();
        if (a.has("a")) {
            out.addAll(table.active());
            if (out.isEmpty()) throw new CommandException("bt: no active tasks found");
            return out;
        }
        if (a.has("c")) {
            for (String c : a.value("c").split(",")) {
                int cpu;
                try {
                    cpu = Integer.parseInt(c.trim());
                } catch (NumberFormatException e) {
                    throw new CommandException("bt: invalid cpu: " + c);
                }
                table.byTask(table.currentOn(cpu)).ifPresentOrElse(out::add,
                        () -> context.warn("bt: no active task on cpu " + cpu));
            }
            return out;
        }
        if (a.positional().isEmpty()) {
            out.add(TaskTable.context(s).orElseThrow(() -> new CommandException("bt: no task found")));
            return out;
        }
        for (String p : a.positional()) out.addAll(table.resolve(p));
        return out;
    }
}
