package org.kdive.cmd.devices.waitq;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.kernel.KernelTasks;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.util.Hex;
import org.kdive.cmd.devices.access.Kern;
import org.kdive.cmd.devices.access.Lists;
import org.kdive.cmd.devices.access.Tasks;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** crash's {@code waitq}: the tasks waiting on a wait queue head given by symbol, address or struct.member and address. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=waitq")
public class WaitqCommand implements Command {
    private static final String SYNOPSIS = "waitq  [ symbol ] | [ struct.member struct_addr ] | [ address ]";

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile KernelTasks tasks;

    public WaitqCommand() {
    }

    public WaitqCommand(KernelTasks tasks) {
        this.tasks = tasks;
    }

    @Override public String name() { return "waitq"; }

    @Override public String description() { return "list the tasks queued on a wait queue"; }

    @Override
    public String usage() {
        return """
                waitq - list tasks queued on a wait queue
                waitq  [ symbol ] | [ struct.member struct_addr ] | [ address ]
                  Lists the tasks waiting on a wait_queue_head_t (one task header line each):
                    symbol                a global wait queue head, e.g. waitq khugepaged_wait
                    struct.member addr    the head inside a structure, e.g.
                                          waitq pglist_data.kswapd_wait ff228398beebd000
                    address               the address of a wait queue head (hexadecimal)
                """;
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        if (args.isEmpty() || args.size() > 2) {
            throw new CommandException("Usage:\n  " + SYNOPSIS + "\nEnter \"help waitq\" for details.", CommandException.USAGE);
        }
        Kern k = Kern.of(context.session());
        String a1 = args.get(0);
        String name = null;
        long q;
        if (isNumber(a1)) {
            q = hex(a1);
        } else if (a1.indexOf('.') < 0) {
            name = a1;
            OptionalLong s = k.symbol(a1);
            if (s.isEmpty()) throw new CommandException("cannot resolve \"" + a1 + "\"", CommandException.NOT_FOUND);
            q = s.getAsLong();
        } else {
            int dot = a1.indexOf('.');
            String struct = a1.substring(0, dot);
            String member = a1.substring(dot + 1);
            if (args.size() != 2) return Result.of("must supply an address for " + struct + "\n", Map.of("error", "no address"));
            q = hex(args.get(1));
            OptionalLong off = k.offset(struct, member);
            if (off.isEmpty()) {
                return Result.of(member + " is not a member of " + struct + "\n", Map.of("error", "no such member"));
            }
            q += off.getAsLong();
        }
        if (q == 0 || Long.compareUnsigned(q, context.session().arch().addressSpace(context.session()).kernelBase()) < 0) {
            return Result.of("", Map.of("waitQueue", Hex.json(q), "tasks", List.of()));
        }
        if (!k.hasStruct("wait_queue_entry")) throw new CommandException("cannot determine wait queue structures");
        KernelTasks kt = Tasks.require(tasks, "waitq");
        long head = q + k.off("wait_queue_head", "head");
        List<Long> nodes = Lists.listHead(k, head, context);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("waitQueue", Hex.json(q));
        if (name != null) data.put("symbol", name);
        List<Object> waiters = new ArrayList<>();
        data.put("tasks", waiters);
        if (nodes.isEmpty()) {
            String t = name != null ? "wait queue \"" + name + "\" (" + Long.toHexString(q) + ") is empty\n"
                    : "wait queue " + Long.toHexString(q) + " is empty\n";
            return Result.of(t, data);
        }
        StringBuilder sb = new StringBuilder();
        long entryOff = k.off("wait_queue_entry", "entry");
        long privOff = k.off("wait_queue_entry", "private");
        for (long node : nodes) {
            long task = k.ptr(node - entryOff + privOff);
            TaskInfo t = Tasks.byAddress(kt, context.session(), task);
            if (t == null) break;   // crash stops at the first entry that is no task (a custom wake function's data)
            sb.append(Tasks.header(t, false));
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("pid", t.pid());
            r.put("task", Hex.json(t.task()));
            r.put("cpu", t.cpu());
            r.put("command", t.comm());
            waiters.add(r);
        }
        return Result.of(sb.toString(), data);
    }

    /** crash's IS_A_NUMBER: decimal or hexadecimal digits (and x). */
    private static boolean isNumber(String s) {
        String t = s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
        return !t.isEmpty() && t.chars().allMatch(c -> Character.digit(c, 16) >= 0);
    }

    private static long hex(String s) {
        String t = s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
        try {
            return Long.parseUnsignedLong(t, 16);
        } catch (NumberFormatException e) {
            throw new CommandException("invalid input: \"" + s + "\"", CommandException.USAGE);
        }
    }
}
