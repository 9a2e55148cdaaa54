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

/**
 * crash's `foreach`: runs bt, task or ps for each selected task. Selectors: pids, task
 * addresses, command names, 'regex', and the keywords kernel, user, active.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=foreach")
public class ForeachCommand implements Command {
    private static final Set<String> COMMANDS = Set.of("bt", "task", "ps", "set", "files");
    private static final Set<String> STATES = Set.of("RU", "IN", "UN", "ST", "ZO", "TR", "SW", "DE", "WA", "PA", "ID", "NE");

    @Override public String name() { return "foreach"; }

    @Override public String description() { return "run bt, task, ps or files on many tasks"; }

    @Override
    public String usage() {
        return "foreach - display command data for multiple tasks\n"
                + "foreach [pid | task | name | 'regex' | kernel | user | active | RU|IN|UN|ST|ZO|TR|SW|DE|WA|PA|ID|NE] ...\n"
                + "        bt|task|ps|set|files [options]\n"
                + "  a state selects the tasks in that state (as ps shows it)\n"
                + "  bt options: -f -l;  task options: -R member,...\n";
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        int cmdAt = -1;
        for (int i = 0; i < args.size(); i++) {
            if (COMMANDS.contains(args.get(i))) {
                cmdAt = i;
                break;
            }
        }
        if (cmdAt < 0) throw new CommandException("foreach: no command given (bt, task or ps)");
        String cmd = args.get(cmdAt);
        List<String> selectors = new ArrayList<>();
        List<String> cmdArgs = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            if (i < cmdAt) selectors.add(args.get(i));
            else if (i > cmdAt) cmdArgs.add(args.get(i));
        }
        Session s = context.session();
        TaskTable table = TaskTable.of(s);
        for (String p : table.problems()) context.warn(p);
        List<TaskInfo> tasks = select(table, selectors);

        switch (cmd) {
            case "bt": {
                Args a = Args.parse(cmdArgs, Set.of("f", "l"), Set.of());
                return BtCommand.render(context, s, tasks, a.has("f"), a.has("l"));
            }
            case "task": {
                List<String> targs = new ArrayList<>(cmdArgs);
                for (TaskInfo t : tasks) targs.add(String.format("%x", t.task()));
                return new TaskCommand().execute(context, targs);
            }
            case "files": {
                List<String> fargs = new ArrayList<>(cmdArgs);
                for (TaskInfo t : tasks) fargs.add(String.format("%x", t.task()));
                return new FilesCommand().execute(context, fargs);
            }
            case "set": {
                StringBuilder sb = new StringBuilder();
                for (TaskInfo t : tasks) {
                    if (sb.length() > 0) sb.append('\n');
                    sb.append(PsCommand.header(t)).append('\n').append(SetCommand.show(s, table, t));
                }
                return Result.text(sb.toString());
            }
            default: {
                Kernel k = Kernel.of(s);
                StringBuilder sb = new StringBuilder(PsCommand.HEADER).append('\n');
                List<Object> rows = new ArrayList<>();
                for (TaskInfo t : tasks) {
                    sb.append(PsCommand.line(t, MemUsage.of(k, table, t))).append('\n');
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("pid", t.pid());
                    r.put("task", org.kdive.api.util.Hex.json(t.task()));
                    r.put("comm", t.comm());
                    rows.add(r);
                }
                return Result.of(sb.toString(), Map.of("tasks", rows));
            }
        }
    }

    static List<TaskInfo> select(TaskTable table, List<String> selectors) {
        if (selectors.isEmpty()) return table.tasks();
        List<TaskInfo> out = new ArrayList<>();
        for (TaskInfo t : table.tasks()) {
            for (String sel : selectors) {
                if (matches(t, sel)) {
                    out.add(t);
                    break;
                }
            }
        }
        for (String sel : selectors) {
            if (sel.matches("\\d+|0x[0-9a-fA-F]+")) table.resolve(sel); // error for unknown pids/tasks
        }
        return out;
    }

    private static boolean matches(TaskInfo t, String sel) {
        switch (sel) {
            case "kernel": return t.kernelThread();
            case "user": return !t.kernelThread();
            case "active": return t.active();
            default:
                break;
        }
        // crash's task state selectors: the two-letter states ps shows
        if (STATES.contains(sel)) return t.stateName().equals(sel);
        if (sel.matches("\\d+")) return t.pid() == Long.parseLong(sel);
        if (sel.matches("(0x)?[0-9a-fA-F]{8,16}")) {
            long v = Long.parseUnsignedLong(sel.startsWith("0x") ? sel.substring(2) : sel, 16);
            if (t.task() == v) return true;
        }
        String name = sel.startsWith("\\") ? sel.substring(1) : sel;
        if (name.length() >= 2 && name.startsWith("'") && name.endsWith("'")) {
            return java.util.regex.Pattern.compile(name.substring(1, name.length() - 1)).matcher(t.comm()).find();
        }
        return t.comm().equals(name);
    }
}
