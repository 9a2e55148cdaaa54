package org.kdive.cmd.kernel.mem;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.symbols.Enumerator;
import org.kdive.api.symbols.Type;
import org.kdive.api.util.Hex;
import org.kdive.cmd.kernel.access.Kernel;

/** crash's `kmem` views other than -i and the slab ones: -o, -h, -g, -V, -z, -p, -m. */
public final class KmemViews {
    private final CommandContext context;
    private final Kernel k;

    public KmemViews(CommandContext context, Kernel k) {
        this.context = context;
        this.k = k;
    }

    /** -o: each CPU's per-CPU offset. */
    public Result perCpuOffsets() {
        StringBuilder sb = new StringBuilder("PER-CPU OFFSET VALUES:\n");
        List<Object> data = new ArrayList<>();
        for (int c = 0; c < k.cpus(); c++) {
            long off = k.perCpuOffset(c);
            sb.append(String.format("%7s: %x%n", "CPU " + c, off));
            data.add(Map.of("cpu", c, "offset", Hex.json(off)));
        }
        return Result.of(sb.toString(), Map.of("cpus", data));
    }

    /** -h: the hstates[] with an order: size, free and total huge pages, name. */
    public Result hstates() {
        OptionalLong hs = k.symbol("hstates");
        if (hs.isEmpty()) throw new CommandException("hstates[] array does not exist\nkmem: -h option not supported or applicable on this architecture or kernel");
        long size = k.requireSize("hstate");
        long orderOff = k.requireOffset("hstate", "order");
        long nameOff = k.requireOffset("hstate", "name");
        long nrOff = k.requireOffset("hstate", "nr_huge_pages");
        long freeOff = k.requireOffset("hstate", "free_huge_pages");
        long page = k.session().dump().info().pageSize() > 0 ? k.session().dump().info().pageSize() : 4096;
        StringBuilder sb = new StringBuilder(Columns.center("HSTATE", 16, false)).append("   SIZE    FREE   TOTAL  NAME\n");
        List<Object> data = new ArrayList<>();
        long n = k.arrayLength("hstates");
        for (int i = 0; i < n; i++) {
            long h = hs.getAsLong() + i * size;
            int order = (int) k.u32(h + orderOff);
            if (order == 0) continue;
            String sz = hugeSize(page << order);
            long free = k.u64(h + freeOff);
            long nr = k.u64(h + nrOff);
            String name = k.memory().cString(h + nameOff, 32);
            sb.append(String.format("%x  %5s  %6d  %6d  %s%n", h, sz, free, nr, name));
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("hstate", Hex.json(h));
            d.put("size_bytes", page << order);
            d.put("free", free);
            d.put("total", nr);
            d.put("name", name);
            data.add(d);
        }
        return Result.of(sb.toString(), Map.of("hstates", data));
    }

    private static String hugeSize(long bytes) {
        if (bytes >= (1L << 30)) return (bytes >> 30) + "GB";
        if (bytes >= (1L << 20)) return (bytes >> 20) + "MB";
        return (bytes >> 10) + "KB";
    }

    /** -g [flags]: the PG_ enumerators of enum pageflags (bit, value), or those set in {@code flags}. */
    public Result pageFlags(String flagsArg) {
        Type t = k.type("enum pageflags").orElseThrow(() -> new CommandException("enum pageflags does not exist in this kernel"));
        long flags = flagsArg == null ? 0 : Hex.parseAddress(flagsArg);
        List<Enumerator> all = t.resolve().enumerators();
        int longest = 0;
        long largest = 0;
        for (Enumerator e : all) {
            longest = Math.max(longest, e.name().length());
            if (e.name().contains("PG_")) largest = Math.max(largest, e.value());
        }
        int digits = (int) ((largest + 1) / 4 + 1);
        String indent = flags != 0 ? "  " : "";
        StringBuilder sb = new StringBuilder();
        if (flags != 0) sb.append(String.format("FLAGS: %x%n", flags));
        sb.append(indent).append(Columns.left("PAGE-FLAG", longest)).append(" BIT  VALUE\n");
        List<Object> data = new ArrayList<>();
        int found = 0;
        for (Enumerator e : all) {
            if (!e.name().contains("PG_")) continue;
            long bit = 1L << e.value();
            if (flags != 0 && (flags & bit) == 0) continue;
            if (flags != 0) found++;
            sb.append(indent).append(Columns.left(e.name(), longest)).append(String.format("  %2d  %0" + digits + "x%n", e.value(), bit));
            data.add(Map.of("name", e.name(), "bit", e.value(), "value", Hex.json(bit)));
        }
        if (flags != 0 && found == 0) sb.append("  (none found)\n");
        Map<String, Object> d = new LinkedHashMap<>();
        if (flags != 0) d.put("flags", Hex.json(flags));
        d.put("pageflags", data);
        return Result.of(sb.toString(), d);
    }

    /** The names of a vmstat enum's items below its NR_ count, index by value. */
    private List<String> items(String enumName, String count) {
        Optional<Type> t = k.type("enum " + enumName);
        if (t.isEmpty()) return List.of();
        List<Enumerator> es = t.get().resolve().enumerators();
        long n = t.get().resolve().enumeratorValue(count).orElse(-1);
        List<String> out = new ArrayList<>();
        for (Enumerator e : es) {
            if (e.name().equals(count) || (n >= 0 && e.value() >= n)) break;
            while (out.size() <= e.value()) out.add("");
            out.set((int) e.value(), e.name());
        }
        return out;
    }

    /** -V: the global vm_zone_stat, vm_node_stat (and vm_numa_stat) counters, and the summed per-CPU vm events. */
    public Result vmStat() {
        if (!k.hasSymbol("vm_zone_stat")) throw new CommandException("-V option not supported or applicable on this architecture or kernel");
        List<String> zone = items("zone_stat_item", "NR_VM_ZONE_STAT_ITEMS");
        List<String> node = k.hasSymbol("vm_node_stat") ? items("node_stat_item", "NR_VM_NODE_STAT_ITEMS") : List.of();
        boolean numaArray = k.hasSymbol("vm_numa_stat") && k.arrayLength("vm_numa_stat") > 0;
        List<String> numa = numaArray ? items("numa_stat_item", "NR_VM_NUMA_STAT_ITEMS") : List.of();
        int max = 0;
        for (List<String> l : List.of(zone, node, numa)) for (String s : l) max = Math.max(max, s.length());
        StringBuilder sb = new StringBuilder();
        Map<String, Object> data = new LinkedHashMap<>();
        sb.append("  VM_ZONE_STAT:\n");
        data.put("vm_zone_stat", counters(sb, zone, k.requireSymbol("vm_zone_stat"), max));
        if (!node.isEmpty()) {
            sb.append("\n  VM_NODE_STAT:\n");
            data.put("vm_node_stat", counters(sb, node, k.requireSymbol("vm_node_stat"), max));
        }
        if (!numa.isEmpty()) {
            sb.append("\n  VM_NUMA_STAT:\n");
            data.put("vm_numa_stat", counters(sb, numa, k.requireSymbol("vm_numa_stat"), max));
        }
        List<String> events = items("vm_event_item", "NR_VM_EVENT_ITEMS");
        if (k.hasSymbol("vm_event_states") && !events.isEmpty()) {
            long[] sum = new long[events.size()];
            for (int c = 0; c < k.cpus(); c++) {
                long base = k.perCpu("vm_event_states", c);
                byte[] b = k.memory().read(base, 8 * sum.length);
                for (int i = 0; i < sum.length; i++) sum[i] += PageMap.le(b, 8 * i, 8);
            }
            int emax = 0;
            for (String s : events) emax = Math.max(emax, s.length());
            sb.append("\n  VM_EVENT_STATES:\n");
            Map<String, Object> ev = new LinkedHashMap<>();
            for (int i = 0; i < sum.length; i++) {
                sb.append(Columns.right(events.get(i), emax)).append(": ").append(Long.toUnsignedString(sum[i])).append('\n');
                ev.put(events.get(i), sum[i]);
            }
            data.put("vm_event_states", ev);
        }
        return Result.of(sb.toString(), data);
    }

    private Map<String, Object> counters(StringBuilder sb, List<String> names, long at, int width) {
        Map<String, Object> m = new LinkedHashMap<>();
        byte[] b = k.memory().read(at, 8 * names.size());
        for (int i = 0; i < names.size(); i++) {
            long v = PageMap.le(b, 8 * i, 8);
            sb.append(Columns.right(names.get(i), width)).append(": ").append(v).append('\n');
            m.put(names.get(i), v);
        }
        return m;
    }

    /** The pglist_data of each online node (node_data[], or contig_page_data without NUMA). */
    List<Long> nodes() {
        List<Long> out = new ArrayList<>();
        OptionalLong nd = k.symbol("node_data");
        if (nd.isPresent()) {
            long n = Math.max(1, k.arrayLength("node_data"));
            for (int i = 0; i < n; i++) {
                long p = k.u64(nd.getAsLong() + 8L * i);
                if (p != 0) out.add(p);
            }
        } else {
            k.symbol("contig_page_data").ifPresent(out::add);
        }
        return out;
    }

    /** -z: each zone's size, watermarks and vm_stat counters. */
    public Result zones() {
        long zoneSize = k.requireSize("zone");
        long zonesOff = k.requireOffset("pglist_data", "node_zones");
        int nrZones = (int) (k.memberSize("pglist_data", "node_zones") / zoneSize);
        String wm = k.hasMember("zone", "_watermark") ? "_watermark" : "watermark";
        long wmOff = k.requireOffset("zone", wm);
        long min = enumerator("WMARK_MIN", 0);
        long low = enumerator("WMARK_LOW", 1);
        long high = enumerator("WMARK_HIGH", 2);
        List<String> zoneItems = items("zone_stat_item", "NR_VM_ZONE_STAT_ITEMS");
        int max = 0;
        for (String s : zoneItems) max = Math.max(max, s.length());
        StringBuilder sb = new StringBuilder();
        List<Object> data = new ArrayList<>();
        List<Long> nodes = nodes();
        for (int n = 0; n < nodes.size(); n++) {
            long zone = nodes.get(n) + zonesOff;
            for (int i = 0; i < nrZones; i++, zone += zoneSize) {
                context.checkCancelled();
                String name = k.memory().cString(k.u64(zone + k.requireOffset("zone", "name")), 32);
                long spanned = k.u64(zone + k.requireOffset("zone", "spanned_pages"));
                long present = k.u64(zone + k.requireOffset("zone", "present_pages"));
                sb.append(String.format("NODE: %d  ZONE: %d  ADDR: %x  NAME: \"%s\"%n", n, i, zone, name));
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("node", n);
                d.put("zone", i);
                d.put("address", Hex.json(zone));
                d.put("name", name);
                d.put("spanned_pages", spanned);
                if (spanned == 0) {
                    sb.append("  [unpopulated]\n\n");
                    data.add(d);
                    continue;
                }
                sb.append("  SIZE: ").append(spanned);
                if (present < spanned) sb.append("  PRESENT: ").append(present);
                long wmin = k.u64(zone + wmOff + 8 * min);
                long wlow = k.u64(zone + wmOff + 8 * low);
                long whigh = k.u64(zone + wmOff + 8 * high);
                sb.append(String.format("  MIN/LOW/HIGH: %d/%d/%d%n", wmin, wlow, whigh));
                d.put("present_pages", present);
                d.put("watermarks", Map.of("min", wmin, "low", wlow, "high", whigh));
                sb.append("  VM_STAT:\n");
                d.put("vm_stat", counters(sb, zoneItems, zone + k.requireOffset("zone", "vm_stat"), max));
                sb.append("\n\n");
                data.add(d);
            }
        }
        return Result.of(sb.toString(), Map.of("zones", data));
    }

    private long enumerator(String name, long fallback) {
        return k.session().symbols().enumeratorType(name).flatMap(t -> {
            OptionalLong v = t.resolve().enumeratorValue(name);
            return v.isPresent() ? Optional.of(v.getAsLong()) : Optional.empty();
        }).orElse(fallback);
    }
}
