package org.kdive.cmd.process.commands;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import org.kdive.cmd.process.mm.AddressSpaces;
import org.kdive.cmd.process.mm.MmUsage;
import org.kdive.cmd.process.mm.UserPages;
import org.kdive.cmd.process.mm.Vma;
import org.kdive.cmd.process.mm.VmFlags;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * crash's `vm`: a task's mm_struct, page directory, RSS and total_vm, then its VMAs (maple tree on
 * 6.1+, vm_next list before) with flags and file; {@code -p} each page's physical address, swap
 * slot or file offset; {@code -m}/{@code -v} the mm_struct / every vm_area_struct (through the
 * {@code struct} command); {@code -P} one VMA; {@code -R} a reference search; {@code -f} flag names.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=vm")
public final class VmCommand implements Command {
    /** crash's VADDR_PRLEN and UVADDR_PRLEN (x86_64's and arm64's: 16 and 10). */
    private static final int VADDR = 16;
    private static final int UVADDR = 10;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile KernelTasks tasks;
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private volatile List<MachineFacts> machines = new java.util.concurrent.CopyOnWriteArrayList<>();
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, target = "(" + Command.NAME_PROPERTY + "=struct)")
    private volatile Command struct;

    public VmCommand() {
    }

    /** Outside OSGi: the task list, the machine facts (swap entries) and the `struct` command (-m, -v). */
    public VmCommand(KernelTasks tasks, List<MachineFacts> machines, Command struct) {
        this.tasks = tasks;
        this.machines = machines;
        this.struct = struct;
    }

    @Override public String name() { return "vm"; }

    @Override public String description() { return "virtual memory"; }

    @Override
    public String usage() {
        return """
                vm - virtual memory
                vm [-p | -P vma | -M mm | -v | -m | [-R reference] [-d | -x] | -f vm_flags] [pid | taskp] ...
                  The memory of a task's address space (default: the current context): its mm_struct,
                  page directory, resident set and total virtual size, then each virtual memory area
                  (VMA: address, start, end, vm_flags, file); the VMAs come from the maple tree
                  mm_struct.mm_mt on Linux 6.1+ and from the mm_struct.mmap list before.
                    -p           after each VMA, every page's physical address, or its swap device and
                                 offset, or its file and offset, or "(not mapped)"
                    -P vma       only that VMA, with its pages as -p shows them
                    -v           each vm_area_struct in full
                    -m           the mm_struct in full
                    -R reference only what refers to reference: a VMA, mm_struct, page directory,
                                 virtual or physical address, vm_flags value, file name component or
                                 swap/file offset (hex; swap offsets decimal)
                    -d | -x      with -m/-v: print integers in decimal / hexadecimal
                    -f vm_flags  the names of the bits of a vm_flags value
                    -M mm_struct for a task without one (exiting), the VMAs of this mm_struct
                    pid | taskp  tasks by PID (decimal) or task_struct address (hex)
                """;
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        Args a = Args.parse(args, Set.of("p", "m", "v", "x", "d"), Set.of("R", "P", "f", "M"));
        if (a.has("x") && a.has("d")) throw new CommandException("-d and -x are mutually exclusive", CommandException.USAGE);
        int modes = (a.has("p") ? 1 : 0) + (a.has("m") ? 1 : 0) + (a.has("v") ? 1 : 0) + (a.has("P") ? 1 : 0);
        if (modes > 1 || (a.has("R") && (a.has("m") || a.has("v") || a.has("P"))) || (a.has("f") && modes > 0)) {
            throw new CommandException("options conflict\nUsage: " + usage().lines().skip(1).findFirst().orElse(""), CommandException.USAGE);
        }
        Session s = context.session();
        Layout k = Layout.of(s);
        if (a.has("f")) {
            long flags = parseHex(a.value("f"));
            List<String> names = VmFlags.names(k, flags);
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("vm_flags", flags);
            d.put("flags", names);
            return Result.of(Long.toHexString(flags) + ": (" + String.join("|", names) + ")\n", d);
        }
        Mode mode = new Mode(a.has("p") || a.has("R"), a.has("m"), a.has("v"),
                a.has("P") ? parseHex(a.value("P")) : 0, a.has("P"), a.has("R") ? new Ref(a.value("R")) : null,
                a.has("x") ? "-x" : a.has("d") ? "-d" : null, a.has("M") ? forcedMm(s, a.value("M")) : 0);
        if ((mode.mm || mode.vmas) && struct == null) {
            throw new CommandException("-m and -v print through the struct command, which is not installed");
        }
        Tasks t = new Tasks(tasks, s);
        // resolve every word before printing, as a user error stops nothing already shown
        List<Object> targets = new ArrayList<>();
        if (a.positional().isEmpty()) {
            targets.add(t.current());
        } else {
            for (String w : a.positional()) targets.add(t.resolve(w).<Object>map(x -> x).orElse(w));
        }
        MachineFacts facts = machine(s).orElse(null);
        return Result.stream("tasks", out -> {
            Run run = new Run(context, out, s, k, t, mode, facts);
            if (a.positional().isEmpty()) {
                run.task((TaskInfo) targets.get(0), mode.ref == null, false);
                return null;
            }
            int subsequent = 0;
            for (Object target : targets) {
                if (target instanceof String w) {
                    out.error(CommandException.NOT_FOUND, (subsequent++ > 0 ? "\n" : "") + "vm: invalid task or pid value: " + w + "\n");
                    continue;
                }
                for (TaskInfo ti : ((Tasks.Selected) target).tasks()) {
                    run.task(ti, mode.ref == null, subsequent++ > 0);
                }
            }
            return null;
        });
    }

    private Optional<MachineFacts> machine(Session s) {
        String m = s.arch().machine();
        for (MachineFacts f : machines) if (f.supports(m)) return Optional.of(f);
        return Optional.empty();
    }

    private static long parseHex(String v) {
        String w = v.startsWith("0x") || v.startsWith("0X") ? v.substring(2) : v;
        try {
            return Long.parseUnsignedLong(w, 16);
        } catch (NumberFormatException e) {
            throw new CommandException("invalid hexadecimal value: " + v, CommandException.USAGE);
        }
    }

    /**
     * @param forcedMm -M: the mm_struct to show for a task that has none (an exiting task), 0 when not given
     */
    record Mode(boolean pages, boolean mm, boolean vmas, long single, boolean hasSingle, Ref ref, String radix, long forcedMm) {
    }

    /**
     * -M's mm_struct: a kernel address whose mm_count is not 0 (crash also checks that it lies in
     * the mm_struct slab cache, which this bundle cannot see: an address that reads is taken).
     */
    private static long forcedMm(Session s, String word) {
        long mm = parseHex(word);
        if (Long.compareUnsigned(mm, s.arch().addressSpace(s).kernelBase()) < 0) {
            throw new CommandException("invalid mm_struct address: " + word, CommandException.USAGE);
        }
        Layout k = Layout.of(s);
        long count;
        try {
            count = k.s32(mm + k.requireOffset("mm_struct", "mm_count"));
        } catch (org.kdive.api.KdiveException e) {
            throw new CommandException("invalid mm_struct address: " + word, CommandException.USAGE);
        }
        if (count == 0) throw new CommandException("stale mm_struct address", CommandException.USAGE);
        return mm;
    }

    /** -R's reference: a number (hex, and decimal when it reads as one) or a name. */
    static final class Ref {
        final String text;
        final boolean number;
        final long hex;
        final long dec;
        final boolean hasDec;

        Ref(String text) {
            this.text = text;
            String w = text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text;
            boolean isHex = w.matches("[0-9a-fA-F]{1,16}");
            this.number = isHex;
            this.hex = isHex ? Long.parseUnsignedLong(w, 16) : 0;
            this.hasDec = text.matches("\\d{1,18}");
            this.dec = hasDec ? Long.parseLong(text) : 0;
        }

        boolean hex(long v) { return number && hex == v; }

        boolean dec(long v) { return number && hasDec && dec == v; }

        /** crash's FILENAME_COMPONENT: "/" matches "/" only; otherwise a substring of the path. */
        boolean name(String path) {
            if (path == null || path.isEmpty()) return false;
            return (path.equals("/") && text.equals("/")) || (!text.equals("/") && path.contains(text));
        }
    }

    /** One invocation's output state. */
    private final class Run {
        final CommandContext ctx;
        final Output out;
        final Session s;
        final Layout k;
        final Tasks t;
        final Mode mode;
        final AddressSpaces spaces;
        final UserPages pages;

        Run(CommandContext ctx, Output out, Session s, Layout k, Tasks t, Mode mode, MachineFacts facts) {
            this.ctx = ctx;
            this.out = out;
            this.s = s;
            this.k = k;
            this.t = t;
            this.mode = mode;
            this.spaces = new AddressSpaces(k, ctx::checkCancelled);
            this.pages = new UserPages(k, Optional.ofNullable(facts));
        }

        void task(TaskInfo ti, boolean header, boolean subsequent) {
            ctx.checkCancelled();
            if (header) out.text((subsequent ? "\n" : "") + Tasks.header(ti) + "\n");
            MmUsage usage = MmUsage.of(k, ti, t.all());
            Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("pid", ti.pid());
            rec.put("task", Hex.json(ti.task()));
            rec.put("comm", ti.comm());
            rec.put("mm", Hex.json(usage.mm()));
            rec.put("pgd", Hex.json(usage.pgd()));
            long page = k.pageSize();
            rec.put("rss_kb", usage.rssPages() * page / 1024);
            rec.put("total_vm_kb", usage.totalVmPages() * page / 1024);
            Ref ref = mode.ref;
            if (ref != null && (ref.hex(usage.mm()) || ref.hex(usage.pgd()))) {
                out.text(Tasks.header(ti) + "\n" + vmData(usage, k.pageSize()) + "\n");
                rec.put("match", "mm");
                out.record(rec);
                return;
            }
            if (!mode.mm && !mode.vmas && !mode.hasSingle && ref == null) out.text(vmData(usage, k.pageSize()));
            if (usage.mm() == 0 && mode.forcedMm == 0) {
                out.record(rec);
                return;
            }
            // -M: the VMAs and pages of the mm_struct given, the usage line stays the task's (zeros)
            MmUsage mu = usage.mm() != 0 ? usage : new MmUsage(mode.forcedMm, k.pointer(mode.forcedMm, "mm_struct", "pgd"), 0, 0);
            if (usage.mm() == 0) rec.put("forced_mm", Hex.json(mode.forcedMm));
            if (mode.mm) {
                structDump("mm_struct", mu.mm());
                out.record(rec);
                return;
            }
            if (!mode.pages && !mode.vmas && !mode.hasSingle && ref == null) out.text(VMA_HEADER);
            List<Object> vmas = new ArrayList<>();
            RefState st = new RefState();
            boolean[] singleFound = {false};
            spaces.each(mu.mm(), addr -> {
                ctx.checkCancelled();
                Vma v = spaces.read(addr);
                Map<String, Object> vr = vmaRecord(v);
                if (vma(ti, mu, v, st, singleFound, vr)) vmas.add(vr);
            });
            if (mode.hasSingle && !singleFound[0]) out.text("(not found)\n");
            if (ref != null && st.header) out.text("\n");
            rec.put("vmas", vmas);
            out.record(rec);
        }

        /** One VMA in the mode asked; whether it belongs in the JSON record. */
        private boolean vma(TaskInfo ti, MmUsage mu, Vma v, RefState st, boolean[] singleFound, Map<String, Object> vr) {
            Ref ref = mode.ref;
            if (mode.pages && ref == null) out.text(VMA_HEADER);
            if (mode.hasSingle) {
                if (v.address() != mode.single) return false;
                out.text(VMA_HEADER);
                singleFound[0] = true;
            }
            if (mode.vmas) {
                structDump("vm_area_struct", v.address());
                return true;
            }
            if (ref != null) {
                boolean shown = false;
                if (ref.hex(v.address()) || ref.hex(v.flags()) || ref.name(v.path())) {
                    if (!st.header) {
                        out.text(Tasks.header(ti) + "\n" + vmData(mu, k.pageSize()));
                        st.header = true;
                    }
                    if (!st.vma || st.page) {
                        out.text(VMA_HEADER);
                        st.vma = true;
                        st.page = false;
                        st.lastVma = v.address();
                    }
                    out.text(vmaLine(v));
                    shown = true;
                }
                List<UserPages.Page> hits = new ArrayList<>();
                pages.pages(mu.pgd(), v, v.start(), p -> {
                    if (matches(ref, p)) hits.add(p);
                }, ctx::checkCancelled);
                if (!hits.isEmpty()) {
                    st.page = true;
                    if (!st.header) {
                        out.text(Tasks.header(ti) + "\n" + vmData(mu, k.pageSize()));
                        st.header = true;
                    }
                    if (!st.vma || st.lastVma != v.address()) {
                        out.text(VMA_HEADER + vmaLine(v));
                        st.vma = true;
                        st.lastVma = v.address();
                    }
                    out.text(PAGE_HEADER);
                    List<Object> pr = new ArrayList<>();
                    for (UserPages.Page p : hits) {
                        out.text(pageLine(p));
                        pr.add(pageRecord(p));
                    }
                    vr.put("pages", pr);
                    shown = true;
                }
                return shown;
            }
            out.text(vmaLine(v));
            if (mode.pages || mode.hasSingle) {
                if (mm(mu) == initMm()) return true;
                out.text(PAGE_HEADER);
                List<Object> pr = new ArrayList<>();
                pages.pages(mu.pgd(), v, v.start(), p -> {
                    out.text(pageLine(p));
                    if (out.json()) pr.add(pageRecord(p));
                }, ctx::checkCancelled);
                vr.put("pages", pr);
            }
            return true;
        }

        private long mm(MmUsage mu) {
            return mu.mm();
        }

        private long initMm() {
            return k.symbol("init_mm").orElse(0);
        }

        private boolean matches(Ref ref, UserPages.Page p) {
            if (ref.hex(p.virtual())) return true;
            if (p.mapped()) return ref.hex(p.physical());
            if (p.swapped()) return ref.dec(p.swapOffset()) || ref.name(p.swapFile());
            if (p.inFile()) return ref.hex(p.fileOffset());
            return false;
        }

        private void structDump(String type, long addr) {
            List<String> words = new ArrayList<>();
            words.add(type);
            words.add(Long.toHexString(addr));
            if (mode.radix != null) words.add(mode.radix);
            Result r = struct.execute(ctx, words);
            out.text(r.text());
        }
    }

    private static final class RefState {
        boolean header;
        boolean vma;
        boolean page;
        long lastVma;
    }

    static final String VMA_HEADER = Columns.center("VMA", VADDR, false) + " " + Columns.center("START", UVADDR, true) + " "
            + Columns.center("END", UVADDR, true) + "  FLAGS FILE\n";
    static final String PAGE_HEADER = Columns.left("VIRTUAL", UVADDR) + "  " + Columns.left("PHYSICAL", 8) + "\n";

    /** crash's PRINT_VM_DATA: the MM/PGD/RSS/TOTAL_VM heading and values, centred. */
    static String vmData(MmUsage mu, long page) {
        return Columns.center("MM", VADDR, false) + "  " + Columns.center("PGD", VADDR, false) + "  "
                + Columns.center("RSS", 6, false) + "  " + Columns.center("TOTAL_VM", 8, false) + "\n"
                + Columns.center(Long.toHexString(mu.mm()), VADDR, false) + "  " + Columns.center(Long.toHexString(mu.pgd()), VADDR, false) + "  "
                + Columns.center(mu.rssPages() * page / 1024 + "k", 6, false) + "  " + Columns.center(mu.totalVmPages() * page / 1024 + "k", 8, false) + "\n";
    }

    static String vmaLine(Vma v) {
        return Columns.center(Long.toHexString(v.address()), VADDR, false) + " " + Columns.right(Long.toHexString(v.start()), UVADDR) + " "
                + Columns.right(Long.toHexString(v.end()), UVADDR) + " " + String.format("%6x", v.flags()) + " " + v.path() + "\n";
    }

    static String pageLine(UserPages.Page p) {
        String va = Columns.left(Long.toHexString(p.virtual()), UVADDR);
        if (p.mapped()) return va + "  " + Columns.right(Long.toHexString(p.physical()), 8) + "\n";
        if (p.swapped()) return va + "  SWAP: " + p.swapFile() + "  OFFSET: " + p.swapOffset() + "\n";
        if (p.inFile()) return va + "  FILE: " + p.file() + "  OFFSET: " + Long.toHexString(p.fileOffset()) + "\n";
        return va + "  (not mapped)\n";
    }

    private static Map<String, Object> vmaRecord(Vma v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vma", Hex.json(v.address()));
        m.put("start", Hex.json(v.start()));
        m.put("end", Hex.json(v.end()));
        m.put("flags", v.flags());
        m.put("file", v.path().isEmpty() ? null : v.path());
        return m;
    }

    private static Map<String, Object> pageRecord(UserPages.Page p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("virtual", Hex.json(p.virtual()));
        if (p.mapped()) {
            m.put("physical", Hex.json(p.physical()));
        } else if (p.swapped()) {
            m.put("swap", p.swapFile());
            m.put("swap_offset", p.swapOffset());
        } else if (p.inFile()) {
            m.put("file", p.file());
            m.put("file_offset", Hex.json(p.fileOffset()));
        } else {
            m.put("mapped", false);
        }
        return m;
    }
}
