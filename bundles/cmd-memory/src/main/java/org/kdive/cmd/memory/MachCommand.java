package org.kdive.cmd.memory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.kdive.api.arch.MachineFacts;
import org.kdive.api.command.Args;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.session.Memory;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.Type;
import org.kdive.api.util.Hex;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * crash's `mach`: the machine's type, memory, CPUs, hypervisor, processor speed, HZ and page size,
 * then what the architecture adds (address-space bases, stack sizes, each CPU's stacks); {@code -c}
 * each CPU's processor description (cpuinfo_x86 on x86_64, through the struct command); {@code -m}
 * the firmware's memory map (e820). Architecture facts come from org.kdive.api.arch.MachineFacts.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=mach")
public final class MachCommand implements Command {
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private volatile List<MachineFacts> machines = new java.util.concurrent.CopyOnWriteArrayList<>();
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, target = "(" + Command.NAME_PROPERTY + "=struct)")
    private volatile Command struct;

    public MachCommand() {
    }

    public MachCommand(List<MachineFacts> machines, Command struct) {
        this.machines = machines;
        this.struct = struct;
    }

    @Override public String name() { return "mach"; }

    @Override public String description() { return "machine specific data"; }

    @Override
    public String usage() {
        return """
                mach - machine specific data
                mach [-m | -c [-x|-d]]
                  The machine: type, memory size, CPUs (and how many are offline), hypervisor,
                  processor speed, HZ, page size, and the architecture's address-space bases and
                  per-CPU stacks.
                    -c      each CPU's processor description (struct cpuinfo_x86 on x86_64)
                    -x | -d with -c: integers in hexadecimal / decimal
                    -m      the physical memory map the firmware passed (e820 on x86_64)
                """;
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        Args a = Args.parse(args, Set.of("c", "m", "x", "d"), Set.of());
        if (!a.positional().isEmpty()) throw new CommandException("Usage: mach [-m | -c [-x|-d]]", CommandException.USAGE);
        if (a.has("x") && a.has("d")) throw new CommandException("-d and -x are mutually exclusive", CommandException.USAGE);
        Session s = context.session();
        MachineFacts facts = Machines.of(machines, s, "mach");
        StringBuilder sb = new StringBuilder();
        Map<String, Object> data = new LinkedHashMap<>();
        if (a.has("m")) memoryMap(sb, data, facts, s);
        if (a.has("c")) cpuData(sb, data, facts, context, s, a.has("x") ? "-x" : a.has("d") ? "-d" : null);
        if (!a.has("c") && !a.has("m")) stats(sb, data, facts, s);
        return Result.of(sb.toString(), data);
    }

    private static void line(StringBuilder sb, int width, String label, String value) {
        sb.append(String.format("%" + width + "s:", label));
        if (value != null) sb.append(' ').append(value);
        sb.append('\n');
    }

    private void stats(StringBuilder sb, Map<String, Object> data, MachineFacts facts, Session s) {
        String machine = utsMachine(s);
        int w = facts.labelWidth();
        line(sb, w, "MACHINE TYPE", machine);
        data.put("machine_type", machine);
        long bytes = memoryBytes(s);
        line(sb, w, "MEMORY SIZE", sizeString(bytes));
        data.put("memory_size", sizeString(bytes));
        data.put("memory_bytes", bytes);
        int cpus = cpus(s);
        int offline = cpus - online(s, cpus);
        line(sb, w, "CPUS", cpus + (offline > 0 ? " [OFFLINE: " + offline + "]" : ""));
        data.put("cpus", cpus);
        data.put("offline_cpus", offline);
        String hv = hypervisor(s);
        if (hv != null && !hv.equals("bare hardware")) {
            line(sb, w, "HYPERVISOR", hv);
        }
        data.put("hypervisor", hv);
        OptionalLong mhz = facts.processorMhz(s);
        if (facts.processorSpeedLine()) line(sb, w, "PROCESSOR SPEED", mhz.isPresent() ? mhz.getAsLong() + " Mhz" : "(unknown)");
        data.put("processor_mhz", mhz.isPresent() ? mhz.getAsLong() : null);
        int hz = hz(s);
        line(sb, w, "HZ", Integer.toString(hz));
        data.put("hz", hz);
        int page = PageSizes.of(s);
        line(sb, w, "PAGE SIZE", Integer.toString(page));
        data.put("page_size", page);
        Map<String, Object> arch = new LinkedHashMap<>();
        for (MachineFacts.Fact f : facts.machineFacts(s)) {
            line(sb, w, f.label(), f.text());
            if (f.text() != null) arch.put(f.key(), f.value());
        }
        data.put("architecture", arch);
    }

    private void cpuData(StringBuilder sb, Map<String, Object> data, MachineFacts facts, CommandContext ctx, Session s, String radix) {
        MachineFacts.CpuInfo ci = facts.cpuInfo(s).orElseThrow(() -> new CommandException("this kernel has no per-CPU processor data"));
        if (struct == null) throw new CommandException("-c prints through the struct command, which is not installed");
        long base = s.symbols().first(ci.variable()).map(Symbol::address)
                .orElseThrow(() -> new CommandException("symbol not found: " + ci.variable()));
        String type = ci.type().startsWith("struct ") ? ci.type().substring(7) : ci.type();
        List<Object> rows = new ArrayList<>();
        int cpus = ci.perCpu() ? cpus(s) : 1;
        // crash hides offline CPUs only after `set offline hide`: a panic takes the others offline
        for (int cpu = 0; cpu < cpus; cpu++) {
            ctx.checkCancelled();
            if (!ci.perCpu()) {
                sb.append("BOOT CPU:\n");
            } else {
                sb.append(cpu > 0 ? "\n" : "").append("CPU ").append(cpu).append(":\n");
            }
            long addr = ci.perCpu() ? base + s.arch().addressSpace(s).perCpuOffset(cpu) : base;
            List<String> words = new ArrayList<>(List.of(type, Long.toHexString(addr)));
            if (radix != null) words.add(radix);
            sb.append(struct.execute(ctx, words).text());
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("cpu", cpu);
            r.put("address", Hex.json(addr));
            r.put("type", ci.type());
            rows.add(r);
        }
        data.put("cpu_data", rows);
    }

    private static void memoryMap(StringBuilder sb, Map<String, Object> data, MachineFacts facts, Session s) {
        sb.append("      PHYSICAL ADDRESS RANGE         TYPE\n");
        List<Object> rows = new ArrayList<>();
        for (MachineFacts.MemoryRange r : facts.memoryMap(s)) {
            sb.append(String.format("%016x - %016x  %s%n", r.start(), r.end(), r.type()).replace("\r\n", "\n"));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("start", Hex.json(r.start()));
            m.put("end", Hex.json(r.end()));
            m.put("type", r.type());
            rows.add(m);
        }
        data.put("memory_map", rows);
    }

    // ---- the generic facts -----------------------------------------------------------------

    private static OptionalLong sym(Session s, String name) {
        try {
            Optional<Symbol> x = s.symbols().first(name);
            return x.isPresent() ? OptionalLong.of(x.get().address()) : OptionalLong.empty();
        } catch (RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    private static long offset(Session s, String type, String path) {
        Type t = s.symbols().type(type).map(Type::resolve).orElseThrow(() -> new CommandException("no type " + type));
        long off = 0;
        for (String p : path.split("\\.")) {
            Member m = t.member(p).orElseThrow(() -> new CommandException("no member " + type + "." + path));
            off += m.offset();
            t = m.type().resolve();
        }
        return off;
    }

    /** init_uts_ns.name.machine, else the dump's machine. */
    private static String utsMachine(Session s) {
        try {
            long base = sym(s, "init_uts_ns").orElseThrow() + offset(s, "struct uts_namespace", "name.machine");
            return s.memory().cString(base, 65);
        } catch (RuntimeException e) {
            return s.dump().info().machine();
        }
    }

    /** Present pages of the online nodes (crash's total), rounded up to a whole GiB within 64 MiB of it, as `sys` shows. */
    static long memoryBytes(Session s) {
        Memory m = s.memory();
        long page = PageSizes.of(s);
        long pages = 0;
        try {
            long present = offset(s, "struct pglist_data", "node_present_pages");
            OptionalLong nodeData = sym(s, "node_data");
            if (nodeData.isPresent()) {
                OptionalLong onlineMap = sym(s, "node_online_map");
                long online = onlineMap.isPresent() ? m.u64(onlineMap.getAsLong()) : 1;
                for (int i = 0; i < 64; i++) {
                    if ((online & (1L << i)) == 0) continue;
                    long pgdat = m.u64(nodeData.getAsLong() + 8L * i);
                    if (pgdat != 0) pages += m.u64(pgdat + present);
                }
            } else {
                pages = m.u64(sym(s, "contig_page_data").orElseThrow() + present);
            }
        } catch (RuntimeException e) {
            return 0;
        }
        long total = pages * page;
        long gig = 1L << 30;
        long next = (total + gig - 1) / gig * gig;
        if (next - total <= 64L << 20) total = next;
        return total;
    }

    /** crash's pages_to_size: "716 MB", "658.5 MB", "1 GB". */
    static String sizeString(long bytes) {
        if (bytes == 0) return "0";
        String r;
        // as C's printf("%.1f"): an exact tie rounds to even (Java's Formatter rounds it up)
        if (bytes >= (1L << 30)) r = new java.math.BigDecimal(bytes / (double) (1L << 30)).setScale(1, java.math.RoundingMode.HALF_EVEN) + " GB";
        else if (bytes >= (1L << 20)) r = new java.math.BigDecimal(bytes / (double) (1L << 20)).setScale(1, java.math.RoundingMode.HALF_EVEN) + " MB";
        else r = String.format("%d KB", bytes / 1024);
        return r.replace(".0 ", " ");
    }

    /** crash's kt->cpus: the dump's CPU count, else the highest present CPU + 1. */
    static int cpus(Session s) {
        int d = s.dump().info().cpus();
        if (d > 0) return d;
        try {
            long mask = s.memory().u64(sym(s, "__cpu_present_mask").orElseThrow());
            return mask == 0 ? 1 : 64 - Long.numberOfLeadingZeros(mask);
        } catch (RuntimeException e) {
            return 1;
        }
    }

    /** The first word of __cpu_online_mask, -1 when unknown. */
    private static long onlineMask(Session s) {
        try {
            return s.memory().u64(sym(s, "__cpu_online_mask").orElseThrow());
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static int online(Session s, int cpus) {
        long mask = onlineMask(s);
        if (mask == -1) return cpus;
        int n = 0;
        for (int c = 0; c < Math.min(cpus, 64); c++) if ((mask & (1L << c)) != 0) n++;
        return n;
    }

    /** crash's hypervisor: pv_info.name when the kernel has it ("bare hardware" natively). */
    private static String hypervisor(Session s) {
        try {
            long info = sym(s, "pv_info").orElseThrow();
            long name = s.memory().u64(info + offset(s, "struct pv_info", "name"));
            return name == 0 ? null : new String(s.memory().cString(name, 64).getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** HZ from tick_nsec = (NSEC_PER_SEC + HZ/2) / HZ; crash's 1000 when it cannot be read. */
    static int hz(Session s) {
        try {
            long nsec = s.memory().u64(sym(s, "tick_nsec").orElseThrow());
            if (nsec > 0 && nsec < 1_000_000_000L) {
                long hz = Math.round(1_000_000_000.0 / nsec);
                if (hz >= 10 && hz <= 10_000) return (int) hz;
            }
        } catch (RuntimeException e) {
            // fall back
        }
        return 1000;
    }
}
