package org.kdive.cmd.symbols;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.kernel.KernelTasks;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.session.Session;
import org.kdive.cmd.symbols.format.Columns;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** crash's {@code ptov}: a physical address's direct-map address, or a per-cpu offset's address on CPUs. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=ptov")
public final class PtovCommand implements Command {
    private static final int VADDR_WIDTH = 16;
    private static final int MAX_ARGS = 4096;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile KernelTasks tasks;

    public PtovCommand() {
    }

    /** Outside OSGi: the task list gives the current task's CPU for "offset:" (may be null). */
    public PtovCommand(KernelTasks tasks) {
        this.tasks = tasks;
    }

    @Override public String name() { return "ptov"; }

    @Override public String description() { return "physical to virtual, per-cpu offset to virtual"; }

    @Override
    public String usage() {
        return """
                ptov - physical to virtual, per-cpu offset to virtual
                ptov [address | offset:cpuspec] ...
                  address         a hexadecimal physical address: its address in the kernel's direct map
                  offset:cpuspec  a per-cpu offset on CPUs: "offset:" the current task's CPU,
                                  "offset:a" all, "offset:1,3-5" a list""";
    }

    @Override
    public Result execute(CommandContext context, List<String> raw) {
        Session s = context.session();
        if (raw.isEmpty()) throw new CommandException(VtopCommand.usageError("ptov"));
        if (raw.size() > MAX_ARGS) throw new CommandException("too many addresses (at most " + MAX_ARGS + ")");
        StringBuilder out = new StringBuilder();
        List<Object> rows = new ArrayList<>();
        for (String word : raw) {
            if (!out.isEmpty()) out.append('\n');
            int colon = word.indexOf(':');
            String number = colon < 0 ? word : word.substring(0, colon);
            if (!VtopCommand.HexWord.isHex(number)) throw new CommandException("invalid input: \"" + number + "\"");
            long value = VtopCommand.HexWord.parse(number);
            rows.add(colon < 0 ? physical(s, value, out) : perCpu(s, value, word.substring(colon + 1), out));
        }
        return Result.of(out.toString(), rows.size() == 1 ? rows.get(0) : Map.of("translations", rows));
    }

    private static Map<String, Object> physical(Session s, long physical, StringBuilder out) {
        long vaddr = s.arch().addressSpace(s).directMapAddress(physical);
        out.append(Columns.left("VIRTUAL", VADDR_WIDTH)).append("  ").append(Columns.left("PHYSICAL", VADDR_WIDTH)).append('\n');
        out.append(Columns.left(Long.toHexString(vaddr), VADDR_WIDTH)).append("  ")
                .append(Columns.left(Long.toHexString(physical), VADDR_WIDTH)).append('\n');
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("physical", "0x" + Long.toHexString(physical));
        row.put("virtual", "0x" + Long.toHexString(vaddr));
        return row;
    }

    private Map<String, Object> perCpu(Session s, long offset, String spec, StringBuilder out) {
        long[] offsets = s.arch().addressSpace(s).perCpuOffsets();
        if (offsets.length == 0) throw new CommandException("per-cpu offsets unknown (no __per_cpu_offset / nr_cpu_ids)");
        TreeSet<Integer> cpus;
        if (spec.isEmpty()) {
            cpus = new TreeSet<>(List.of(currentCpu(s)));
        } else {
            cpus = PerCpu.cpus(spec, offsets.length);
        }
        int width = ("[" + (offsets.length - 1) + "]").length() + 2;
        out.append("PER-CPU OFFSET: ").append(Long.toHexString(offset)).append('\n');
        out.append("  ").append(Columns.left("CPU", width)).append("  ").append(Columns.left("VIRTUAL", VADDR_WIDTH)).append('\n');
        List<Object> list = new ArrayList<>();
        for (int cpu : cpus) {
            long vaddr = offset + offsets[cpu];
            out.append("  ").append(Columns.left("[" + cpu + "]", width)).append(Long.toHexString(vaddr)).append('\n');
            list.add(Map.of("cpu", cpu, "virtual", "0x" + Long.toHexString(vaddr)));
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("offset", "0x" + Long.toHexString(offset));
        row.put("cpus", list);
        return row;
    }

    private int currentCpu(Session s) {
        KernelTasks kt = tasks;
        Optional<TaskInfo> current = kt == null ? Optional.empty() : kt.currentTask(s);
        return current.orElseThrow(() -> new CommandException("no current task (the task list is not available): give the cpus, e.g. offset:a"))
                .cpu();
    }
}
