package org.kdive.cmd.kernel.commands;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.kdive.api.arch.CpuStack;
import org.kdive.api.arch.Registers;
import org.kdive.api.arch.StackFrame;
import org.kdive.api.command.Args;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.session.Session;
import org.kdive.api.util.Hex;
import org.kdive.cmd.kernel.access.Kernel;
import org.kdive.cmd.kernel.tasks.Backtraces;
import org.kdive.cmd.kernel.tasks.TaskStack;
import org.kdive.cmd.kernel.tasks.TaskTable;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** crash's `bt`: backtrace of the context task, of given tasks, or of every active task, in each of crash's modes. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=bt")
public class BtCommand implements Command {
    static final Set<String> FLAGS = Set.of("a", "f", "F", "FF", "l", "e", "E", "g", "r", "s", "t", "T", "x", "d", "o", "O", "p", "v");
    static final Set<String> VALUES = Set.of("c", "R", "n");
    private static final long STACK_END_MAGIC = 0x57AC6E9DL;

    @Override public String name() { return "bt"; }

    @Override public String description() { return "backtrace of a task (default: the panic task)"; }

    @Override
    public String usage() {
        return "bt - backtrace\n"
                + "bt [-a|-c cpu(s)|-g|-r|-t|-T|-l|-e|-E|-f|-F|-o|-O|-v|-p] [-R ref] [-s [-x|d]] [-n idle] [pid | task] ...\n"
                + "  -a      the active task of every CPU\n"
                + "  -c cpu  the active task of those CPUs (\"3\", \"1,8,9\", \"1-23\")\n"
                + "  -p      the panic task only\n"
                + "  -g      every thread of the target's thread group, the leader first\n"
                + "  -f      also the stack words of each frame\n"
                + "  -F[F]   as -f, words shown as symbols or [slab cache] (-FF: [address:slab cache])\n"
                + "  -l      also the source file and line of each frame\n"
                + "  -s      symbol names with their offset (-x in hex, -d in decimal)\n"
                + "  -t      every text address on the stack from where the backtrace starts\n"
                + "  -T      every text address on the whole stack\n"
                + "  -e      search the stack for exception frames (kernel and user mode)\n"
                + "  -E      search the IRQ and exception stacks of every CPU (or of -c's) for exception frames\n"
                + "  -r      the raw stack, two words a line, symbols by name\n"
                + "  -o      the old backtrace: every return address on the stack (x86_64; -O makes it the default)\n"
                + "  -R ref  only the backtraces that reference this symbol or text address\n"
                + "  -v      check every task's stack for overflows (STACK_END_MAGIC)\n"
                + "  -n idle the idle tasks' headers without their stacks\n"
                + "JSON: one record per task in \"backtraces\": task {pid, task, cpu, comm} and\n"
                + "  (default, -s/-x/-d, -o, -p, -g, -a, -c, -l, -R) frames [{level, function, offset, module,\n"
                + "    address, sp, method, reliable, file and line (-l), exception {function, offset, module,\n"
                + "    address, registers}}], or problem; -f/-F/-FF add each frame's stack_words [{address,\n"
                + "    value, symbol and slab_cache (-F/-FF)}]\n"
                + "  -t/-T  text_symbols [{sp, address, function, offset, module, exception}]; -t also start\n"
                + "         {function, address, sp}\n"
                + "  -e     exception_frames [{frame, kernel_mode, function, offset, module, address, registers}]\n"
                + "  -r     stack, size, words [{address, value (null: unreadable), symbol}]\n"
                + "  -E     one record per CPU stack in \"stacks\": cpu, stack (\"IRQ\", \"NMI EXCEPTION\", ...),\n"
                + "         start, end, exception_frames\n"
                + "  -v     overflows [{task, location, value}]; -O old_method (boolean)\n"
                + "  Addresses are \"0x\" strings, registers numbers.\n";
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        Args a = Args.parse(args, FLAGS, VALUES);
        Session s = context.session();
        if (a.has("x") && a.has("d")) throw new CommandException("-d and -x are mutually exclusive");
        if (a.has("O")) {
            AtomicBoolean old = oldByDefault(s);
            boolean now = !old.get();
            old.set(now);
            return Result.of("bt: use " + (now ? "old" : "new") + " bt method by default\n", Map.of("old_method", now));
        }
        if (a.has("v")) return overflows(context, s);
        if (a.has("n") && !a.value("n").equals("idle")) throw new CommandException("-n option not supported on this architecture or kernel");
        BtFormatter.Options o = new BtFormatter.Options(a.has("f") || a.has("F") || a.has("FF"), a.has("FF") ? 2 : a.has("F") ? 1 : 0,
                a.has("l"), a.has("s"), a.has("x") ? 16 : 10, a.has("o") || oldByDefault(s).get());
        if (o.oldMethod() && !a.has("r") && !a.has("e") && !a.has("E") && !a.has("t") && !a.has("T")) {
            // crash: "option not supported" where the architecture has no such method
            TaskInfo probe = TaskTable.context(s).orElse(null);
            if (probe != null && !Backtraces.of(s, probe).frames().isEmpty() && Backtraces.startRegisters(s, probe).isPresent()
                    && s.arch().unwindByScan(s, Backtraces.startRegisters(s, probe).get(), TaskStack.of(s).region(probe), false).isEmpty()) {
                throw new CommandException("-o option not supported on this architecture or kernel");
            }
        }
        if (a.has("E")) return cpuStacks(context, s, a);
        List<TaskInfo> targets = targets(context, s, a);
        Mode mode = a.has("r") ? Mode.RAW : a.has("e") ? Mode.EFRAMES : a.has("T") ? Mode.TEXT_ALL : a.has("t") ? Mode.TEXT : Mode.FRAMES;
        return render(context, s, targets, o, mode, a.value("R"), a.has("n"));
    }

    /** What bt prints for each task. */
    enum Mode { FRAMES, TEXT, TEXT_ALL, EFRAMES, RAW }

    /** One task at a time, printed (or one JSON record per task) as it is unwound: foreach bt may cover thousands. */
    static Result render(CommandContext context, Session s, List<TaskInfo> targets, boolean full, boolean lines) {
        return render(context, s, targets, BtFormatter.Options.frames(full, lines), Mode.FRAMES, null, false);
    }

    static Result render(CommandContext context, Session s, List<TaskInfo> targets, BtFormatter.Options o, Mode mode, String ref,
            boolean skipIdle) {
        Reference reference = ref == null ? null : Reference.of(s, ref);
        return Result.stream("backtraces", out -> {
            BtFormatter f = new BtFormatter(s, o);
            boolean first = true;
            for (TaskInfo t : targets) {
                context.checkCancelled();
                Map<String, Object> d = new LinkedHashMap<>();
                String text;
                if (skipIdle && t.pid() == 0) {
                    text = PsCommand.header(t) + "\n";
                    d.put("task", BtFormatter.task(t));
                } else {
                    text = switch (mode) {
                        case RAW -> f.raw(t, d);
                        case EFRAMES -> f.exceptionSearch(t, d);
                        case TEXT -> f.textSymbols(t, false, d);
                        case TEXT_ALL -> f.textSymbols(t, true, d);
                        default -> f.format(t, d);
                    };
                }
                if (reference != null) {
                    // crash prints only the referencing backtraces, each followed by a blank line
                    if (!reference.foundIn(s, t, mode, o)) continue;
                    out.text(text);
                    out.text("\n");
                } else {
                    if (!first) out.text("\n");
                    out.text(text);
                }
                out.record(d);
                first = false;
            }
            return null;
        });
    }

    /** bt -E: every CPU's IRQ and exception stacks searched for exception frames (crash: "CPU n NAME STACK:"). */
    private static Result cpuStacks(CommandContext context, Session s, Args a) {
        Set<Integer> cpus = a.has("c") ? cpuMask(a.value("c")) : null;
        List<CpuStack> stacks = s.arch().cpuStacks(s);
        if (stacks.isEmpty()) throw new CommandException("IRQ stacks do not exist in this kernel");
        return Result.stream("stacks", out -> {
            BtFormatter f = new BtFormatter(s, BtFormatter.Options.PLAIN);
            for (CpuStack c : stacks) {
                context.checkCancelled();
                if (cpus != null && !cpus.contains(c.cpu())) continue;
                StringBuilder sb = new StringBuilder(String.format("CPU %d %s STACK:%n", c.cpu(), c.name()));
                List<Object> found = f.found(sb, s.arch().searchExceptionFrames(s, c.region(), c.region().start(), false));
                sb.append(found.isEmpty() ? "(none found)\n\n" : "\n");
                out.text(sb);
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("cpu", c.cpu());
                d.put("stack", c.name());
                d.put("start", Hex.json(c.region().start()));
                d.put("end", Hex.json(c.region().end()));
                d.put("exception_frames", found);
                out.record(d);
            }
            return null;
        });
    }

    /** bt -v: crash's check_stack_overflow (STACK_END_MAGIC at the stack's end, thread_info.task/cpu where thread_info is on it). */
    private static Result overflows(CommandContext context, Session s) {
        Kernel k = Kernel.of(s);
        TaskTable table = TaskTable.of(s);
        TaskStack ts = TaskStack.of(s);
        boolean infoInTask = k.member("task_struct", "thread_info").map(m -> m.type().resolve().kind() != org.kdive.api.symbols.Type.Kind.POINTER).orElse(false);
        long initTask = k.symbol("init_task").orElse(-1L);
        StringBuilder sb = new StringBuilder();
        List<Object> rows = new ArrayList<>();
        for (TaskInfo t : table.tasks()) {
            context.checkCancelled();
            if (t.pid() == 0 && t.task() == initTask) continue;
            long location;
            long magic;
            try {
                long base = ts.region(t).start();
                location = infoInTask ? base : base + ts.belowFrames();
                magic = k.u64(location);
            } catch (RuntimeException e) {
                continue;
            }
            if (magic == STACK_END_MAGIC) continue;
            sb.append(PsCommand.header(t)).append('\n');
            sb.append(String.format("  possible stack overflow: %x: %x != STACK_END_MAGIC%n%n", location, magic));
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("task", BtFormatter.task(t));
            r.put("location", Hex.json(location));
            r.put("value", Hex.json(magic));
            rows.add(r);
        }
        if (rows.isEmpty()) sb.append("No stack overflows detected\n");
        return Result.of(sb.toString(), Map.of("overflows", rows));
    }

    @SuppressWarnings("unchecked")
    private static AtomicBoolean oldByDefault(Session s) {
        return s.cached("cmd-kernel.bt-old-method", AtomicBoolean::new);
    }

    /** crash's cpu lists: "3", "1,8,9", "1-23", "1,8,9-14". */
    static Set<Integer> cpuMask(String spec) {
        Set<Integer> out = new TreeSet<>();
        for (String part : spec.split(",")) {
            String p = part.trim();
            try {
                int dash = p.indexOf('-');
                if (dash > 0) {
                    int lo = Integer.parseInt(p.substring(0, dash));
                    int hi = Integer.parseInt(p.substring(dash + 1));
                    for (int c = lo; c <= hi && c - lo < 65536; c++) out.add(c);
                } else {
                    out.add(Integer.parseInt(p));
                }
            } catch (NumberFormatException e) {
                throw new CommandException("invalid cpu specification: " + spec);
            }
        }
        return out;
    }

    private static List<TaskInfo> targets(CommandContext context, Session s, Args a) {
        TaskTable table = TaskTable.of(s);
        for (String p : table.problems()) context.warn(p);
        List<TaskInfo> out = new ArrayList<>();
        if (a.has("g") && a.has("c")) throw new CommandException("-c option cannot be used with the -g option");
        if (a.has("g") && a.has("a")) throw new CommandException("-a option cannot be used with the -g option");
        if (a.has("a")) {
            out.addAll(table.active());
            if (out.isEmpty()) throw new CommandException("no active tasks found");
            return out;
        }
        if (a.has("c")) {
            for (int cpu : cpuMask(a.value("c"))) {
                table.byTask(table.currentOn(cpu)).ifPresentOrElse(out::add,
                        () -> { throw new CommandException("cannot determine active task on cpu " + cpu); });
            }
            return out;
        }
        if (a.positional().isEmpty()) {
            TaskInfo t = a.has("p") ? table.panicTask().orElseThrow(() -> new CommandException("no panic task found!"))
                    : TaskTable.context(s).orElseThrow(() -> new CommandException("no task found"));
            out.add(t);
        } else {
            for (String p : a.positional()) out.addAll(table.resolve(p));
        }
        return a.has("g") ? threadGroups(table, out) : out;
    }

    /** Each target's thread group, the leader first, then its other threads in task-list order (crash's -g). */
    private static List<TaskInfo> threadGroups(TaskTable table, List<TaskInfo> targets) {
        List<TaskInfo> out = new ArrayList<>();
        for (TaskInfo t : targets) {
            if (t.pid() == 0) {
                out.add(t);
                continue;
            }
            List<TaskInfo> leader = table.byPid(t.tgid());
            out.add(leader.isEmpty() ? t : leader.get(0));
            for (TaskInfo o : table.tasks()) if (o.tgid() == t.tgid() && o.pid() != t.tgid()) out.add(o);
        }
        return out;
    }

    /** bt -R: a symbol name or an address (a number or an expression crash can evaluate) a backtrace must reference. */
    record Reference(String symbol, Long value) {
        static Reference of(Session s, String ref) {
            String r = ref.trim();
            if (r.matches("(0x)?[0-9a-fA-F]+") && (r.startsWith("0x") || !r.matches(".*[g-zG-Z_].*"))) {
                try {
                    return new Reference(null, Long.parseUnsignedLong(r.startsWith("0x") ? r.substring(2) : r, 16));
                } catch (NumberFormatException e) {
                    // a name after all
                }
            }
            return new Reference(r, null);
        }

        /** Whether the task's backtrace, in this mode, names the symbol or holds the value. */
        boolean foundIn(Session s, TaskInfo t, Mode mode, BtFormatter.Options o) {
            List<StackFrame> frames = switch (mode) {
                case TEXT, TEXT_ALL -> {
                    Backtraces.Trace tr = Backtraces.of(s, t);
                    TaskStack ts = TaskStack.of(s);
                    if (mode == Mode.TEXT_ALL) {
                        var region = ts.region(t);
                        yield s.arch().textWords(s, region, region.start() + ts.belowFrames(), !t.kernelThread());
                    }
                    if (tr.frames().isEmpty()) yield List.of();
                    long from = tr.frames().get(0).sp();
                    yield s.arch().textWords(s, ts.regionHolding(t, from), from, !t.kernelThread());
                }
                default -> Backtraces.of(s, t).frames();
            };
            Kernel k = Kernel.of(s);
            for (int i = 0; i < frames.size(); i++) {
                StackFrame f = frames.get(i);
                StackFrame prev = i > 0 ? frames.get(i - 1) : null;
                long at = mode == Mode.FRAMES ? s.arch().symbolAddress(prev, f) : f.pc();
                if (value != null && value == f.pc()) return true;
                if (symbol != null && k.containing(at).map(x -> x.name().equals(symbol)).orElse(false)) return true;
                Registers ex = f.exceptionRegs();
                if (ex != null) {
                    if (value != null && ex.values().containsValue(value)) return true;
                    if (symbol != null && s.arch().kernelMode(ex)
                            && k.containing(ex.pc()).map(x -> x.name().equals(symbol)).orElse(false)) return true;
                }
            }
            return false;
        }
    }
}
