package org.kdive.cmd.kernel.mem;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.kdive.api.arch.AddressSpace;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.symbols.SourceLine;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.util.Hex;
import org.kdive.cmd.kernel.access.Kernel;
import org.kdive.cmd.kernel.slab.SlabViews;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.cmd.kernel.tasks.TaskTable;

/**
 * crash's `kmem ADDRESS` without an option: everything the address is, in crash's order — the
 * kernel or module symbol it falls in, the task whose stack it is (vmalloc'd stacks) and its
 * vmalloc area, the slab object holding it, the task_struct or stack holding it, and last its
 * page descriptor. A physical address (or any address with -P) is looked at through the direct map.
 */
public final class KmemSearch {
    private final CommandContext context;
    private final Kernel k;
    private final AddressSpace space;

    public KmemSearch(CommandContext context, Kernel k) {
        this.context = context;
        this.k = k;
        this.space = k.session().arch().addressSpace(k.session());
    }

    /** The text for one address; {@code data} gets what was found. */
    public String search(long value, boolean physical, Map<String, Object> data) {
        boolean phys = physical || value >= 0;
        long vaddr = phys ? (Long.compareUnsigned(value, space.maxPfn() * space.pageSize()) < 0 ? space.directMapAddress(value) : 0) : value;
        StringBuilder sb = new StringBuilder();
        data.put("address", Hex.json(value));
        data.put("type", phys ? "physical" : "virtual");

        // the symbol of a kernel image or module address
        if (vaddr != 0 && (inImage(vaddr) || (!phys && space.modules().contains(value)))) {
            Optional<Symbol> sym = k.session().symbols().containing(vaddr);
            if (sym.isPresent()) {
                sb.append(symbolLine(sym.get(), vaddr)).append("\n\n");
                data.put("symbol", sym.get().name());
            }
        }
        long pagePhys = -1;
        if (!phys && (space.vmalloc().contains(value) || space.modules().contains(value))) {
            TaskInfo owner = stackOwner(value);
            if (owner != null) {
                sb.append(context(owner)).append('\n');
                data.put("stack_of", Hex.json(owner.task()));
            }
            try {
                long p = k.memory().toPhysical(value);
                for (Vmalloc.Area a : Vmalloc.areas(k, new ArrayList<>())) {
                    if (Long.compareUnsigned(value, a.start()) >= 0 && Long.compareUnsigned(value, a.end()) < 0) {
                        sb.append(Vmalloc.HEADER).append('\n').append(a.line()).append("\n\n");
                        data.put("vmalloc", Hex.json(a.start()));
                        pagePhys = p;
                        break;
                    }
                }
            } catch (RuntimeException e) {
                // not mapped: no area, no page
            }
        }
        if (pagePhys < 0) {
            if (vaddr != 0) {
                try {
                    String slab = SlabViews.show(context, false, Long.toHexString(vaddr), null, List.of()).text();
                    sb.append(slab).append('\n');
                    data.put("slab", true);
                } catch (CommandException e) {
                    // not slab memory
                }
                // a page in a buddy free list: its block (crash's dump_free_pages step)
                Map<String, Object> free = new LinkedHashMap<>();
                String block = new FreeAreas(context, k).search(phys ? value : vaddr, phys, free);
                if (!block.isEmpty()) {
                    sb.append(block).append('\n');
                    data.put("free_block", free);
                }
                TaskInfo t = taskHolding(vaddr);
                if (t == null) t = stackOwner(vaddr);
                if (t != null) {
                    sb.append(context(t)).append('\n');
                    data.put("task", Hex.json(t.task()));
                }
            }
        }
        PageMap pm = new PageMap(k);
        // a page exists where a present section has a mem map (also past max_pfn: reserved tails)
        MemSections sections = MemSections.of(k).orElse(null);
        long page = -1;
        long pfn = -1;
        if (pagePhys >= 0) {
            pfn = pagePhys / pm.pageSize();
        } else if (vaddr != 0) {
            long asPage = sections != null ? sections.pfnOfPage(vaddr) : pm.isPage(vaddr) ? pm.pfnOf(vaddr) : -1;
            if (asPage >= 0) {
                pfn = asPage;
            } else {
                try {
                    pfn = Long.divideUnsigned(phys ? value : k.memory().toPhysical(vaddr), pm.pageSize());
                } catch (RuntimeException e) {
                    pfn = -1;
                }
            }
        }
        if (pfn >= 0) {
            page = sections != null ? sections.pageOf(pfn) : Long.compareUnsigned(pfn, pm.maxPfn()) < 0 ? pm.pageOf(pfn) : 0;
            if (page == 0) page = -1;
        }
        String line = null;
        if (page != -1) {
            try {
                Map<String, Object> r = PageMap.record();
                line = pm.line(page, r);
                data.put("page", r);
            } catch (RuntimeException e) {
                line = null;
            }
        }
        if (line != null) {
            sb.append(pm.header()).append('\n').append(line).append('\n');
        } else {
            sb.append(String.format("%x: %s address not found in mem map%n", value, phys ? "physical" : "kernel virtual"));
        }
        return sb.toString();
    }

    private boolean inImage(long vaddr) {
        long start = k.symbol("_stext").orElse(space.kernelImage().start());
        long end = k.symbol("_end").orElse(space.kernelImage().end());
        return Long.compareUnsigned(vaddr, start) >= 0 && Long.compareUnsigned(vaddr, end) <= 0;
    }

    /** crash's show_symbol: "addr (t) name+off [module] file: line" (the line for text only). */
    private String symbolLine(Symbol s, long addr) {
        long off = addr - s.address();
        StringBuilder sb = new StringBuilder(String.format("%x (%c) %s", addr, s.type(), s.name()));
        if (off != 0) sb.append('+').append(off);
        if (s.module() != null) sb.append(" [").append(s.module()).append(']');
        if (s.isText()) {
            try {
                Optional<SourceLine> l = k.session().symbols().line(addr);
                l.ifPresent(x -> sb.append(' ').append(x.file()).append(": ").append(x.line()));
            } catch (RuntimeException e) {
                // no line table
            }
        }
        return sb.toString();
    }

    private TaskInfo taskHolding(long vaddr) {
        // the object a task_struct is (arch_task_struct_size: x86's FPU state sizes it at boot),
        // not the DWARF size with the largest FPU state, which would reach into the next task
        long size = k.size("task_struct").orElse(0);
        OptionalLong arch = k.symbol("arch_task_struct_size");
        if (arch.isPresent()) {
            try {
                long s = k.s32(arch.getAsLong());
                if (s > 0) size = s;
            } catch (RuntimeException e) {
                // keep the DWARF size
            }
        }
        for (TaskInfo t : TaskTable.of(k.session()).tasks()) {
            if (Long.compareUnsigned(vaddr - t.task(), size) < 0) return t;
        }
        return null;
    }

    /** The task whose kernel stack holds the address. */
    private TaskInfo stackOwner(long vaddr) {
        long size = org.kdive.cmd.kernel.tasks.TaskStack.of(k.session()).size();
        long stackOff = k.offset("task_struct", "stack").orElse(-1);
        if (stackOff < 0) return null;
        for (TaskInfo t : TaskTable.of(k.session()).tasks()) {
            try {
                long stack = k.u64(t.task() + stackOff);
                if (stack != 0 && Long.compareUnsigned(vaddr - stack, size) < 0) return t;
            } catch (RuntimeException e) {
                // an unreadable task
            }
        }
        return null;
    }

    /** crash's show_context block, as `set` prints it. */
    private String context(TaskInfo t) {
        return org.kdive.cmd.kernel.commands.SetCommand.show(k.session(), TaskTable.of(k.session()), t);
    }

    /** `kmem -m member[,member]`: crash's columns of struct page members for a page. */
    public static String memberHeader(List<String> members) {
        StringBuilder sb = new StringBuilder(Columns.center("PAGE", 16, false));
        for (String m : members) sb.append("  ").append(m);
        return sb.toString();
    }

    /** One page's -m line: each member as crash formats it by its type and size. */
    public static String memberLine(Kernel k, long page, List<String> members, Map<String, Object> data) {
        StringBuilder sb = new StringBuilder(String.format("%x  ", page));
        data.put("page", Hex.json(page));
        for (String m : members) {
            org.kdive.api.symbols.Member mem = k.member("page", m).orElseThrow(() -> new CommandException("invalid page struct member: " + m));
            long off = k.offset("page", m).orElseThrow();
            org.kdive.api.symbols.Type t = mem.type().resolve();
            long len = t.size();
            switch (t.kind()) {
                case POINTER -> {
                    long v = k.u64(page + off);
                    sb.append(String.format("%016x  ", v));
                    data.put(m, Hex.json(v));
                }
                case BASE, ENUM -> {
                    if (len != 1 && len != 2 && len != 4 && len != 8) throw new CommandException("unsupported page member reference: page." + m);
                    long v = k.memory().unsigned(page + off, (int) len);
                    if (mem.isBitfield()) v = (v >>> mem.bitOffset()) & ((1L << mem.bitSize()) - 1);
                    boolean hex = m.equals("flags");
                    boolean signed = t.isSigned();
                    String f;
                    if (hex) {
                        f = String.format("%0" + (2 * len) + "x", v);
                        // crash's format for a signed 8-byte member in hex has no trailing blanks
                        f += signed && len == 8 ? "" : "  ";
                    } else if (signed) {
                        long sv = len == 8 ? v : (v << (64 - 8 * len)) >> (64 - 8 * len);
                        f = sv + "  ";
                    } else {
                        f = Long.toUnsignedString(v) + "  ";
                    }
                    sb.append(f);
                    data.put(m, v);
                }
                case STRUCT, UNION -> {
                    if (m.startsWith("_count") || m.startsWith("_mapcount")) {
                        int v = (int) k.u32(page + off);
                        sb.append(v).append("  ");
                        data.put(m, v);
                    } else if (len % 8 == 0) {
                        List<String> words = new ArrayList<>();
                        for (long i = 0; i < len; i += 8) words.add(String.format("%016x", k.u64(page + off + i)));
                        sb.append(String.join(",", words)).append("  ");
                        data.put(m, words);
                    } else if (len % 4 == 0) {
                        List<String> words = new ArrayList<>();
                        for (long i = 0; i < len; i += 4) words.add(String.format("%08x", k.u32(page + off + i)));
                        sb.append(String.join(",", words));
                        data.put(m, words);
                    } else if (len == 2) {
                        sb.append(String.format("%04x  ", k.memory().u16(page + off)));
                    } else {
                        throw new CommandException("unsupported page member reference: page." + m);
                    }
                }
                default -> throw new CommandException("unsupported page member reference: page." + m);
            }
        }
        return sb.toString();
    }

    /** JSON record of one address searched. */
    public static Map<String, Object> record() {
        return new LinkedHashMap<>();
    }
}
