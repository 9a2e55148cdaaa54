package org.kdive.cmd.process.commands;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.kdive.api.arch.MachineFacts;
import org.kdive.api.command.Args;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Output;
import org.kdive.api.command.Result;
import org.kdive.api.kernel.KernelTasks;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.session.Session;
import org.kdive.api.util.Hex;
import org.kdive.cmd.process.access.Columns;
import org.kdive.cmd.process.access.Layout;
import org.kdive.cmd.process.access.Tasks;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * crash's `sig`: a task's signal dispositions (sighand_struct.action[]), pending and blocked sets
 * and signal queues, private and shared; {@code -g} the whole thread group; {@code -l} the signal
 * names; {@code -s} the names in a sigset.
 *
 * <p>Unlike crash 8.0.6, a non-empty private queue is walked from its first entry: crash starts at
 * the list head inside task_struct and prints that as an entry with a garbage signal number.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=sig")
public final class SigCommand implements Command {
    private static final int NSIG = 64;
    private static final int SIGRTMIN = 32;
    private static final int VADDR = 16;
    private static final int UVADDR = 10;
    private static final String[] NAMES = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
        "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP",
        "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};
    private static final Map<Integer, String> ALT = Map.of(6, "SIGIOT", 17, "SIGCLD", 29, "SIGPOLL", 31, "SIGUNUSED");
    /** sa_flags bits in crash's order (the generic Linux values x86_64 and arm64 share). */
    private static final long[] SA_BITS = {0x1, 0x04000000, 0x2, 0x4, 0x08000000, 0x10000000, 0x40000000, 0x80000000L};
    private static final String[] SA_NAMES = {"SA_NOCLDSTOP", "SA_RESTORER", "SA_NOCLDWAIT", "SA_SIGINFO", "SA_ONSTACK", "SA_RESTART",
        "SA_NODEFER", "SA_RESETHAND"};

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile KernelTasks tasks;
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private volatile List<MachineFacts> machines = new java.util.concurrent.CopyOnWriteArrayList<>();

    public SigCommand() {
    }

    public SigCommand(KernelTasks tasks, List<MachineFacts> machines) {
        this.tasks = tasks;
        this.machines = machines;
    }

    @Override public String name() { return "sig"; }

    @Override public String description() { return "task signal handling"; }

    @Override
    public String usage() {
        return """
                sig - task signal handling
                sig [[-l] | [-s sigset]] | [-g] [pid | taskp] ...
                  A task's signal handling (default: the current context): the signal_struct and its
                  thread count, each signal's k_sigaction (handler, mask, sa_flags), whether a signal is
                  pending, the blocked set, and the private and shared pending sets and queues.
                    -g           the whole thread group: the group's dispositions and shared queue,
                                 then each thread's pending and blocked signals
                    -l           the signal numbers and names
                    -s sigset    the names of the signals in a hexadecimal sigset value
                    pid | taskp  tasks by PID (decimal) or task_struct address (hex)
                """;
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        Args a = Args.parse(args, Set.of("l", "g"), Set.of("s", "R"));
        if (a.has("s")) {
            String v = a.value("s");
            String w = v.startsWith("0x") || v.startsWith("0X") ? v.substring(2) : v;
            if (!w.matches("[0-9a-fA-F]{1,16}")) throw new CommandException("invalid input string: " + v, CommandException.USAGE);
            long set = Long.parseUnsignedLong(w, 16);
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("sigset", Hex.json(set));
            d.put("signals", setNames(set));
            return Result.of(translate(set), d);
        }
        if (a.has("l")) {
            StringBuilder sb = new StringBuilder();
            List<Object> rows = new ArrayList<>();
            for (int i = 1; i <= NSIG; i++) {
                String n = name(i, true);
                sb.append(i < 10 ? " " : "").append('[').append(i).append("] ").append(n).append('\n');
                rows.add(Map.of("number", i, "name", n));
            }
            return Result.of(sb.toString(), Map.of("signals", rows));
        }
        if (a.has("R")) throw new CommandException("-R not supported yet");
        Session s = context.session();
        Tasks t = new Tasks(tasks, s);
        List<TaskInfo> list = new ArrayList<>();
        List<String> bad = new ArrayList<>();
        for (String w : a.positional()) {
            Optional<Tasks.Selected> sel = w.matches("(0[xX])?[0-9a-fA-F]+") ? t.resolve(w) : Optional.empty();
            if (sel.isPresent()) {
                list.addAll(sel.get().tasks());
            } else if (w.matches("(0[xX])?[0-9a-fA-F]+") || w.contains(",") || Layout.of(s).hasMember("task_struct", w)) {
                if (!w.matches("(0[xX])?[0-9a-fA-F]+")) throw new CommandException("-R not supported yet");
                bad.add(w);
            } else {
                bad.add(w);
            }
        }
        if (list.isEmpty() && bad.isEmpty()) list.add(t.current());
        boolean group = a.has("g");
        OptionalInt tif = machine(s).flatMap(m -> {
            OptionalInt b = m.threadFlagBit(s, "TIF_SIGPENDING");
            return b.isPresent() ? Optional.of(b) : Optional.empty();
        }).orElse(OptionalInt.empty());
        return Result.stream("tasks", out -> {
            for (String w : bad) out.error(CommandException.NOT_FOUND, "sig: invalid task or pid value: " + w + "\n\n");
            Signals sig = new Signals(Layout.of(s), tif);
            for (TaskInfo ti : list) {
                context.checkCancelled();
                if (group) {
                    threadGroup(out, sig, t, ti);
                } else {
                    out.text(Tasks.header(ti) + "\n");
                    Map<String, Object> rec = taskRecord(ti);
                    sig.groupLevel(out, ti, false, rec);
                    sig.taskLevel(out, ti, false, rec);
                    sig.sharedPending(out, ti, rec);
                    out.text("\n");
                    out.record(rec);
                }
            }
            return null;
        });
    }

    private Optional<MachineFacts> machine(Session s) {
        for (MachineFacts f : machines) if (f.supports(s.arch().machine())) return Optional.of(f);
        return Optional.empty();
    }

    /** sig -g: the group leader's dispositions and shared queue, then each thread's own signals. */
    private static void threadGroup(Output out, Signals sig, Tasks t, TaskInfo ti) {
        TaskInfo leader = ti;
        if (ti.pid() != ti.tgid()) {
            leader = t.all().stream().filter(x -> x.pid() == ti.tgid()).findFirst().orElse(null);
            if (leader == null) return;
        }
        Map<String, Object> rec = taskRecord(leader);
        out.text(Tasks.header(leader) + "\n");
        sig.groupLevel(out, leader, false, rec);
        sig.sharedPending(out, leader, rec);
        List<Object> threads = new ArrayList<>();
        for (TaskInfo th : threadsOf(t, leader)) {
            out.text("\n  " + Tasks.header(th) + "\n");
            Map<String, Object> tr = taskRecord(th);
            sig.taskLevel(out, th, true, tr);
            threads.add(tr);
        }
        rec.put("threads", threads);
        out.text("\n");
        out.record(rec);
    }

    /** The leader first, then the other tasks of its thread group in crash's task order. */
    private static List<TaskInfo> threadsOf(Tasks t, TaskInfo leader) {
        List<TaskInfo> out = new ArrayList<>();
        out.add(leader);
        for (TaskInfo x : t.all()) {
            if (x.task() != leader.task() && x.tgid() == leader.tgid()) out.add(x);
        }
        return out;
    }

    private static Map<String, Object> taskRecord(TaskInfo t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", t.pid());
        m.put("task", Hex.json(t.task()));
        m.put("comm", t.comm());
        return m;
    }

    /** crash's name of signal {@code i}: SIGRTMIN+n up to the middle of the real-time range, then SIGRTMAX-n. */
    static String name(int i, boolean withAlt) {
        if (i == SIGRTMIN) return "SIGRTMIN";
        if (i == NSIG) return "SIGRTMAX";
        if (i > SIGRTMIN) {
            int j = NSIG - SIGRTMIN - 1;
            int max = j / 2;
            int min = j - max;
            int k = i - SIGRTMIN;
            return k <= min ? "SIGRTMIN+" + k : "SIGRTMAX-" + (NSIG - i);
        }
        String alt = ALT.get(i);
        return NAMES[i] + (withAlt && alt != null ? "/" + alt : "");
    }

    private static List<String> setNames(long set) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= NSIG; i++) if ((set & (1L << (i - 1))) != 0) out.add(name(i, false));
        return out;
    }

    /** crash's translate_sigset: names separated by blanks, wrapped before 80 columns. */
    static String translate(long set) {
        if (set == 0) return "(none)\n";
        StringBuilder sb = new StringBuilder();
        int len = 0;
        int c = 0;
        for (String n : setNames(set)) {
            String piece = (c++ > 0 ? " " : "") + n;
            if (len + piece.length() > 80) {
                piece = piece.substring(1);
                sb.append('\n');
                len = 0;
            }
            len += piece.length();
            sb.append(piece);
        }
        return sb.append('\n').toString();
    }

    /** The reads of one session's signal structures. */
    private static final class Signals {
        private final Layout k;
        private final OptionalInt tifSigpending;

        Signals(Layout k, OptionalInt tifSigpending) {
            this.k = k;
            this.tifSigpending = tifSigpending;
        }

        /** SIGNAL_STRUCT, NR_THREADS and the k_sigaction table (crash's THREAD_GROUP_LEVEL). */
        void groupLevel(Output out, TaskInfo t, boolean indent, Map<String, Object> rec) {
            long signal = k.pointer(t.task(), "task_struct", "signal");
            StringBuilder sb = new StringBuilder();
            String in = indent ? "  " : "";
            sb.append(in).append("SIGNAL_STRUCT: ").append(Long.toHexString(signal)).append("  ");
            rec.put("signal_struct", Hex.json(signal));
            if (signal == 0) {
                out.text(sb.append('\n'));
                return;
            }
            if (k.hasMember("signal_struct", "nr_threads")) {
                long n = k.s32(signal + k.requireOffset("signal_struct", "nr_threads"));
                sb.append("NR_THREADS: ").append(n).append('\n');
                rec.put("nr_threads", n);
            } else {
                sb.append('\n');
            }
            sb.append(in).append(" SIG ").append(Columns.center("SIGACTION", VADDR, false)).append(' ')
                    .append(Columns.right("HANDLER", UVADDR)).append(' ').append(Columns.center("MASK", 16, false)).append(' ')
                    .append(Columns.left("FLAGS", VADDR)).append('\n');
            long sighand = k.pointer(t.task(), "task_struct", "sighand");
            long action = sighand + k.requireOffset("sighand_struct", "action");
            long ksize = k.size("k_sigaction");
            long handlerOff = k.requireOffset("k_sigaction", "sa.sa_handler");
            long flagsOff = k.requireOffset("k_sigaction", "sa.sa_flags");
            long maskOff = k.requireOffset("k_sigaction", "sa.sa_mask");
            List<Object> actions = new ArrayList<>();
            byte[] table = k.memory().read(action, (int) (ksize * NSIG));
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(table).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int i = 1; i <= NSIG; i++) {
                int base = (int) ((i - 1) * ksize);
                long kaddr = action + base;
                long handler = b.getLong(base + (int) handlerOff);
                long mask = b.getLong(base + (int) maskOff);
                long flags = b.getLong(base + (int) flagsOff);
                String h = handler == -1 ? "SIG_ERR" : handler == 0 ? "SIG_DFL" : handler == 1 ? "SIG_IGN" : Long.toHexString(handler);
                sb.append(in).append(i < 10 ? " " : "").append('[').append(i).append("] ")
                        .append(Columns.left(Long.toHexString(kaddr), UVADDR)).append(' ').append(Columns.right(h, UVADDR)).append(' ')
                        .append(String.format("%016x", mask)).append(' ').append(Long.toHexString(flags)).append(' ');
                List<String> names = new ArrayList<>();
                for (int f = 0; f < SA_BITS.length; f++) if ((flags & SA_BITS[f]) != 0) names.add(SA_NAMES[f]);
                if (!names.isEmpty()) sb.append('(').append(String.join("|", names)).append(')');
                sb.append('\n');
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("signal", i);
                r.put("sigaction", Hex.json(kaddr));
                r.put("handler", handler == -1 || handler == 0 || handler == 1 ? h : Hex.json(handler));
                r.put("mask", Hex.json(mask));
                r.put("flags", flags);
                r.put("flag_names", names);
                actions.add(r);
            }
            out.text(sb);
            rec.put("actions", actions);
        }

        /** SIGPENDING, BLOCKED and the private queue (crash's TASK_LEVEL). */
        void taskLevel(Output out, TaskInfo t, boolean indent, Map<String, Object> rec) {
            String in = indent ? "  " : "";
            long task = t.task();
            long tiFlags = k.read(task, "task_struct", "thread_info.flags");
            long blocked = k.u64(task + k.requireOffset("task_struct", "blocked"));
            long pendingOff = k.requireOffset("task_struct", "pending");
            long signal = k.u64(task + pendingOff + k.requireOffset("sigpending", "signal"));
            boolean pending;
            if (tifSigpending.isPresent()) {
                pending = (tiFlags & (1L << tifSigpending.getAsInt())) != 0;
            } else {
                // no architecture facts: what recalc_sigpending would decide
                long shared = k.u64(k.pointer(task, "task_struct", "signal") + k.requireOffset("signal_struct", "shared_pending")
                        + k.requireOffset("sigpending", "signal"));
                pending = ((signal | shared) & ~blocked) != 0;
            }
            StringBuilder sb = new StringBuilder();
            sb.append(in).append("SIGPENDING: ").append(pending ? "yes" : "no").append('\n');
            sb.append(in).append("   BLOCKED: ").append(String.format("%016x", blocked)).append('\n');
            sb.append(in).append("PRIVATE_PENDING\n");
            sb.append(in).append("    SIGNAL: ").append(String.format("%016x", signal)).append('\n');
            long head = task + pendingOff + k.requireOffset("sigpending", "list");
            List<Object> queue = queue(sb, in, head);
            out.text(sb);
            rec.put("sigpending", pending);
            rec.put("blocked", Hex.json(blocked));
            rec.put("private_pending", Map.of("signal", Hex.json(signal), "queue", queue));
        }

        /** SHARED_PENDING: signal_struct.shared_pending's set and queue. */
        void sharedPending(Output out, TaskInfo t, Map<String, Object> rec) {
            long signalStruct = k.pointer(t.task(), "task_struct", "signal");
            if (signalStruct == 0 || !k.hasMember("signal_struct", "shared_pending")) return;
            long sp = signalStruct + k.requireOffset("signal_struct", "shared_pending");
            long set = k.u64(sp + k.requireOffset("sigpending", "signal"));
            StringBuilder sb = new StringBuilder("SHARED_PENDING\n");
            sb.append("    SIGNAL: ").append(String.format("%016x", set)).append('\n');
            List<Object> queue = queue(sb, "", sp + k.requireOffset("sigpending", "list"));
            out.text(sb);
            rec.put("shared_pending", Map.of("signal", Hex.json(set), "queue", queue));
        }

        /** A sigqueue list: "(empty)", or each entry's signal number and siginfo address. */
        private List<Object> queue(StringBuilder sb, String in, long head) {
            List<Object> rows = new ArrayList<>();
            long first = k.u64(head);
            if (first == head || first == 0) {
                sb.append(in).append("  SIGQUEUE: (empty)\n");
                return rows;
            }
            sb.append(in).append("  SIGQUEUE:  SIG  ").append(Columns.center("SIGINFO", VADDR, false)).append('\n');
            long listOff = k.requireOffset("sigqueue", "list");
            long infoOff = k.requireOffset("sigqueue", "info");
            long signoOff = k.offset("kernel_siginfo", "si_signo").orElse(0);
            long e = first;
            for (int n = 0; e != head && e != 0 && n < 1 << 20; n++) {
                long q = e - listOff;
                int sig = (int) k.s32(q + infoOff + signoOff);
                sb.append(String.format("             %3d  %x\n", sig, q + infoOff));
                rows.add(Map.of("signal", sig, "siginfo", Hex.json(q + infoOff)));
                e = k.u64(e);
            }
            return rows;
        }
    }
}
