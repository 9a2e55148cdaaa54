package org.kdive.cmd.kernel.commands;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;
import org.kdive.api.command.Args;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.dump.DumpInfo;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.DebugInfo;
import org.kdive.cmd.kernel.access.Clock;
import org.kdive.cmd.kernel.access.Kernel;
import org.kdive.cmd.kernel.printk.LogFormatter;
import org.kdive.cmd.kernel.printk.PrintkReader;
import org.kdive.cmd.kernel.tasks.TaskTable;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * crash's `sys`: the system data. TASKS counts every task including the per-CPU idle tasks
 * (what crash prints when it can walk the task list; crash 8.0.2 cannot on 6.x PID tables and
 * prints only the active tasks there).
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=sys")
public class SysCommand implements Command {
    /** crash's panic strings, most severe first: the first one found in the log is the panic message. */
    private static final String[] PANIC_MESSAGES = {
        "SysRq : Crash", "SysRq : Trigger a crash", "SysRq : Netdump", "Kernel panic: ", "Kernel panic - ",
        "Kernel BUG at", "kernel BUG at", "Unable to handle kernel paging request",
        "Unable to handle kernel NULL pointer dereference", "BUG: unable to handle kernel ",
        "general protection fault: ", "double fault: ", "divide error: ", "stack segment: ",
        "[Hardware Error]: ", "Bad mode in ", "Oops: ",
    };

    @Override public String name() { return "sys"; }

    @Override public String description() { return "system data: kernel, dump, CPUs, date, uptime, tasks, panic"; }

    @Override
    public String usage() {
        return "sys - system data\n"
                + "sys [-c [name|number] ...] [-t] [-i] [config]\n"
                + "  without options: KERNEL, DUMPFILE, CPUS, DATE, UPTIME, LOAD AVERAGE, TASKS, NODENAME,\n"
                + "  RELEASE, VERSION, MACHINE, MEMORY and PANIC of the crashed system.\n"
                + "  -c [name|number]  the system call table: number, handler, source file and line; a name\n"
                + "                    shows the handlers whose name contains it, a number that slot\n"
                + "  -t                the taint mask and its letters (from the kernel's taint_flags)\n"
                + "  -i                the DMI identification strings (dmi_ident)\n"
                + "  config            the kernel's built-in configuration (IKCONFIG)\n";
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        Args a = Args.parse(args, Set.of("c", "t", "i"), Set.of());
        Session s = context.session();
        Kernel k = Kernel.of(s);
        SysViews views = new SysViews(k);
        if (a.has("t")) return views.taints();
        if (a.has("i")) return views.dmi();
        if (a.has("c")) return views.syscalls(a.positional());
        if (a.positional().size() == 1 && a.positional(0).equals("config")) {
            // crash reads the configuration from the kernel's IKCONFIG copy only
            if (!k.hasSymbol("kernel_config_data")) throw new CommandException("kernel_config_data does not exist in this kernel");
            throw new CommandException("config: reading the kernel's built-in configuration is not supported yet");
        }
        if (!a.positional().isEmpty()) throw new CommandException("option or argument not supported: " + a.positional(0));
        Clock clock = new Clock(k);
        Map<String, Object> d = new LinkedHashMap<>();   // crash's lines
        Map<String, Object> data = new LinkedHashMap<>(); // the same, typed (docs/json.md)

        String kernel = s.vmlinux().map(DebugInfo::file).map(Path::toString).orElse("(none)");
        boolean tainted = tainted(k);
        d.put("KERNEL", kernel + (tainted ? "  [TAINTED]" : ""));
        data.put("kernel", s.vmlinux().map(DebugInfo::file).map(Path::toString).orElse(null));
        data.put("tainted", tainted);
        DumpInfo info = s.dump().info();
        String files = s.dump().files().stream().map(Path::toString).collect(Collectors.joining(" "));
        d.put("DUMPFILE", files + (info.dumpLevel() > 0 ? "  [PARTIAL DUMP]" : ""));
        data.put("dumpfiles", s.dump().files().stream().map(Path::toString).collect(Collectors.toList()));
        data.put("partial_dump", info.dumpLevel() > 0);
        // crash: the CPUs of cpu_present_mask, and "[OFFLINE: n]" for those not in cpu_online_mask (a
        // panic without kdump stops the other CPUs, which take themselves offline)
        int present = maskWeight(k, "__cpu_present_mask");
        int cpus = present > 0 ? present : k.cpus();
        int online = maskWeight(k, "__cpu_online_mask");
        int offline = online > 0 && online < cpus ? cpus - online : 0;
        d.put("CPUS", cpus + (offline > 0 ? " [OFFLINE: " + offline + "]" : ""));
        data.put("cpus", cpus);
        data.put("cpus_offline", offline);
        long date = clock.date();
        d.put("DATE", Clock.ctime(date));
        data.put("date", org.kdive.api.util.CtimeFormat.iso(date));
        d.put("UPTIME", guard(() -> Clock.duration(clock.uptimeSeconds())));
        data.put("uptime_seconds", typed(() -> clock.uptimeSeconds()));
        d.put("LOAD AVERAGE", guard(() -> loadAverage(k)));
        data.put("load_average", typed(() -> {
            List<Object> l = new java.util.ArrayList<>();
            for (String v : loadAverage(k).split(", ")) l.add(new java.math.BigDecimal(v));
            return l;
        }));
        d.put("TASKS", guard(() -> {
            TaskTable t = TaskTable.of(s);
            for (String p : t.problems()) context.warn(p);
            return String.valueOf(t.tasks().size());
        }));
        data.put("tasks", typed(() -> TaskTable.of(s).tasks().size()));
        Map<String, String> uts = uts(k, info);
        d.put("NODENAME", uts.get("nodename"));
        d.put("RELEASE", uts.get("release"));
        d.put("VERSION", uts.get("version"));
        String mhz = mhz(k);
        d.put("MACHINE", uts.get("machine") + "  (" + mhz + " Mhz)");
        data.put("nodename", uts.get("nodename"));
        data.put("release", uts.get("release"));
        data.put("version", uts.get("version"));
        data.put("machine", uts.get("machine"));
        data.put("mhz", mhz.matches("\\d+") ? Long.parseLong(mhz) : null);
        d.put("MEMORY", guard(() -> memory(k)));
        data.put("memory", typed(() -> memory(k)));
        data.put("memory_bytes", typed(() -> memoryBytes(k)));
        String panic = guard(() -> panicMessage(k));
        d.put("PANIC", "\"" + panic + "\"");
        data.put("panic", panic.isEmpty() ? null : panic);

        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Object> e : d.entrySet()) {
            sb.append(String.format("%12s: %s%n", e.getKey(), e.getValue()));
        }
        return Result.of(sb.toString().replace("\r\n", "\n"), data);
    }

    /** A value for the JSON form, or null when it cannot be read (the text says why). */
    private static Object typed(java.util.function.Supplier<?> s) {
        try {
            return s.get();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String guard(java.util.function.Supplier<String> s) {
        try {
            return s.get();
        } catch (RuntimeException e) {
            return "(unknown: " + e.getMessage() + ")";
        }
    }

    /** The number of CPUs set in a cpumask variable (its whole struct cpumask), 0 when it cannot be read. */
    static int maskWeight(Kernel k, String mask) {
        try {
            OptionalLong addr = k.symbol(mask);
            if (addr.isEmpty()) return 0;
            long size = k.size("cpumask").orElse(8L * 8);
            int bits = 0;
            for (long off = 0; off + 8 <= Math.min(size, 1024); off += 8) bits += Long.bitCount(k.u64(addr.getAsLong() + off));
            return bits;
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static boolean tainted(Kernel k) {
        try {
            OptionalLong t = k.symbol("tainted_mask");
            return t.isPresent() && k.u64(t.getAsLong()) != 0;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String loadAverage(Kernel k) {
        long base = k.requireSymbol("avenrun");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            long v = k.u64(base + 8L * i) + (1 << 11) / 200; // FIXED_1/200 rounds to 2 decimals
            long intPart = v >> 11;
            long frac = ((v & ((1 << 11) - 1)) * 100) >> 11;
            if (i > 0) sb.append(", ");
            sb.append(intPart).append('.').append(String.format("%02d", frac));
        }
        return sb.toString();
    }

    /** init_uts_ns.name (struct new_utsname: six 65-byte strings), else the dump header's copy. */
    private static Map<String, String> uts(Kernel k, DumpInfo info) {
        Map<String, String> m = new LinkedHashMap<>();
        String[] fields = {"sysname", "nodename", "release", "version", "machine", "domainname"};
        try {
            long base = k.requireSymbol("init_uts_ns") + k.offset("uts_namespace", "name").orElse(0);
            byte[] raw = k.memory().read(base, 65 * 6);
            for (int i = 0; i < fields.length; i++) {
                int end = i * 65;
                while (end < (i + 1) * 65 - 1 && raw[end] != 0) end++;
                m.put(fields[i], new String(raw, i * 65, end - i * 65, StandardCharsets.UTF_8));
            }
        } catch (RuntimeException e) {
            m.put("nodename", info.details().getOrDefault(DumpInfo.DETAIL_UTS_NODENAME, "(unknown)"));
            m.put("release", info.details().getOrDefault(DumpInfo.DETAIL_UTS_RELEASE, "(unknown)"));
            m.put("version", info.details().getOrDefault(DumpInfo.DETAIL_UTS_VERSION, "(unknown)"));
            m.put("machine", info.machine());
        }
        return m;
    }

    private static String mhz(Kernel k) {
        try {
            OptionalLong khz = k.symbol("cpu_khz");
            if (khz.isPresent()) {
                long v = k.u32(khz.getAsLong());
                if (v > 0) return String.valueOf(v / 1000);
            }
        } catch (RuntimeException e) {
            // unknown
        }
        return "unknown";
    }

    /** Present pages of every online node, rounded up to a whole GiB when within 64 MiB of it. */
    static String memory(Kernel k) {
        return sizeString(memoryBytes(k) / 4096, 4096);
    }

    /** Present memory of every online node in bytes, rounded up to a whole GiB when within 64 MiB of it. */
    static long memoryBytes(Kernel k) {
        long page = 4096;
        long pages = 0;
        OptionalLong present = k.offset("pglist_data", "node_present_pages");
        if (present.isEmpty()) present = k.offset("pglist_data", "node_spanned_pages");
        OptionalLong nodeData = k.symbol("node_data");
        if (nodeData.isPresent()) {
            long n = Math.max(1, k.arrayLength("node_data"));
            long online = k.symbol("node_online_map").isPresent() ? k.u64(k.requireSymbol("node_online_map")) : 1;
            for (int i = 0; i < Math.min(n, 64); i++) {
                if ((online & (1L << i)) == 0) continue;
                long pgdat = k.u64(nodeData.getAsLong() + 8L * i);
                if (pgdat != 0) pages += k.u64(pgdat + present.orElseThrow());
            }
        } else {
            pages = k.u64(k.requireSymbol("contig_page_data") + present.orElseThrow());
        }
        long total = pages * page;
        long gig = 1L << 30;
        long next = (total + gig - 1) / gig * gig;
        if (next - total <= 64L << 20) total = next;
        return total;
    }

    /** crash's pages_to_size: "716 MB", "658.5 MB", "1 GB", "0". */
    public static String sizeString(long pages, long pageSize) {
        if (pages == 0) return "0";
        double total = (double) pages * pageSize;
        String s;
        if (total >= (1L << 30)) s = org.kdive.cmd.kernel.access.CNumbers.oneDecimal(total / (1L << 30)) + " GB";
        else if (total >= (1L << 20)) s = org.kdive.cmd.kernel.access.CNumbers.oneDecimal(total / (1L << 20)) + " MB";
        else s = String.format("%d KB", (long) (total / 1024));
        return s.replace(".0 ", " ");
    }

    /** The first line of the log (without timestamps) holding one of crash's panic strings. */
    static String panicMessage(Kernel k) {
        PrintkReader.Log log = new PrintkReader(k).read(false);
        String text = log.isPlain() ? log.plainText()
                : new LogFormatter(true, false, false, false, false, 0).format(log.records());
        String[] lines = text.split("\n");
        for (String msg : PANIC_MESSAGES) {
            for (String line : lines) {
                if (line.contains(msg)) return line;
            }
        }
        return "";
    }
}
