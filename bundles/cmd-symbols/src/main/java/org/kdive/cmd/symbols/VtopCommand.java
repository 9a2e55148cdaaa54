package org.kdive.cmd.symbols;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.kdive.api.KdiveException;
import org.kdive.api.arch.AddressSpace;
import org.kdive.api.arch.PageWalk;
import org.kdive.api.command.Args;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.kernel.KernelTasks;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Member;
import org.kdive.cmd.symbols.format.Columns;
import org.kdive.cmd.symbols.paging.PageLine;
import org.kdive.cmd.symbols.paging.PteTable;
import org.kdive.cmd.symbols.user.UserSpace;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * crash's {@code vtop}: a virtual address's physical address, the page-table walk that gives it,
 * the leaf entry's flags and the struct page, all as the architecture reports them. Direct-map
 * addresses are translated by subtraction, as crash does (beyond RAM that names no memory, and reads
 * there still fail). Unlike crash, a kernel-image address the page table does not map (before _text,
 * after _end, freed init memory) is "(not mapped)": crash computes a physical address by subtraction
 * there and then reads memory the kernel's image mapping does not reach.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=vtop")
public final class VtopCommand implements Command {
    private static final int VADDR_WIDTH = 16;
    /** crash's width of user addresses in this table. */
    private static final int UVADDR_WIDTH = 10;
    private static final int MAX_ADDRESSES = 4096;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile KernelTasks tasks;

    public VtopCommand() {
    }

    /** Outside OSGi: the task list to find the current task and -c PID (may be null). */
    public VtopCommand(KernelTasks tasks) {
        this.tasks = tasks;
    }

    @Override public String name() { return "vtop"; }

    @Override public String description() { return "virtual to physical"; }

    @Override
    public String usage() {
        return """
                vtop - virtual to physical
                vtop [-c [pid | taskp]] [-u|-k] address ...
                  address     a hexadecimal virtual address: its physical address, the page-table walk,
                              the leaf entry's flags and the struct page of the physical page
                  -u / -k     take the address as a user / kernel virtual address (default: by its value)
                  -c pid|task user addresses of that task (default: the current task): the walk of
                              its own page table, the VMA holding the address and the struct page""";
    }

    @Override
    public Result execute(CommandContext context, List<String> raw) {
        Session s = context.session();
        Args args = Args.parse(raw, Set.of("u", "k"), Set.of("c"));
        if (args.positional().isEmpty()) throw new CommandException(usageError("vtop"));
        if (args.has("u") && args.has("k")) throw new CommandException("-u and -k options are mutually exclusive");
        if (args.positional().size() > MAX_ADDRESSES) throw new CommandException("too many addresses (at most " + MAX_ADDRESSES + ")");
        String taskSpec = args.value("c");
        Long task = taskSpec == null ? null : task(s, taskSpec);
        StringBuilder out = new StringBuilder();
        List<Object> rows = new ArrayList<>();
        boolean pageHeader = true;
        for (String word : args.positional()) {
            if (!HexWord.isHex(word)) throw new CommandException("invalid input: \"" + word + "\"");
            long vaddr = HexWord.parse(word);
            if (!out.isEmpty()) out.append('\n');
            boolean user = args.has("u") || !args.has("k") && vaddr >= 0;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("virtual", "0x" + Long.toHexString(vaddr));
            if (user) {
                row.put("space", "user");
                user(s, task, vaddr, out, row);
            } else {
                row.put("space", "kernel");
                if (kernel(s, vaddr, out, row, pageHeader)) pageHeader = false;
            }
            rows.add(row);
        }
        return Result.of(out.toString(), rows.size() == 1 ? rows.get(0) : Map.of("translations", rows));
    }

    static String usageError(String command) {
        String synopsis = command.equals("vtop") ? "vtop [-c [pid | taskp]] [-u|-k] address ..." : "ptov [address | offset:cpuspec]";
        return "Usage:\n  " + synopsis + "\nEnter \"help " + command + "\" for details.";
    }

    /** Prints one kernel address; true when it printed the struct page header. */
    private static boolean kernel(Session s, long vaddr, StringBuilder out, Map<String, Object> row, boolean pageHeader) {
        out.append(Columns.left("VIRTUAL", VADDR_WIDTH)).append("  ").append(Columns.left("PHYSICAL", VADDR_WIDTH)).append('\n');
        if (vaddr >= 0) {
            out.append(String.format("%-8x  (not a kernel virtual address)\n\n", vaddr));
            row.put("error", "not a kernel virtual address");
            return false;
        }
        AddressSpace space = s.arch().addressSpace(s);
        long pgd = s.arch().kernelPageTable();
        PageWalk walk = pgd < 0 ? null : s.arch().walk(pgd, vaddr);
        Long physical = null;
        if (space.directMap().contains(vaddr)) {
            physical = vaddr - space.directMap().start(); // crash's subtraction, mapped or not (rd still walks)
        } else if (walk != null) {
            if (walk.mapped()) physical = walk.physical();
        } else if (space.kernelImage().contains(vaddr)) {
            physical = s.arch().toPhysical(vaddr);
        } else {
            throw new CommandException("cannot walk the kernel page table: its address is unknown (no VMCOREINFO SYMBOL(init_top_pgt))");
        }
        String shown = physical == null ? "(not mapped)" : Columns.left(Long.toHexString(physical), VADDR_WIDTH);
        out.append(Columns.left(Long.toHexString(vaddr), VADDR_WIDTH)).append("  ").append(shown).append("\n\n");
        row.put("physical", physical == null ? null : "0x" + Long.toHexString(physical));
        if (walk != null) {
            walk.lines().forEach(l -> out.append(l).append('\n'));
            row.put("walk", walk.lines());
            walk.leaf().ifPresent(leaf -> {
                out.append('\n').append(PteTable.render(leaf));
                row.put("entry", "0x" + Long.toHexString(leaf.entry()));
                row.put("entry_flags", leaf.flags());
            });
        }
        out.append('\n');
        PageLine page = physical == null ? null : PageLine.read(s, physical);
        if (page == null) return false;
        if (pageHeader) out.append(PageLine.HEADER);
        out.append(page.text());
        row.put("page", page.data());
        return pageHeader;
    }

    /**
     * A user address through a task's own page table, as crash's uvtop: the walk with every level's
     * entry, the leaf's flags, the VMA that holds the address and the struct page. An address no VMA
     * holds (and every address of a kernel thread, which has no mm) is "(not accessible)".
     */
    private void user(Session s, Long task, long vaddr, StringBuilder out, Map<String, Object> row) {
        long t = task != null ? task : currentTask(s);
        row.put("task", "0x" + Long.toHexString(t));
        out.append(Columns.left("VIRTUAL", UVADDR_WIDTH)).append("  ").append(Columns.left("PHYSICAL", VADDR_WIDTH)).append('\n');
        TaskInfo info = taskInfo(s, t);
        Optional<UserSpace> space = UserSpace.of(s, info);
        Optional<UserSpace.Vma> vma = space.flatMap(u -> u.vma(vaddr));
        if (vma.isEmpty()) {
            out.append(Columns.left(Long.toHexString(vaddr), UVADDR_WIDTH)).append("  (not accessible)\n\n");
            row.put("error", "not accessible");
            return;
        }
        UserSpace u = space.get();
        PageWalk walk = s.arch().walk(u.pgdPhys(), vaddr);
        Long physical = walk.mapped() ? walk.physical() : null;
        out.append(Columns.left(Long.toHexString(vaddr), UVADDR_WIDTH)).append("  ")
                .append(physical == null ? "(not mapped)" : Columns.left(Long.toHexString(physical), VADDR_WIDTH)).append("\n\n");
        row.put("physical", physical == null ? null : "0x" + Long.toHexString(physical));
        row.put("mm", "0x" + Long.toHexString(u.mm()));
        List<String> lines = new ArrayList<>();
        for (PageWalk.Step step : walk.steps()) lines.add(String.format("%6s: %x => %x", step.level(), step.entryAddress(), step.entry()));
        if (walk.mapped()) {
            long size = walk.pageSize();
            lines.add(String.format("  PAGE: %x  %s", walk.physical() & -size, size == (1L << 30) ? "(1GB)" : size == (1L << 21) ? "(2MB)" : ""));
        }
        lines.forEach(l -> out.append(l).append('\n'));
        row.put("walk", lines);
        walk.leaf().ifPresent(leaf -> {
            out.append('\n').append(PteTable.render(leaf));
            row.put("entry", "0x" + Long.toHexString(leaf.entry()));
            row.put("entry_flags", leaf.flags());
        });
        UserSpace.Vma v = vma.get();
        out.append('\n').append(VMA_HEADER).append(String.format("%16x %10x %10x %6x %s\n", v.address(), v.start(), v.end(), v.flags(),
                v.file() == null ? "" : v.file()));
        Map<String, Object> vm = new LinkedHashMap<>();
        vm.put("vma", "0x" + Long.toHexString(v.address()));
        vm.put("start", "0x" + Long.toHexString(v.start()));
        vm.put("end", "0x" + Long.toHexString(v.end()));
        vm.put("flags", v.flags());
        vm.put("file", v.file());
        row.put("vma", vm);
        out.append('\n');
        PageLine page = physical == null ? null : PageLine.read(s, physical);
        if (page == null) return;
        out.append(PageLine.HEADER).append(page.text());
        row.put("page", page.data());
    }

    /** crash's VMA header (vm's columns, 64-bit addresses). */
    private static final String VMA_HEADER = "      VMA           START       END     FLAGS FILE\n";

    private TaskInfo taskInfo(Session s, long task) {
        KernelTasks kt = tasks;
        if (kt != null) {
            for (TaskInfo t : kt.tasks(s)) {
                if (t.task() == task) return t;
            }
        }
        return new TaskInfo(task, -1, -1, -1, -1, "", 0, "", false, false, false, 0);
    }

    private long currentTask(Session s) {
        KernelTasks kt = tasks;
        Optional<TaskInfo> current = kt == null ? Optional.empty() : kt.currentTask(s);
        return current.orElseThrow(() -> new CommandException("no current task (the task list is not available): use -c task")).task();
    }

    /** -c: a task_struct address (hex) or a pid (decimal), as crash takes them. */
    private Long task(Session s, String spec) {
        KernelTasks kt = tasks;
        if (spec.matches("\\d+") && kt != null) {
            int pid = Integer.parseInt(spec);
            for (TaskInfo t : kt.tasks(s)) {
                if (t.pid() == pid) return t.task();
            }
        }
        if (HexWord.isHex(spec)) {
            long addr = HexWord.parse(spec);
            if (addr < 0) {
                if (kt == null) return addr;
                for (TaskInfo t : kt.tasks(s)) {
                    if (t.task() == addr) return addr;
                }
            }
        }
        throw new CommandException("invalid task or pid value: " + spec);
    }

    static long mm(Session s, long task) {
        return UserSpace.mm(s, task);
    }

    /** crash's htol for these commands: hexadecimal, with or without 0x. */
    static final class HexWord {
        private HexWord() {
        }

        static boolean isHex(String w) {
            String t = w.startsWith("0x") || w.startsWith("0X") ? w.substring(2) : w;
            return !t.isEmpty() && t.length() <= 16 && t.chars().allMatch(c -> Character.digit(c, 16) >= 0);
        }

        static long parse(String w) {
            return org.kdive.api.util.Hex.parseAddress(w);
        }
    }
}
