package org.kdive.shell;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.kdive.api.arch.AddressSpace;
import org.kdive.api.arch.Registers;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.dump.DumpInfo;
import org.kdive.api.dump.DumpNote;
import org.kdive.api.kernel.KernelTasks;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.session.Session;
import org.kdive.api.util.Hex;

/**
 * crash's {@code help -n/-D/-r/-k/-K/-m/-t/-v}: dumps of crash's internal tables. kdive prints what
 * it has that corresponds (the dump's header facts, notes and VMCOREINFO; the CPUs' registers; the
 * kernel's text and init ranges; the machine's page and address-space facts), in crash's
 * "name: value" layout and with crash's names where the value is the same; what has no kdive
 * counterpart (crash's own pointers and flags) is left out. crash's task and vm tables (-t, -v)
 * have no kdive counterpart: kdive prints what a user reads them for (the tasks' and memory's facts).
 */
final class HelpTables {
    private HelpTables() {
    }

    static final String OPTIONS = "-n -D -r -k -K -m -t -v";

    static Result table(Session s, String option) {
        return table(s, null, option);
    }

    /** @param tasks the task list service, null when no bundle provides it (help -t then says so) */
    static Result table(Session s, KernelTasks tasks, String option) {
        return switch (option) {
            case "-n", "-D" -> dump(s);
            case "-r" -> registers(s);
            case "-k", "-K" -> kernel(s);
            case "-m" -> machine(s);
            case "-t" -> tasks == null
                    ? none("-t", "the task list is not available (no kdive-cmd-kernel bundle): crash's task table has no other counterpart")
                    : tasks(s, tasks);
            case "-v" -> vm(s);
            default -> throw new CommandException("unknown option: " + option + " (help takes " + OPTIONS + ")", CommandException.USAGE);
        };
    }

    /**
     * -t: what crash's task table tells a user: the current and panic tasks, each CPU's idle and
     * active task and the task counts (crash's nr_threads leaves out the idle tasks, its
     * running_tasks counts them), plus the tasks by state and kernel threads against user tasks.
     */
    private static Result tasks(Session s, KernelTasks kt) {
        StringBuilder sb = new StringBuilder();
        Map<String, Object> d = new LinkedHashMap<>();
        List<TaskInfo> all = kt.tasks(s);
        kt.currentTask(s).ifPresent(t -> {
            sb.append(String.format("%18s:%n", "current"));
            sb.append(String.format("%18s: %d%n", ".pid", t.pid()));
            sb.append(String.format("%18s: \"%s\"%n", ".comm", t.comm()));
            sb.append(String.format("%18s: %x%n", ".task", t.task()));
            sb.append(String.format("%18s: %d%n", ".processor", t.cpu()));
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("pid", t.pid());
            c.put("comm", t.comm());
            c.put("task", Hex.json(t.task()));
            c.put("processor", t.cpu());
            d.put("current", c);
        });
        int idle = (int) all.stream().filter(TaskInfo::idle).count();
        sb.append(String.format("%18s: %d%n", "nr_threads", all.size() - idle));
        sb.append(String.format("%18s: %d%n", "running_tasks", all.size()));
        d.put("nr_threads", all.size() - idle);
        d.put("running_tasks", all.size());
        int panicCpu = kt.panicCpu(s);
        if (panicCpu >= 0) {
            sb.append(String.format("%18s: %d%n", "panic_processor", panicCpu));
            d.put("panic_processor", panicCpu);
        }
        kt.panicTask(s).ifPresent(t -> {
            sb.append(String.format("%18s: %x%n", "panic_task", t.task()));
            d.put("panic_task", Hex.json(t.task()));
        });
        int cpus = 0;
        for (TaskInfo t : all) if (t.idle()) cpus = Math.max(cpus, t.cpu() + 1);
        long[] idleTasks = new long[cpus];
        long[] active = new long[cpus];
        for (TaskInfo t : all) {
            if (t.cpu() < 0 || t.cpu() >= cpus) continue;
            if (t.idle()) idleTasks[t.cpu()] = t.task();
            if (t.active() && active[t.cpu()] == 0) active[t.cpu()] = t.task();
        }
        for (int c = 0; c < cpus; c++) if (active[c] == 0) active[c] = idleTasks[c];
        perCpu(sb, d, "idle_threads", idleTasks);
        perCpu(sb, d, "active_set", active);
        Map<String, Integer> states = new java.util.TreeMap<>();
        int kernel = 0;
        for (TaskInfo t : all) {
            states.merge(t.stateName(), 1, Integer::sum);
            if (t.kernelThread()) kernel++;
        }
        sb.append(String.format("%18s: ", "states"));
        sb.append(String.join("  ", states.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList())).append('\n');
        sb.append(String.format("%18s: %d%n", "kernel_threads", kernel));
        sb.append(String.format("%18s: %d%n", "user_tasks", all.size() - kernel));
        d.put("states", states);
        d.put("kernel_threads", kernel);
        d.put("user_tasks", all.size() - kernel);
        return Result.of(sb.toString(), d);
    }

    private static void perCpu(StringBuilder sb, Map<String, Object> d, String name, long[] tasks) {
        sb.append(String.format("%18s:%n", name));
        List<Object> list = new java.util.ArrayList<>();
        for (int c = 0; c < tasks.length; c++) {
            sb.append(c % 4 == 0 ? "        " : "").append(String.format("%016x ", tasks[c]));
            if (c % 4 == 3 || c == tasks.length - 1) sb.append('\n');
            list.add(Hex.json(tasks[c]));
        }
        d.put(name, list);
    }

    /**
     * -v: what crash's vm_table tells a user: high_memory, where vmalloc starts, the page counts
     * (max pfn, the kernel's totalram_pages), the zone and free-area counts and each node's pgdat
     * and pages.
     */
    private static Result vm(Session s) {
        StringBuilder sb = new StringBuilder();
        Map<String, Object> d = new LinkedHashMap<>();
        AddressSpace a = s.arch().addressSpace(s);
        symbol(s, "high_memory").ifPresent(v -> hexRow(sb, d, "high_memory", s.memory().u64(v)));
        if (!a.vmalloc().isEmpty()) hexRow(sb, d, "vmalloc_start", a.vmalloc().start());
        decRow(sb, d, "total_pages", a.maxPfn());
        symbol(s, "_totalram_pages").ifPresent(v -> decRow(sb, d, "totalram_pages", s.memory().u64(v)));
        List<Long> nodes = pgdats(s);
        decRow(sb, d, "numnodes", nodes.size());
        arrayLength(s, "pglist_data", "node_zones").ifPresent(n -> decRow(sb, d, "nr_zones", n));
        arrayLength(s, "zone", "free_area").ifPresent(n -> decRow(sb, d, "nr_free_areas", n));
        List<Object> nl = new java.util.ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            long pgdat = nodes.get(i);
            Map<String, Object> n = new LinkedHashMap<>();
            sb.append(String.format("%18s: %n", "node_table[" + i + "]"));
            nodeRow(sb, n, "id", (long) (int) read(s, pgdat, "node_id", 4), false);
            nodeRow(sb, n, "pgdat", pgdat, true);
            nodeRow(sb, n, "size", read(s, pgdat, "node_spanned_pages", 8), false);
            nodeRow(sb, n, "present", read(s, pgdat, "node_present_pages", 8), false);
            nodeRow(sb, n, "start_mapnr", read(s, pgdat, "node_start_pfn", 8), false);
            nl.add(n);
        }
        d.put("nodes", nl);
        return Result.of(sb.toString(), d);
    }

    private static void hexRow(StringBuilder sb, Map<String, Object> d, String name, long v) {
        sb.append(String.format("%19s: %x%n", name, v));
        d.put(name, Hex.json(v));
    }

    private static void decRow(StringBuilder sb, Map<String, Object> d, String name, long v) {
        sb.append(String.format("%19s: %d%n", name, v));
        d.put(name, v);
    }

    private static void nodeRow(StringBuilder sb, Map<String, Object> d, String name, long v, boolean hex) {
        sb.append(String.format("%21s: %s%n", name, hex ? Long.toHexString(v) : Long.toString(v)));
        d.put(name, hex ? Hex.json(v) : (Object) v);
    }

    /** The online nodes' pglist_data: node_data[] (NUMA kernels) or contig_page_data. */
    private static List<Long> pgdats(Session s) {
        List<Long> out = new java.util.ArrayList<>();
        OptionalLong nodeData = symbol(s, "node_data");
        if (nodeData.isPresent()) {
            long count = s.symbols().variable("node_data").map(v -> v.type().resolve().count()).orElse(1L);
            OptionalLong ids = symbol(s, "nr_node_ids");
            if (ids.isPresent()) count = Math.min(count, s.memory().u32(ids.getAsLong()));
            for (long i = 0; i < Math.min(count, 1024); i++) {
                long p = s.memory().u64(nodeData.getAsLong() + 8 * i);
                if (p != 0) out.add(p);
            }
        } else {
            symbol(s, "contig_page_data").ifPresent(out::add);
        }
        return out;
    }

    private static long read(Session s, long pgdat, String member, int size) {
        long off = s.symbols().type("pglist_data").flatMap(t -> t.resolve().member(member)).map(m -> m.offset())
                .orElseThrow(() -> new CommandException("pglist_data has no member " + member));
        return size == 4 ? s.memory().u32(pgdat + off) : s.memory().u64(pgdat + off);
    }

    private static java.util.Optional<Long> arrayLength(Session s, String struct, String member) {
        try {
            return s.symbols().type(struct).flatMap(t -> t.resolve().member(member)).map(m -> m.type().resolve().count());
        } catch (RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    private static Result none(String option, String why) {
        String text = "help " + option + ": " + why + "\n";
        return Result.of(text, Map.of("option", option, "available", false, "text", text.strip()));
    }

    private static void row(StringBuilder sb, Map<String, Object> data, String name, Object value, String text) {
        sb.append(String.format("%18s: %s%n", name, text));
        data.put(name, value);
    }

    /** -n / -D: the dump's header facts, its ELF notes and VMCOREINFO (crash: the format's header dump). */
    private static Result dump(Session s) {
        StringBuilder sb = new StringBuilder();
        Map<String, Object> d = new LinkedHashMap<>();
        DumpInfo i = s.dump().info();
        row(sb, d, "filename", s.dump().files().toString(), String.join(" ", s.dump().files().stream().map(Object::toString).toList()));
        row(sb, d, "format", i.format(), i.format() + (i.formatVersion().isEmpty() ? "" : " (version " + i.formatVersion() + ")"));
        row(sb, d, "compression", i.compression(), i.compression());
        if (i.dumpLevel() >= 0) row(sb, d, "dump_level", i.dumpLevel(), String.format("%d (0x%x)", i.dumpLevel(), i.dumpLevel()));
        row(sb, d, "block_size", i.pageSize(), String.valueOf(i.pageSize()));
        row(sb, d, "machine", i.machine(), i.machine());
        if (i.cpus() >= 0) row(sb, d, "nr_cpus", i.cpus(), String.valueOf(i.cpus()));
        if (i.panicCpu() >= 0) row(sb, d, "current_cpu", i.panicCpu(), String.valueOf(i.panicCpu()));
        i.details().forEach((k, v) -> row(sb, d, k, v, v));
        List<DumpNote> notes = s.dump().notes();
        int prstatus = 0;
        for (DumpNote n : notes) if (n.isPrstatus()) prstatus++;
        row(sb, d, "num_prstatus_notes", prstatus, String.valueOf(prstatus));
        List<Object> nl = new java.util.ArrayList<>();
        for (int k = 0; k < notes.size(); k++) {
            DumpNote n = notes.get(k);
            String type = n.isPrstatus() ? "NT_PRSTATUS" : "VMCOREINFO".equals(n.name()) ? "VMCOREINFO" : "type " + n.type();
            sb.append(String.format("%18s: %s (%s, %d bytes at file offset %d)%n", "notes[" + k + "]", type, n.name(), n.desc().length,
                    n.fileOffset()));
            nl.add(Map.of("name", String.valueOf(n.name()), "type", n.type(), "size", n.desc().length, "offset", n.fileOffset()));
        }
        d.put("notes", nl);
        String vmcoreinfo = s.vmcoreinfo().text();
        sb.append(String.format("%18s: %d (0x%x)%n", "size_vmcoreinfo", vmcoreinfo.length(), vmcoreinfo.length()));
        for (String line : vmcoreinfo.split("\n")) if (!line.isEmpty()) sb.append(" ".repeat(22)).append(line).append('\n');
        d.put("vmcoreinfo", s.vmcoreinfo().entries());
        return Result.of(sb.toString(), d);
    }

    /** -r: each CPU's registers as the capture kernel saved them (crash: the dump's PRSTATUS notes). */
    private static Result registers(Session s) {
        StringBuilder sb = new StringBuilder();
        List<Object> cpus = new java.util.ArrayList<>();
        List<Registers> regs = s.arch().cpuRegisters();
        for (int c = 0; c < regs.size(); c++) {
            if (c > 0) sb.append('\n');
            sb.append("CPU ").append(c).append(":\n");
            s.arch().formatRegisters(regs.get(c)).forEach(l -> sb.append(l).append('\n'));
            Map<String, Object> m = new LinkedHashMap<>();
            regs.get(c).values().forEach((k, v) -> m.put(k, v >= 0 ? (Object) v : new java.math.BigInteger(Long.toUnsignedString(v))));
            cpus.add(Map.of("cpu", c, "registers", m));
        }
        return Result.of(sb.toString(), Map.of("cpus", cpus));
    }

    /** -k / -K: the kernel's text, init and end addresses, CPUs and release (crash's kernel_table). */
    private static Result kernel(Session s) {
        StringBuilder sb = new StringBuilder();
        Map<String, Object> d = new LinkedHashMap<>();
        String[][] symbols = {{"stext", "_stext"}, {"etext", "_etext"}, {"stext_init", "_sinittext"}, {"etext_init", "_einittext"},
            {"init_begin", "__init_begin"}, {"init_end", "__init_end"}, {"end", "_end"}};
        for (String[] n : symbols) {
            OptionalLong v = symbol(s, n[1]);
            if (v.isPresent()) {
                sb.append(String.format("%14s: %x%n", n[0], v.getAsLong()));
                d.put(n[0], org.kdive.api.util.Hex.json(v.getAsLong()));
            }
        }
        int cpus = Math.max(s.dump().info().cpus(), s.arch().cpuRegisters().size());
        sb.append(String.format("%14s: %d%n", "cpus", cpus));
        d.put("cpus", cpus);
        s.vmcoreinfo().kernelOffset().ifPresent(o -> {
            sb.append(String.format("%14s: %x%n", "kaslr_offset", o));
            d.put("kaslr_offset", org.kdive.api.util.Hex.json(o));
        });
        s.vmcoreinfo().osRelease().ifPresent(r -> {
            sb.append(String.format("%14s: %s%n", "release", r));
            d.put("release", r);
        });
        String version = s.dump().info().details().get(DumpInfo.DETAIL_UTS_VERSION);
        if (version != null) {
            sb.append(String.format("%14s: %s%n", "version", version));
            d.put("version", version);
        }
        return Result.of(sb.toString(), d);
    }

    /** -m: the machine: its name, page size and where the kernel's regions are (crash's machdep_table). */
    private static Result machine(Session s) {
        StringBuilder sb = new StringBuilder();
        Map<String, Object> d = new LinkedHashMap<>();
        AddressSpace a = s.arch().addressSpace(s);
        int page = a.pageSize();
        int shift = Integer.numberOfTrailingZeros(page);
        String[][] rows = {
            {"machine", s.arch().machine()},
            {"kernel_base", String.format("%x", a.kernelBase())},
            {"identity_map_base", String.format("%x", a.directMap().start())},
            {"pagesize", String.valueOf(page)},
            {"pageshift", String.valueOf(shift)},
            {"pagemask", String.format("%x", -(long) page)},
            {"pageoffset", String.format("%x", page - 1)},
            {"bits", String.valueOf(s.arch().pointerSize() * 8)},
            {"vmalloc", range(a.vmalloc())},
            {"modules", range(a.modules())},
            {"kernel_image", range(a.kernelImage())},
            {"vmemmap_base", String.format("%x", a.vmemmapBase())},
            {"page_struct_size", String.valueOf(a.pageStructSize())},
            {"max_pfn", String.valueOf(a.maxPfn())},
            {"calling_convention", s.arch().registerRoles().convention()}};
        for (String[] r : rows) {
            sb.append(String.format("%19s: %s%n", r[0], r[1]));
            d.put(r[0], r[1]);
        }
        return Result.of(sb.toString(), d);
    }

    private static String range(AddressSpace.Region r) {
        return r.isEmpty() ? "(none)" : String.format("%x - %x", r.start(), r.end());
    }

    private static OptionalLong symbol(Session s, String name) {
        try {
            return s.symbols().first(name).map(x -> OptionalLong.of(x.address())).orElse(OptionalLong.empty());
        } catch (RuntimeException e) {
            return OptionalLong.empty();
        }
    }
}
