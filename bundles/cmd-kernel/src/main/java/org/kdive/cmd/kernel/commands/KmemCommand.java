package org.kdive.cmd.kernel.commands;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.kdive.api.arch.AddressSpace;
import org.kdive.api.command.Args;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.symbols.Type;
import org.kdive.cmd.kernel.access.Kernel;
import org.kdive.cmd.kernel.mem.FreeAreas;
import org.kdive.cmd.kernel.mem.KmemViews;
import org.kdive.cmd.kernel.mem.MemoryNodes;
import org.kdive.cmd.kernel.mem.PageMap;
import org.kdive.cmd.kernel.slab.SlabViews;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * crash's `kmem -i` (general memory usage from the kernel's counters and a mem_map pass for SHARED)
 * and `kmem -s` / `kmem -S` (the SLUB caches, see {@link SlabViews}).
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=kmem")
public class KmemCommand implements Command {
    private static final String HEADER = "                 PAGES        TOTAL      PERCENTAGE\n";

    @Override public String name() { return "kmem"; }

    @Override public String description() { return "kernel memory: usage, slab caches, free lists, pages, nodes, vmalloc areas"; }

    @Override
    public String usage() {
        return "kmem - kernel memory\n"
                + "kmem -i | -s [name|address|list] | -S[=cpus] [name|address] | -p [address] | -v [address]\n"
                + "     | -f [address] | -F | -n | -V | -z | -o | -h | -g [flags] | -s -I name[,name]\n"
                + "  -i       general memory usage: total, free, used, shared, buffers, cached, slab, huge pages,\n"
                + "           swap and commit limits\n"
                + "  -s       every slab cache (SLUB): object size, allocated and total objects, slabs, slab size\n"
                + "  -S       as -s, and each CPU's slab and partial slabs with their objects (free, [allocated])\n"
                + "           and each node's partial slabs\n"
                + "  -S=cpus  as -S, only these CPUs' slabs (1,3 or 0-2 or a)\n"
                + "  -I names with -s/-S: leave these caches out (comma-separated)\n"
                + "  name     only the cache of this name (\\name for a cache called \"list\")\n"
                + "  address  a kmem_cache, a slab page, or memory in a slab: its cache and slab object\n"
                + "  list     -s list: the address and name of every cache\n"
                + "  -p       every page descriptor: physical address, mapping, index, count, flags and their names;\n"
                + "           with an address (page, physical or virtual) only its page\n"
                + "  -v       the vmalloc areas (vmap_area, vm_struct, range, size); with an address its area\n"
                + "  -V       the vm_zone_stat, vm_node_stat counters and the summed vm_event_states\n"
                + "  -z       each zone: size, present pages, watermarks and vm_stat counters\n"
                + "  -o       each CPU's per-CPU offset\n"
                + "  -h       the huge page hstates: size, free and total pages, name\n"
                + "  -g [hex] the page flag bits of enum pageflags (only those set in hex)\n"
                + "  -m m[,m] with -p's addresses (or every page): these struct page members of each page\n"
                + "  -P       the address arguments are physical\n"
                + "  address  alone: what it is -- symbol, task stack and vmalloc area, slab object, task, page\n"
                + "  -f       the buddy free lists of each zone: per order and migrate type the free_area list,\n"
                + "           its blocks and pages; nr_free_pages checked against the pages found\n"
                + "  -F       as -f, and the first page of every free block\n"
                + "  -f addr  the free block holding this page, physical or virtual address (nothing when in none)\n"
                + "  -n       memory nodes (pglist_data, zones, first page), sparse memory sections (coded and\n"
                + "           decoded mem_map, state P/M/O/E/D, first pfn) and memory blocks (range, node, state)\n"
                + "  -c/-C are not supported; -r: no memcg root caches on these kernels\n";
    }

    @Override
    public Result execute(CommandContext context, List<String> rawArgs) {
        // crash's -S=cpus: the cpu list is part of the option word
        String cpuSpec = null;
        List<String> args = new java.util.ArrayList<>();
        for (String w : rawArgs) {
            if (w.startsWith("-S=")) {
                if (cpuSpec != null) throw new CommandException("only one -S option allowed");
                cpuSpec = w.substring(3);
                args.add("-S");
            } else {
                args.add(w);
            }
        }
        Args a = Args.parse(args, Set.of("i", "s", "S", "p", "v", "V", "z", "o", "h", "g", "f", "F", "c", "C", "n", "r", "P"),
                Set.of("I", "m"));
        int flags = 0;
        for (String f : new String[] {"i", "s", "S", "p", "f", "F", "V", "o", "v", "C", "c", "g", "h", "r"}) if (a.has(f)) flags++;
        if (flags > 1) throw new CommandException("only one flag allowed!");
        Kernel k = Kernel.of(context.session());
        for (String f : new String[] {"c", "C", "r"}) {
            if (a.has(f)) throw new CommandException("-" + f + " option not supported or applicable on this architecture or kernel");
        }
        KmemViews views = new KmemViews(context, k);
        boolean noArgs = a.has("z") || a.has("V") || a.has("o") || a.has("h") || a.has("i") || a.has("F") || a.has("n");
        if (noArgs && !a.positional().isEmpty()) throw new CommandException("no address arguments allowed with this option");
        if (a.has("n")) return new MemoryNodes(context, k).show();
        if (a.has("F")) return new FreeAreas(context, k).show(true);
        if (a.has("f")) return a.positional().isEmpty() ? new FreeAreas(context, k).show(false) : freeSearch(context, k, a.positional(), a.has("P"));
        if (a.has("o")) return views.perCpuOffsets();
        if (a.has("h")) return views.hstates();
        if (a.has("V")) return views.vmStat();
        if (a.has("z")) return views.zones();
        if (a.has("g")) return views.pageFlags(a.positional(0));
        if (a.has("m")) return members(context, k, List.of(a.value("m").split(",")), a.positional(), a.has("P"));
        if (a.has("p")) return pages(context, k, a.positional(), a.has("P"));
        if (a.has("v")) return vmalloc(context, k, a.positional(0));
        if (a.has("s") || a.has("S")) {
            if (a.positional().size() > 1) throw new CommandException("kmem: only one kmem_cache reference is allowed");
            java.util.BitSet cpus = cpuSpec == null ? null : RunqCommand.cpuSpec(cpuSpec, k.cpus());
            List<String> ignore = a.has("I") ? List.of(a.value("I").split(",")) : List.of();
            return SlabViews.show(context, a.has("S"), a.positional(0), cpus, ignore);
        }
        if (!a.has("i")) {
            if (a.positional().isEmpty()) throw new CommandException(SYNOPSIS);
            return search(context, k, a.positional(), a.has("P"));
        }
        if (!a.positional().isEmpty()) throw new CommandException("kmem: no address arguments allowed with this option");
        long pageSize = context.session().dump().info().pageSize() > 0 ? context.session().dump().info().pageSize() : 4096;
        Map<String, Object> data = new LinkedHashMap<>();
        StringBuilder sb = new StringBuilder(HEADER);

        long total = k.u64(symbolAny(k, "_totalram_pages", "totalram_pages"));
        if (total <= 0) throw new CommandException("kmem: totalram_pages is 0");
        sb.append(fixed("TOTAL MEM", total, pageSize));
        data.put("total_mem", total);

        long free = vmStat(k, "vm_zone_stat", "zone_stat_item", "NR_FREE_PAGES");
        line(sb, "FREE", free, total, "TOTAL MEM", pageSize);
        data.put("free", free);
        long used = total - free;
        line(sb, "USED", used, total, "TOTAL MEM", pageSize);
        data.put("used", used);

        try {
            long shared = sharedPages(k);
            line(sb, "SHARED", shared, total, "TOTAL MEM", pageSize);
            data.put("shared", shared);
        } catch (RuntimeException e) {
            context.warn("kmem: SHARED left out: " + e.getMessage());
        }

        long buffers = blockdevPages(k);
        line(sb, "BUFFERS", buffers, total, "TOTAL MEM", pageSize);
        data.put("buffers", buffers);

        long filePages = vmStat(k, "vm_node_stat", "node_stat_item", "NR_FILE_PAGES");
        long swapCache = optionalVmStat(k, "vm_node_stat", "node_stat_item", "NR_SWAPCACHE");
        long cached = Math.max(0, filePages - swapCache - buffers);
        line(sb, "CACHED", cached, total, "TOTAL MEM", pageSize);
        data.put("cached", cached);

        long slab = optionalVmStat(k, "vm_node_stat", "node_stat_item", "NR_SLAB_RECLAIMABLE_B")
                + optionalVmStat(k, "vm_node_stat", "node_stat_item", "NR_SLAB_UNRECLAIMABLE_B");
        if (slab == 0) {
            slab = optionalVmStat(k, "vm_node_stat", "node_stat_item", "NR_SLAB_RECLAIMABLE")
                    + optionalVmStat(k, "vm_node_stat", "node_stat_item", "NR_SLAB_UNRECLAIMABLE");
        }
        line(sb, "SLAB", slab, total, "TOTAL MEM", pageSize);
        data.put("slab", slab);

        long[] huge = hugePages(k);
        sb.append('\n').append(fixed("TOTAL HUGE", huge[0], pageSize));
        line(sb, "HUGE FREE", huge[1], huge[0], "TOTAL HUGE", pageSize);
        data.put("total_huge", huge[0]);
        data.put("huge_free", huge[1]);

        long swapTotal = k.symbol("total_swap_pages").isPresent() ? k.u64(k.requireSymbol("total_swap_pages")) : 0;
        long swapFree = k.symbol("nr_swap_pages").isPresent() ? k.u64(k.requireSymbol("nr_swap_pages")) : 0;
        long swapUsed = Math.max(0, swapTotal - swapFree);
        sb.append('\n').append(fixed("TOTAL SWAP", swapTotal, pageSize));
        line(sb, "SWAP USED", swapUsed, swapTotal, "TOTAL SWAP", pageSize);
        line(sb, "SWAP FREE", swapTotal - swapUsed, swapTotal, "TOTAL SWAP", pageSize);
        data.put("total_swap", swapTotal);
        data.put("swap_used", swapUsed);

        if (k.hasSymbol("sysctl_overcommit_memory")) {
            long kbytes = k.hasSymbol("sysctl_overcommit_kbytes") ? k.u64(k.requireSymbol("sysctl_overcommit_kbytes")) : 0;
            long allowed;
            if (kbytes != 0) {
                allowed = kbytes / (pageSize / 1024);
            } else {
                long ratio = k.u32(k.requireSymbol("sysctl_overcommit_ratio"));
                allowed = (total - huge[0]) * ratio / 100;
            }
            allowed += swapTotal;
            long committed = 0;
            if (k.hasSymbol("vm_committed_as")) {
                committed = k.u64(k.requireSymbol("vm_committed_as") + k.offset("percpu_counter", "count").orElse(8));
                if (committed < 0) committed = 0;
            }
            sb.append('\n').append(fixed("COMMIT LIMIT", allowed, pageSize));
            if (allowed != 0) line(sb, "COMMITTED", committed, allowed, "TOTAL LIMIT", pageSize);
            else sb.append(fixed("COMMITTED", committed, pageSize));
            data.put("commit_limit", allowed);
            data.put("committed", committed);
        }
        return Result.of(sb.toString(), data);
    }

    private static final String SYNOPSIS = "Usage:\n"
            + "  kmem [-f|-F|-c|-C|-i|-v|-V|-n|-z|-o|-h] [-p | -m member[,member]]\n"
            + "       [[-s|-S|-S=cpu[s]|-r] [slab] [-I slab[,slab]]] [-g [flags]] [[-P] address]]\n"
            + "Enter \"help kmem\" for details.";

    /** kmem ADDRESS...: what each address is (crash's kmem_search), a blank line between addresses. */
    private static Result search(CommandContext context, Kernel k, List<String> addrs, boolean physical) {
        org.kdive.cmd.kernel.mem.KmemSearch ks = new org.kdive.cmd.kernel.mem.KmemSearch(context, k);
        return Result.stream("addresses", out -> {
            boolean first = true;
            for (String s : addrs) {
                if (!s.matches("(0[xX])?[0-9a-fA-F]+")) throw new CommandException(SYNOPSIS);
                context.checkCancelled();
                Map<String, Object> d = org.kdive.cmd.kernel.mem.KmemSearch.record();
                String text = ks.search(org.kdive.api.util.Hex.parseAddress(s.startsWith("0x") ? s : "0x" + s), physical, d);
                out.text((first ? "" : "\n") + text);
                out.record(d);
                first = false;
            }
            return null;
        });
    }

    /** -f ADDRESS...: the free block holding each address (nothing for a page in no free list). */
    private static Result freeSearch(CommandContext context, Kernel k, List<String> addrs, boolean physical) {
        FreeAreas fa = new FreeAreas(context, k);
        return Result.stream("addresses", out -> {
            boolean first = true;
            for (String s : addrs) {
                if (!s.matches("(0[xX])?[0-9a-fA-F]+")) throw new CommandException(SYNOPSIS);
                long v = org.kdive.api.util.Hex.parseAddress(s.startsWith("0x") ? s : "0x" + s);
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("address", org.kdive.api.util.Hex.json(v));
                boolean phys = physical || v >= 0;
                d.put("type", phys ? "physical" : "virtual");
                // crash separates the answers by a blank line, also after an empty one
                out.text((first ? "" : "\n") + fa.search(v, phys, d));
                out.record(d);
                first = false;
            }
            return null;
        });
    }

    /** -m member[,member] [addresses]: crash's struct page member columns, every page or each address's. */
    private static Result members(CommandContext context, Kernel k, List<String> members, List<String> addrs, boolean physical) {
        PageMap pm = new PageMap(k);
        for (String m : members) {
            if (k.member("page", m).isEmpty()) throw new CommandException("invalid page struct member: " + m);
        }
        return Result.stream("pages", out -> {
            out.text(org.kdive.cmd.kernel.mem.KmemSearch.memberHeader(members) + "\n");
            if (addrs.isEmpty()) {
                for (long pfn = 0; pfn < pm.maxPfn(); pfn++) {
                    if ((pfn & 1023) == 0) context.checkCancelled();
                    Map<String, Object> r = new LinkedHashMap<>();
                    String line;
                    try {
                        line = org.kdive.cmd.kernel.mem.KmemSearch.memberLine(k, pm.pageOf(pfn), members, r);
                    } catch (CommandException e) {
                        throw e;
                    } catch (RuntimeException e) {
                        continue; // a hole in the memory map
                    }
                    out.text(line + "\n");
                    out.record(r);
                }
                return null;
            }
            for (String s : addrs) {
                Map<String, Object> r = new LinkedHashMap<>();
                out.text(org.kdive.cmd.kernel.mem.KmemSearch.memberLine(k, pageOfAddress(k, pm, s, physical), members, r) + "\n");
                out.record(r);
            }
            return null;
        });
    }

    /** The page descriptor an address names: a page descriptor itself, a physical address (or any with -P), or a virtual one. */
    private static long pageOfAddress(Kernel k, PageMap pm, String s, boolean physical) {
        long v = org.kdive.api.util.Hex.parseAddress(s.startsWith("0x") ? s : "0x" + s);
        if (!physical && pm.isPage(v)) return v;
        long phys = !physical && Long.compareUnsigned(v, k.session().arch().addressSpace(k.session()).kernelBase()) >= 0
                ? k.memory().toPhysical(v) : v;
        return pm.pageOf(phys / pm.pageSize());
    }

    /** -p [addresses]: every page descriptor (streamed), or the page of each address: a page, a physical or a virtual address. */
    private static Result pages(CommandContext context, Kernel k, List<String> addrs, boolean physical) {
        PageMap pm = new PageMap(k);
        return Result.stream("pages", out -> {
            out.text(pm.header() + "\n");
            if (addrs.isEmpty()) {
                for (long pfn = 0; pfn < pm.maxPfn(); pfn++) {
                    if ((pfn & 1023) == 0) context.checkCancelled();
                    long page = pm.pageOf(pfn);
                    String line;
                    Map<String, Object> r = PageMap.record();
                    try {
                        line = pm.line(page, r);
                    } catch (RuntimeException e) {
                        continue; // a hole in the memory map
                    }
                    out.text(line + "\n");
                    out.record(r);
                }
                return null;
            }
            for (String s : addrs) {
                long page = pageOfAddress(k, pm, s, physical);
                Map<String, Object> r = PageMap.record();
                out.text(pm.line(page, r) + "\n");
                out.record(r);
            }
            return null;
        });
    }

    /** -v [address]: the vmalloc areas, or the one holding the address. */
    private static Result vmalloc(CommandContext context, Kernel k, String addr) {
        List<String> problems = new java.util.ArrayList<>();
        List<org.kdive.cmd.kernel.mem.Vmalloc.Area> areas = org.kdive.cmd.kernel.mem.Vmalloc.areas(k, problems);
        problems.forEach(p -> context.warn("kmem: " + p));
        long at = addr == null ? 0 : org.kdive.api.util.Hex.parseAddress(addr);
        StringBuilder sb = new StringBuilder();
        List<Object> data = new java.util.ArrayList<>();
        for (var a : areas) {
            if (addr != null && !(Long.compareUnsigned(at, a.start()) >= 0 && Long.compareUnsigned(at, a.end()) < 0)) continue;
            if (sb.length() == 0) sb.append(org.kdive.cmd.kernel.mem.Vmalloc.HEADER).append('\n');
            sb.append(a.line()).append('\n');
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("vmap_area", org.kdive.api.util.Hex.json(a.vmapArea()));
            d.put("vm_struct", org.kdive.api.util.Hex.json(a.vmStruct()));
            d.put("start", org.kdive.api.util.Hex.json(a.start()));
            d.put("end", org.kdive.api.util.Hex.json(a.end()));
            d.put("size", a.end() - a.start());
            data.add(d);
        }
        return Result.of(sb.toString(), Map.of("areas", data));
    }

    private static String fixed(String label, long pages, long pageSize) {
        return String.format("%13s  %7d  %11s         ----%n", label, pages, SysCommand.sizeString(pages, pageSize));
    }

    private static void line(StringBuilder sb, String label, long pages, long of, String ofName, long pageSize) {
        long pct = of == 0 ? 0 : pages * 100 / of;
        sb.append(String.format("%13s  %7d  %11s  %3d%% of %s%n", label, pages, SysCommand.sizeString(pages, pageSize), pct, ofName));
    }

    private static long symbolAny(Kernel k, String... names) {
        for (String n : names) {
            OptionalLong v = k.symbol(n);
            if (v.isPresent()) return v.getAsLong();
        }
        throw new CommandException("kmem: none of " + String.join(", ", names) + " found");
    }

    /** Value of one item of a global vmstat array, the item's index from its enum in debuginfo. */
    private static long vmStat(Kernel k, String array, String enumName, String item) {
        long idx = enumValue(k, enumName, item)
                .orElseThrow(() -> new CommandException("kmem: enum " + enumName + " has no " + item + " (no debuginfo?)"));
        long v = k.u64(k.requireSymbol(array) + 8 * idx);
        return Math.max(0, v);
    }

    private static long optionalVmStat(Kernel k, String array, String enumName, String item) {
        OptionalLong idx = enumValue(k, enumName, item);
        if (idx.isEmpty() || !k.hasSymbol(array)) return 0;
        return Math.max(0, k.u64(k.requireSymbol(array) + 8 * idx.getAsLong()));
    }

    private static OptionalLong enumValue(Kernel k, String enumName, String item) {
        if ("NR_FREE_PAGES".equals(item)) {
            OptionalLong vi = k.vmcoreinfo().number("NR_FREE_PAGES");
            if (vi.isPresent()) return vi;
        }
        Optional<Type> t = k.type("enum " + enumName);
        return t.isEmpty() ? OptionalLong.empty() : t.get().enumeratorValue(item);
    }

    /** Pages of block device inodes' page caches (blockdev_superblock's inode list). */
    private static long blockdevPages(Kernel k) {
        try {
            OptionalLong sbSym = k.symbol("blockdev_superblock");
            if (sbSym.isEmpty()) return 0;
            long sb = k.u64(sbSym.getAsLong());
            long head = sb + k.requireOffset("super_block", "s_inodes");
            long link = k.requireOffset("inode", "i_sb_list");
            long mappingOff = k.requireOffset("inode", "i_mapping");
            long nrpagesOff = k.requireOffset("address_space", "nrpages");
            long sum = 0;
            long p = k.u64(head);
            for (int n = 0; p != head && n < 1_000_000; n++) {
                long inode = p - link;
                long mapping = k.u64(inode + mappingOff);
                if (mapping != 0) sum += k.u64(mapping + nrpagesOff);
                p = k.u64(p);
            }
            return sum;
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** {total, free} huge pages in base pages over every hstate. */
    private static long[] hugePages(Kernel k) {
        long total = 0;
        long free = 0;
        try {
            OptionalLong hs = k.symbol("hstates");
            if (hs.isEmpty()) return new long[] {0, 0};
            int max = (int) k.u32(k.requireSymbol("hugetlb_max_hstate"));
            long size = k.requireSize("hstate");
            for (int i = 0; i < max && i < 16; i++) {
                long h = hs.getAsLong() + i * size;
                long order = k.u32(h + k.requireOffset("hstate", "order"));
                total += k.u64(h + k.requireOffset("hstate", "nr_huge_pages")) << order;
                free += k.u64(h + k.requireOffset("hstate", "free_huge_pages")) << order;
            }
        } catch (RuntimeException e) {
            return new long[] {total, free};
        }
        return new long[] {total, free};
    }

    /** Pages not PG_reserved whose reference count is above 1, over the whole struct page array. */
    private static long sharedPages(Kernel k) {
        long pageSize = k.requireSize("page");
        long flagsOff = k.requireOffset("page", "flags");
        long refOff = k.requireOffset("page", "_refcount");
        long reserved = enumValue(k, "pageflags", "PG_reserved")
                .orElseThrow(() -> new CommandException("enum pageflags has no PG_reserved"));
        AddressSpace space = k.session().arch().addressSpace(k.session());
        long vmemmap = space.vmemmapBase();
        long maxPfn = space.maxPfn();
        int perChunk = (int) (4096 / pageSize);
        long shared = 0;
        for (long pfn = 0; pfn < maxPfn; pfn += perChunk) {
            byte[] chunk;
            try {
                chunk = k.memory().read(vmemmap + pfn * pageSize, 4096);
            } catch (RuntimeException e) {
                continue; // a hole in the memory map
            }
            for (int i = 0; i < perChunk && pfn + i < maxPfn; i++) {
                int base = (int) (i * pageSize);
                long flags = le(chunk, base + (int) flagsOff, 8);
                int count = (int) le(chunk, base + (int) refOff, 4);
                if ((flags & (1L << reserved)) == 0 && count > 1) shared++;
            }
        }
        return shared;
    }

    private static long le(byte[] b, int off, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) v = (v << 8) | (b[off + i] & 0xff);
        return v;
    }
}
