package org.kdive.cmd.devices.net;

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
import org.kdive.api.kernel.KernelTasks;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.session.Session;
import org.kdive.api.util.Hex;
import org.kdive.cmd.devices.access.Fmt;
import org.kdive.cmd.devices.access.Kern;
import org.kdive.cmd.devices.access.Lists;
import org.kdive.cmd.devices.access.Tasks;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * crash's {@code net}: network devices of a network namespace with their IPv4/IPv6 addresses,
 * {@code -a} the ARP cache, {@code -s}/{@code -S} the sockets a task has open, {@code -n} the
 * namespace of a task, {@code -N} a number as an IPv4 address.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=net")
public class NetCommand implements Command {
    private static final String SOCKET_HDR = "FD      SOCKET            SOCK       FAMILY:TYPE SOURCE-PORT DESTINATION-PORT";

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile KernelTasks tasks;
    /** `struct`, for -S (crash's dump_struct). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, target = "(" + Command.NAME_PROPERTY + "=struct)")
    private volatile Command struct;

    public NetCommand() {
    }

    /** Outside OSGi: the task list and (may be null) the struct command. */
    public NetCommand(KernelTasks tasks, Command struct) {
        this.tasks = tasks;
        this.struct = struct;
    }

    @Override public String name() { return "net"; }

    @Override public String description() { return "network devices, ARP cache and sockets"; }

    @Override
    public String usage() {
        return """
                net - network command
                net [[-s | -S] [-xd] [-R ref] [pid | task]] [-a] [-n [pid | task]] [-N addr]
                  Without options, lists the network devices of the initial network namespace: the
                  net_device, its name and its IPv4 and IPv6 addresses.
                    -a          the ARP cache (arp_tbl): neighbour, IP address, hardware type and
                                address, device and state.
                    -s          the open sockets of the current task (or of each pid/task given): fd,
                                struct socket, struct sock, family:type, source and destination.
                    -S          as -s, with the full struct socket and struct inet_sock of each.
                    -x, -d      with -S: numbers in hex or decimal.
                    -R ref      with -s or -S: only the socket whose struct socket or struct sock
                                address, or whose fd, is ref (hex is an address or fd; a decimal
                                number up to the task's fd table size is an fd); a task is shown
                                only if it holds it, with its header.
                    -N addr     a number (network byte order) as a dotted IPv4 address.
                JSON
                  net: {devices: [{netDevice, name, ipv4: [], ipv6: []}]}; -a: {arp: [...]};
                  -s/-S (also with -R): {sockets: [{pid, fd, socket, sock, ...}]} (only the matches
                  with -R); -N: {address}.
                    -n [pid]    the devices of the network namespace of the current task (or pid/task).
                """;
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        Args a = Args.parse(args, Set.of("a", "s", "S", "x", "d", "n"), Set.of("N", "R"));
        if (a.has("x") && a.has("d")) throw new CommandException("-d and -x are mutually exclusive", CommandException.USAGE);
        if (a.has("s") && a.has("S")) throw new CommandException("only one -s or -S option allowed", CommandException.USAGE);
        if (a.has("N")) {
            long v = parseNumber(a.value("N"));
            String s = Inet.v4(v & 0xffffffffL);
            return Result.of(s + "\n", Map.of("address", s));
        }
        Session session = context.session();
        Kern k = Kern.of(session);
        if (!k.hasStruct("net_device")) throw new CommandException("net subsystem not initialized!");
        if (a.has("s") || a.has("S")) {
            SocketRef ref = a.has("R") ? new SocketRef(a.value("R")) : null;
            return sockets(k, context, a.positional(), a.has("S"), a.has("x") ? "-x" : a.has("d") ? "-d" : null, ref);
        }
        StringBuilder sb = new StringBuilder();
        Map<String, Object> data = new LinkedHashMap<>();
        if (a.has("a")) {
            List<Object> arp = new ArrayList<>();
            sb.append(new Arp(k, context).text(arp));
            data.put("arp", arp);
        }
        if (args.isEmpty() || a.has("n")) {
            long task;
            KernelTasks kt = Tasks.require(tasks, "net");
            if (a.has("n")) {
                TaskInfo t;
                if (!a.positional().isEmpty()) {
                    List<TaskInfo> ts = Tasks.resolve(kt, session, a.positional(0));
                    if (ts.isEmpty()) throw new CommandException("invalid task or pid value: " + a.positional(0), CommandException.NOT_FOUND);
                    t = ts.get(0);
                } else {
                    t = kt.currentTask(session).orElseThrow(() -> new CommandException("no current task"));
                }
                task = t.task();
            } else {
                task = kt.tasks(session).stream().filter(t -> t.pid() == 0).findFirst()
                        .orElseThrow(() -> new CommandException("no task of pid 0")).task();
            }
            List<Object> devs = new ArrayList<>();
            sb.append(devices(k, context, task, devs));
            data.put("devices", devs);
        } else if (!a.has("a")) {
            throw new CommandException("Usage:\n  net [[-s | -S] [-xd] [-R ref] [pid | task]] [-a] [ -n [pid | task]] [-N addr]\nEnter \"help net\" for details.",
                    CommandException.USAGE);
        }
        return Result.of(sb.toString(), data);
    }

    private static long parseNumber(String s) {
        try {
            if (s.startsWith("0x") || s.startsWith("0X")) return Long.parseUnsignedLong(s.substring(2), 16);
            if (s.chars().allMatch(Character::isDigit)) return Long.parseUnsignedLong(s);
            return Long.parseUnsignedLong(s, 16);
        } catch (NumberFormatException e) {
            throw new CommandException("not a valid number: " + s, CommandException.USAGE);
        }
    }

    // ---- devices ------------------------------------------------------------------------------

    /** The net namespace of a task (nsproxy->net_ns), else init_net. */
    private static long netNamespace(Kern k, long task) {
        if (k.hasMember("task_struct", "nsproxy") && k.hasMember("nsproxy", "net_ns")) {
            long nsproxy = k.ptr(task + k.off("task_struct", "nsproxy"));
            try {
                return k.ptr(nsproxy + k.off("nsproxy", "net_ns"));
            } catch (RuntimeException e) {
                throw new CommandException("cannot determine net_namespace location!");
            }
        }
        return k.requireSymbol("init_net");
    }

    static String devices(Kern k, CommandContext ctx, long task, List<Object> rows) {
        int flen = Math.max(k.vaddrLen(), "net_device".length());
        StringBuilder sb = new StringBuilder();
        sb.append(Fmt.mk("NET_DEVICE", flen, Fmt.CENTER | Fmt.LJUST)).append("  NAME       IP ADDRESS(ES)\n");
        long ns = netNamespace(k, task);
        long listOff = k.off("net_device", "dev_list");
        for (long node : Lists.listHead(k, ns + k.off("net", "dev_base_head"), ctx)) {
            ctx.checkCancelled();
            long dev = node - listOff;
            String name = deviceName(k, dev);
            List<String> v4 = ipv4(k, dev, ctx);
            List<String> v6 = ipv6(k, dev, ctx);
            List<String> all = new ArrayList<>(v4);
            all.addAll(v6);
            sb.append(Fmt.mk(Fmt.hex(dev), flen, Fmt.CENTER | Fmt.RJUST)).append("  ")
                    .append(String.format("%-10s ", name)).append(String.join(", ", all)).append('\n');
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("netDevice", Hex.json(dev));
            r.put("name", name);
            r.put("ipv4", v4);
            r.put("ipv6", v6);
            rows.add(r);
        }
        return sb.toString();
    }

    static String deviceName(Kern k, long dev) {
        long len = k.memberLength("net_device", "name");
        long off = k.off("net_device", "name");
        if (len > 0) return k.inlineString(dev + off, (int) len);
        String s = k.string(k.ptr(dev + off), 16);
        return s == null ? "" : s;
    }

    private static List<String> ipv4(Kern k, long dev, CommandContext ctx) {
        List<String> out = new ArrayList<>();
        long in = k.ptr(dev + k.off("net_device", "ip_ptr"));
        if (in == 0) return out;
        long first = k.ptr(in + k.off("in_device", "ifa_list"));
        for (long ifa : Lists.chain(k, first, k.off("in_ifaddr", "ifa_next"), ctx)) {
            out.add(Inet.v4(k.u32(ifa + k.off("in_ifaddr", "ifa_address"))));
        }
        return out;
    }

    private static List<String> ipv6(Kern k, long dev, CommandContext ctx) {
        List<String> out = new ArrayList<>();
        if (!k.hasMember("net_device", "ip6_ptr")) return out;
        long in6 = k.ptr(dev + k.off("net_device", "ip6_ptr"));
        if (in6 == 0 || !k.hasMember("inet6_ifaddr", "if_list")) return out;
        long listOff = k.off("inet6_ifaddr", "if_list");
        long addrOff = k.off("inet6_ifaddr", "addr");
        for (long node : Lists.listHead(k, in6 + k.off("inet6_dev", "addr_list"), ctx)) {
            out.add(Inet.v6(k.memory().read(node - listOff + addrOff, 16)));
        }
        return out;
    }

    // ---- sockets ------------------------------------------------------------------------------

    /**
     * crash's -R: a socket or sock address or an fd. Per task, as crash's foreach net -R does it:
     * a task holding the reference gets its header, its matches and a blank line; any other task
     * prints nothing. (crash's net -s -R REF PID PID... keeps its reference flags across the pids,
     * so every match after the first task's comes without its task's header: wrong, see the
     * busy dumps' MadeDumpsBusyNetTest.)
     */
    private static final class SocketRef {
        final String text;
        Long hex;
        Long dec;
        boolean found;
        boolean taskHeaderPrinted;

        SocketRef(String text) {
            this.text = text;
        }

        /** crash reads the number per task: a decimal one beyond the task's fd table is an address. */
        void classify(int maxFds) {
            hex = null;
            dec = null;
            String t = text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text;
            if (t.isEmpty() || !t.chars().allMatch(c -> Character.digit(c, 16) >= 0)) return;
            try {
                boolean hexOnly = t.length() != text.length() || !t.chars().allMatch(Character::isDigit);
                if (!hexOnly && Long.parseUnsignedLong(t) <= maxFds) dec = Long.parseUnsignedLong(t);
                else hex = Long.parseUnsignedLong(t, 16);
            } catch (NumberFormatException e) {
                // wider than 64 bits: matches nothing
            }
        }

        boolean matches(long socket, long sock, int fd) {
            return hex != null && (hex == sock || hex == socket || hex == fd) || dec != null && dec == fd;
        }
    }

    private Result sockets(Kern k, CommandContext ctx, List<String> words, boolean full, String radix, SocketRef ref) {
        KernelTasks kt = Tasks.require(tasks, "net");
        Session s = k.session();
        StringBuilder sb = new StringBuilder();
        List<Object> data = new ArrayList<>();
        if (words.isEmpty()) {
            TaskInfo t = kt.currentTask(s).orElseThrow(() -> new CommandException("no current task"));
            if (ref == null) sb.append(Tasks.header(t, false));
            sb.append(taskSockets(k, ctx, t, full, radix, data, ref));
        } else {
            boolean subsequent = false;
            for (String w : words) {
                List<TaskInfo> ts = Tasks.resolve(kt, s, w);
                if (ts.isEmpty()) {
                    sb.append(subsequent ? "\n" : "").append("net: invalid task or pid value: ").append(w).append('\n');
                    subsequent = true;
                    continue;
                }
                for (TaskInfo t : ts) {
                    if (ref == null) {
                        sb.append(Tasks.header(t, subsequent));
                        subsequent = true;
                    }
                    sb.append(taskSockets(k, ctx, t, full, radix, data, ref));
                }
            }
        }
        Map<String, Object> d = new LinkedHashMap<>();
        if (ref != null) d.put("reference", ref.text);
        d.put("sockets", data);
        return Result.of(sb.toString(), d);
    }

    private String taskSockets(Kern k, CommandContext ctx, TaskInfo t, boolean full, String radix, List<Object> data, SocketRef ref) {
        String none = ref == null ? "No open sockets.\n" : "";
        long files = k.ptr(t.task() + k.off("task_struct", "files"));
        if (files == 0) return none;
        long fdt = k.ptr(files + k.off("files_struct", "fdt"));
        if (fdt == 0) return none;
        int maxFds = (int) k.u32(fdt + k.off("fdtable", "max_fds"));
        long openFds = k.ptr(fdt + k.off("fdtable", "open_fds"));
        long fdArray = k.ptr(fdt + k.off("fdtable", "fd"));
        if (maxFds == 0 || openFds == 0 || fdArray == 0) return none;
        if (ref != null) {
            ref.found = false;
            ref.taskHeaderPrinted = false;
            ref.classify(maxFds);
        }
        StringBuilder sb = new StringBuilder();
        int found = 0;
        byte[] bits = k.memory().read(openFds, (maxFds + 7) / 8);
        for (int fd = 0; fd < maxFds; fd++) {
            if ((bits[fd / 8] & (1 << (fd % 8))) == 0) continue;
            ctx.checkCancelled();
            long file = k.ptr(fdArray + 8L * fd);
            if (file == 0) continue;
            long dentry = k.ptr(file + k.off("file", "f_path.dentry"));
            if (dentry == 0) continue;
            long inode = k.ptr(dentry + k.off("dentry", "d_inode"));
            if (inode == 0) continue;
            int mode = (int) k.read(inode, "inode", "i_mode");
            if ((mode & 0170000) != 0140000) continue;
            long socket = inode - k.off("socket_alloc", "vfs_inode");
            long sock = k.ptr(socket + k.off("socket", "sk"));
            if (ref != null) {
                if (!ref.matches(socket, sock, fd)) continue;
                ref.found = true;
                if (!ref.taskHeaderPrinted) {
                    sb.append(Tasks.header(t, false));
                    ref.taskHeaderPrinted = true;
                }
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("pid", t.pid());
            r.put("fd", fd);
            r.put("socket", Hex.json(socket));
            r.put("sock", Hex.json(sock));
            if (full) {
                sb.append(found > 0 ? "\n" : "").append("FD  ").append(Fmt.mk("SOCKET", 16, Fmt.CENTER | Fmt.LJUST)).append("  ")
                        .append(Fmt.mk("SOCK", 16, Fmt.CENTER | Fmt.LJUST)).append('\n');
                sb.append(String.format("%2d  %s  %s\n\n", fd, Fmt.mk(Fmt.hex(socket), 16, Fmt.RJUST), Fmt.mk(Fmt.hex(sock), 16, Fmt.RJUST)));
                sb.append(dumpStruct(ctx, "socket", socket, radix));
                sb.append(dumpStruct(ctx, k.hasStruct("inet_sock") ? "inet_sock" : "sock", sock, radix));
            } else {
                if (found == 0) sb.append(SOCKET_HDR).append('\n');
                String info = SockInfo.describe(k, sock, r);
                sb.append(String.format("%2d %s %s %s\n", fd, Fmt.mk(Fmt.hex(socket), 16, Fmt.RJUST), Fmt.mk(Fmt.hex(sock), 16, Fmt.RJUST), info));
            }
            data.add(r);
            found++;
        }
        if (found == 0) sb.append(none);
        if (ref != null && ref.found) sb.append('\n');
        return sb.toString();
    }

    private String dumpStruct(CommandContext ctx, String type, long addr, String radix) {
        Command c = struct;
        if (c == null) return "(struct " + type + " " + Fmt.hex(addr) + ": the struct command is not available)\n";
        List<String> a = new ArrayList<>();
        a.add(type);
        a.add(Hex.json(addr));
        if (radix != null) a.add(radix);
        return c.execute(ctx, a).text();
    }

}
