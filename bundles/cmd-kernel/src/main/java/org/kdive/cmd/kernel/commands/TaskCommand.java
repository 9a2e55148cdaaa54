package org.kdive.cmd.kernel.commands;

import java.util.ArrayList;
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
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Type;
import org.kdive.cmd.kernel.access.Kernel;
import org.kdive.cmd.kernel.access.ValuePrinter;
import org.kdive.cmd.kernel.tasks.TaskTable;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** crash's `task`: the task_struct (and thread_info) of the context task or of given tasks. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=task")
public class TaskCommand implements Command {
    @Override public String name() { return "task"; }

    @Override public String description() { return "task_struct contents of a task"; }

    @Override
    public String usage() {
        return "task - task_struct and thread_info contents\n"
                + "task [-R member[,member]] [-x|-d] [pid | task] ...\n"
                + "  -R member,...  only these task_struct members (dotted paths allowed: se.vruntime)\n"
                + "  -x             integers in hexadecimal\n"
                + "  -d             integers in decimal (the default)\n";
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        Args a = Args.parse(args, Set.of("x", "d"), Set.of("R"));
        Session s = context.session();
        TaskTable table = TaskTable.of(s);
        List<TaskInfo> targets = new ArrayList<>();
        if (a.positional().isEmpty()) {
            targets.add(TaskTable.context(s).orElseThrow(() -> new CommandException("task: no task found")));
        } else {
            for (String p : a.positional()) targets.addAll(table.resolve(p));
        }
        Kernel k = Kernel.of(s);
        Type taskType = k.type("struct task_struct")
                .orElseThrow(() -> new CommandException("task: struct task_struct is not known (no debuginfo?)"));
        if (a.has("x") && a.has("d")) throw new CommandException("-d and -x are mutually exclusive");
        ValuePrinter vp = new ValuePrinter(k, a.has("x"));
        StringBuilder sb = new StringBuilder();
        List<Object> data = new ArrayList<>();
        for (TaskInfo t : targets) {
            sb.append(PsCommand.header(t)).append('\n');
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("pid", t.pid());
            d.put("task", org.kdive.api.util.Hex.json(t.task()));
            if (a.has("R")) {
                Map<String, Object> members = new LinkedHashMap<>();
                for (String name : a.value("R").split(",")) {
                    String n = name.trim();
                    if (n.isEmpty()) continue;
                    String line = member(k, vp, taskType, t.task(), n);
                    sb.append(line).append(",\n");
                    members.put(n, line.substring(line.indexOf(" = ") + 3));
                }
                sb.append('\n');
                d.put("members", members);
            } else {
                String body = vp.value(t.task(), taskType, "");
                sb.append("struct task_struct ").append(body).append("\n\n");
                d.put("task_struct", body);
                Optional<Member> ti = k.member("task_struct", "thread_info");
                if (ti.isPresent()) {
                    sb.append("struct thread_info ").append(vp.value(t.task() + ti.get().offset(), ti.get().type(), ""))
                            .append("\n\n");
                }
            }
            data.add(d);
        }
        return Result.of(sb.toString(), Map.of("tasks", data));
    }

    /** "  name = value" for a member or a dotted member path of task_struct. */
    static String member(Kernel k, ValuePrinter vp, Type type, long base, String path) {
        return StructDisplay.memberLine(k, vp, type, base, path).text();
    }
}
