package org.kdive.cmd.kernel.commands;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.kdive.api.command.Args;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Output;
import org.kdive.api.command.Result;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.session.Session;
import org.kdive.cmd.kernel.tasks.TaskTable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * crash's `foreach`: runs bt, vm, task, files, net, set, ps, sig or vtop for each selected task.
 * Selectors: pids, task addresses, command names (a leading '\' escapes a name that is a command,
 * 'regex' matches names), kernel, user, gleader, active, and the states ps shows. Options (-x, -R
 * member …) may stand anywhere on the line, as crash's getopt takes them, and go to the command.
 * vm, sig, net and vtop live in other bundles: they are Command services found by name, never
 * imported; where one is not installed foreach says so.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=foreach")
public class ForeachCommand implements Command {
    private static final List<String> COMMANDS = List.of("bt", "vm", "task", "files", "net", "set", "ps", "sig", "vtop");
    /** Commands of other bundles, run as services. */
    private static final Set<String> SERVICES = Set.of("vm", "sig", "net", "vtop");
    private static final Set<String> STATES = Set.of("RU", "IN", "UN", "ST", "ZO", "TR", "SW", "DE", "WA", "PA", "ID", "NE");
    /** crash's foreach options; -R takes a value. */
    private static final Set<String> FLAGS = Set.of("h", "x", "d", "v", "m", "l", "o", "g", "e", "s", "S", "r", "T", "t", "p", "u", "k",
            "c", "f", "F", "a", "G", "y");

    private final Map<String, Function<CommandContext, Command>> others = new ConcurrentHashMap<>();
    private volatile BundleContext bundleContext;

    @Override public String name() { return "foreach"; }

    @Override public String description() { return "run bt, vm, task, files, net, set, ps, sig or vtop on many tasks"; }

    @Override
    public String usage() {
        return "foreach - display command data for multiple tasks\n"
                + "foreach [pid | task | name | \\name | 'regex' | kernel | user | gleader | active | RU|IN|UN|ST|ZO|TR|SW|DE|WA|PA|ID|NE] ...\n"
                + "        bt|vm|task|files|net|set|ps|sig|vtop [flag] [argument]\n"
                + "  no selector: every task; a state selects the tasks ps shows in it\n"
                + "  bt flags:    -r -t -T -l -e -R ref -f -F -o -s -x -d\n"
                + "  vm flags:    -p -v -m -R ref -d -x          task flags: -R member,... -d -x\n"
                + "  files flags: -c -R ref                     net flags:  -s -S -R ref -d -x\n"
                + "  ps flags:    -G -s -p -c -t -l -a -g -r -y sig flag:   -g\n"
                + "  vtop flags:  -c -u -k (then the address)\n"
                + "  flags may stand anywhere on the line; each task's output starts with its PID header\n"
                + "JSON: bt: bt's records (\"backtraces\", one per task, as bt's usage says for each flag);\n"
                + "  task, files, ps: that command's data for the selected tasks; vm, sig, net, vtop, set: one\n"
                + "  record per task in \"tasks\": task {pid, task, cpu, comm} and the command's data under its name\n"
                + "  (a task the command fails on: an error entry with the message)\n";
    }

    @Activate
    void activate(BundleContext ctx) {
        bundleContext = ctx;
    }

    /** vm, sig, net and vtop: other bundles' Command services, obtained only when foreach runs them. */
    @Reference(service = Command.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = "(|(kdive.command=vm)(kdive.command=sig)(kdive.command=net)(kdive.command=vtop))")
    void addOther(ServiceReference<Command> ref) {
        Object name = ref.getProperty(Command.NAME_PROPERTY);
        if (name instanceof String n) others.put(n, ctx -> service(ref));
    }

    void removeOther(ServiceReference<Command> ref) {
        Object name = ref.getProperty(Command.NAME_PROPERTY);
        if (name instanceof String n) others.remove(n);
    }

    private Command service(ServiceReference<Command> ref) {
        BundleContext ctx = bundleContext;
        Command c = ctx == null ? null : ctx.getService(ref);
        if (c == null) throw new CommandException(ref.getProperty(Command.NAME_PROPERTY) + ": the command's bundle is gone");
        return c;
    }

    /** Without OSGi (tests, embedding): the command another bundle would register. */
    public ForeachCommand with(Command c) {
        others.put(c.name(), ctx -> c);
        return this;
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        List<String> selectors = new ArrayList<>();
        List<String> options = new ArrayList<>();
        List<String> cmdArgs = new ArrayList<>();
        String cmd = null;
        for (int i = 0; i < args.size(); i++) {
            String w = args.get(i);
            if (w.startsWith("-") && w.length() > 1 && !w.matches("-\\d+")) {
                options.add(w);
                if (w.equals("-R")) {
                    if (i + 1 >= args.size()) throw new CommandException("option -R needs a value", CommandException.USAGE);
                    options.add(args.get(++i));
                } else {
                    for (char c : w.substring(1).toCharArray()) {
                        if (!FLAGS.contains(String.valueOf(c))) throw new CommandException("unknown option: " + w, CommandException.USAGE);
                    }
                }
            } else if (cmd == null && COMMANDS.contains(w)) {
                cmd = w;
            } else if (cmd == null) {
                selectors.add(w);
            } else {
                cmdArgs.add(w);
            }
        }
        if (cmd == null) throw new CommandException("no keywords specified", CommandException.USAGE);
        Session s = context.session();
        TaskTable table = TaskTable.of(s);
        for (String p : table.problems()) context.warn(p);
        List<TaskInfo> tasks = select(table, selectors);
        List<String> opts = new ArrayList<>(options);
        switch (cmd) {
            case "bt": {
                List<String> all = new ArrayList<>(opts);
                all.addAll(cmdArgs);
                Args a = Args.parse(all, BtCommand.FLAGS, Set.of("R"));
                BtFormatter.Options o = new BtFormatter.Options(a.has("f") || a.has("F") || a.has("FF"), a.has("FF") ? 2 : a.has("F") ? 1 : 0,
                        a.has("l"), a.has("s"), a.has("x") ? 16 : 10, a.has("o"));
                BtCommand.Mode mode = a.has("r") ? BtCommand.Mode.RAW : a.has("e") ? BtCommand.Mode.EFRAMES
                        : a.has("T") ? BtCommand.Mode.TEXT_ALL : a.has("t") ? BtCommand.Mode.TEXT : BtCommand.Mode.FRAMES;
                return BtCommand.render(context, s, tasks, o, mode, a.value("R"), false);
            }
            case "task":
                return whole(context, new TaskCommand(), opts, cmdArgs, tasks);
            case "files":
                return whole(context, new FilesCommand(), opts, cmdArgs, tasks);
            case "ps":
                return whole(context, new PsCommand(), opts, cmdArgs, tasks);
            case "set":
                return perTask(context, tasks, (t, out) -> {
                    out.text(PsCommand.header(t) + "\n" + SetCommand.show(s, table, t));
                    out.record(Map.of("task", BtFormatter.task(t)));
                });
            default:
                return others(context, cmd, opts, cmdArgs, tasks);
        }
    }

    /** A command of this bundle that takes several tasks at once and prints each one's header itself. */
    private static Result whole(CommandContext context, Command c, List<String> opts, List<String> cmdArgs, List<TaskInfo> tasks) {
        List<String> a = new ArrayList<>(opts);
        a.addAll(cmdArgs);
        if (tasks.isEmpty()) return Result.of("", Map.of("tasks", List.of()));
        for (TaskInfo t : tasks) a.add(String.format("%x", t.task()));
        return c.execute(context, a);
    }

    /** vm, sig, net, vtop: the service once per task, as crash runs them, with the task's PID header. */
    private Result others(CommandContext context, String cmd, List<String> opts, List<String> cmdArgs, List<TaskInfo> tasks) {
        Function<CommandContext, Command> f = others.get(cmd);
        if (f == null) throw new CommandException(cmd + ": command not installed (its bundle is missing)", CommandException.NOT_FOUND);
        Command c = f.apply(context);
        List<String> o = new ArrayList<>(opts);
        boolean socketsOnly = cmd.equals("net") && !o.contains("-s") && !o.contains("-S");
        if (socketsOnly) o.add("-s");
        boolean netReference = cmd.equals("net") && o.contains("-R");
        return Result.stream("tasks", out -> {
            // crash: net without -s or -S shows each task's sockets, after saying so
            if (socketsOnly) out.text("WARNING: net command requires -s or -S option\n\n");
            boolean first = true;
            for (TaskInfo t : tasks) {
                context.checkCancelled();
                List<String> a = new ArrayList<>(o);
                String task = String.format("%x", t.task());
                // vtop takes its task with -c and prints no header of its own; the others take the task as an argument
                if (cmd.equals("vtop")) {
                    a.remove("-c"); // crash's foreach vtop -c: the task's address space, which foreach gives anyway
                    a.add("-c");
                    a.add(task);
                    a.addAll(cmdArgs);
                } else {
                    a.addAll(cmdArgs);
                    a.add(task);
                }
                // crash's net -R: no header and no separator from foreach; net prints a matching
                // task's header and ends its matches with a blank line, a task without one prints nothing
                if (!first && !netReference) out.text("\n");
                first = false;
                if (cmd.equals("vtop")) out.text(PsCommand.header(t) + "\n");
                String text;
                Object data;
                try {
                    Result r = c.execute(context, a);
                    text = r.text();
                    data = r.data();
                } catch (CommandException e) {
                    text = cmd + ": " + e.getMessage() + "\n";
                    data = Map.of("error", e.getMessage());
                    out.error(e.code() == null ? CommandException.NOT_FOUND : e.code(), text);
                    continue;
                }
                out.text(text);
                Map<String, Object> rec = new LinkedHashMap<>();
                rec.put("task", BtFormatter.task(t));
                rec.put(cmd, data);
                out.record(rec);
            }
            return null;
        });
    }

    private interface PerTask {
        void write(TaskInfo t, Output out);
    }

    private static Result perTask(CommandContext context, List<TaskInfo> tasks, PerTask body) {
        return Result.stream("tasks", out -> {
            boolean first = true;
            for (TaskInfo t : tasks) {
                context.checkCancelled();
                if (!first) out.text("\n");
                first = false;
                body.write(t, out);
            }
            return null;
        });
    }

    static List<TaskInfo> select(TaskTable table, List<String> selectors) {
        if (selectors.isEmpty()) return table.tasks();
        for (String sel : selectors) {
            if (sel.matches("\\d+|0x[0-9a-fA-F]+")) table.resolve(sel); // error for unknown pids/tasks
        }
        List<TaskInfo> out = new ArrayList<>();
        for (TaskInfo t : table.tasks()) {
            for (String sel : selectors) {
                if (matches(t, sel)) {
                    out.add(t);
                    break;
                }
            }
        }
        return out;
    }

    private static boolean matches(TaskInfo t, String sel) {
        switch (sel) {
            case "kernel": return t.kernelThread();
            case "user": return !t.kernelThread();
            case "gleader": return !t.kernelThread() && t.pid() == t.tgid();
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
