package org.kdive.cmd.kernel.mem;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.Result;
import org.kdive.api.util.Hex;
import org.kdive.cmd.kernel.access.Kernel;

/**
 * crash's `kmem -n`: each memory node (pglist_data: size, zones, first page and pfn), its zones,
 * then the SPARSEMEM sections (mem_section: coded and decoded mem_map, state, first pfn) and the
 * memory blocks of the memory bus (sysfs memoryN: physical range, node, state, first section).
 */
public final class MemoryNodes {
    private final CommandContext context;
    private final Kernel k;
    private final long pageSize;

    public MemoryNodes(CommandContext context, Kernel k) {
        this.context = context;
        this.k = k;
        long ps = k.session().dump().info().pageSize();
        this.pageSize = ps > 0 ? ps : 4096;
    }

    public Result show() {
        StringBuilder sb = new StringBuilder();
        Map<String, Object> data = new LinkedHashMap<>();
        MemSections sections = MemSections.of(k).orElse(null);
        long zoneSize = k.requireSize("zone");
        long zonesOff = k.requireOffset("pglist_data", "node_zones");
        int nrZones = (int) (k.memberSize("pglist_data", "node_zones") / zoneSize);
        long pageStruct = k.requireSize("page");
        String zoneHdr = "ZONE  NAME         SIZE  " + Columns.center("MEM_MAP", 16, true) + "  START_PADDR  START_MAPNR";
        List<Long> pgdats = new KmemViews(context, k).nodes();
        List<Object> nodeData = new ArrayList<>();
        for (int n = 0; n < pgdats.size(); n++) {
            context.checkCancelled();
            long pgdat = pgdats.get(n);
            int id = (int) k.s32(pgdat + k.requireOffset("pglist_data", "node_id"));
            long startPfn = k.u64(pgdat + k.requireOffset("pglist_data", "node_start_pfn"));
            long size = k.u64(pgdat + k.requireOffset("pglist_data", "node_spanned_pages"));
            OptionalLong bdataOff = k.offset("pglist_data", "bdata");
            long bdata = bdataOff.isPresent() ? k.u64(pgdat + bdataOff.getAsLong()) : -1;
            OptionalLong mmOff = k.offset("pglist_data", "node_mem_map");
            long memMap = mmOff.isPresent() ? k.u64(pgdat + mmOff.getAsLong())
                    : sections != null ? sections.pageOf(startPfn) : 0;
            if (n > 0) sb.append('\n').append("-".repeat(zoneHdr.length()));
            sb.append(n > 0 ? "\n\n" : "").append("NODE  ").append(Columns.center("SIZE", 8, false)).append("  ")
                    .append(Columns.center("PGLIST_DATA", 16, false)).append("  ").append(Columns.center("BOOTMEM_DATA", 16, false))
                    .append("  ").append(Columns.center("NODE_ZONES", 16, false)).append('\n');
            long zones = pgdat + zonesOff;
            sb.append(String.format(" %2d   %s  %s  %s  %s%n", id, Columns.center(Long.toString(size), 8, false),
                    Long.toHexString(pgdat), Columns.center(bdata == -1 ? "----" : Long.toHexString(bdata), 16, false),
                    Columns.center(Long.toHexString(zones), 16, false)));
            for (int i = 1; i < nrZones; i++) sb.append(" ".repeat(52)).append(Long.toHexString(zones + i * zoneSize)).append('\n');
            sb.append(Columns.center("MEM_MAP", 16, false)).append("     START_PADDR    START_MAPNR\n");
            sb.append(Columns.center(Long.toHexString(memMap), 16, false)).append("  ")
                    .append(Columns.center(Long.toHexString(startPfn * pageSize), 16, true)).append("  ")
                    .append(Columns.center(Long.toString(startPfn), 11, true)).append('\n');
            sb.append('\n').append(zoneHdr).append('\n');
            Map<String, Object> nd = new LinkedHashMap<>();
            nd.put("node", id);
            nd.put("size", size);
            nd.put("pglist_data", Hex.json(pgdat));
            if (bdata != -1) nd.put("bootmem_data", Hex.json(bdata));
            nd.put("mem_map", Hex.json(memMap));
            nd.put("start_paddr", Hex.json(startPfn * pageSize));
            nd.put("start_pfn", startPfn);
            List<Object> zoneData = new ArrayList<>();
            for (int i = 0; i < nrZones; i++) {
                long zone = zones + i * zoneSize;
                String name = k.memory().cString(k.u64(zone + k.requireOffset("zone", "name")), 32);
                long zsize = k.u64(zone + k.requireOffset("zone", "spanned_pages"));
                long zpfn = k.u64(zone + k.requireOffset("zone", "zone_start_pfn"));
                // SPARSEMEM: crash's START_MAPNR is the first pfn (0 for an empty zone)
                long zmap = zsize == 0 ? 0 : sections != null ? sections.pageOf(zpfn) : memMap + (zpfn - startPfn) * pageStruct;
                long mapnr = zsize == 0 ? 0 : sections != null ? zpfn : zpfn - startPfn;
                sb.append(String.format(" %2d   %-9s %7d  %16x  %11x  %11d%n", i, name, zsize, zmap, zpfn * pageSize, mapnr));
                Map<String, Object> zd = new LinkedHashMap<>();
                zd.put("zone", i);
                zd.put("address", Hex.json(zone));
                zd.put("name", name);
                zd.put("size", zsize);
                zd.put("mem_map", Hex.json(zmap));
                zd.put("start_paddr", Hex.json(zpfn * pageSize));
                zd.put("start_mapnr", mapnr);
                zoneData.add(zd);
            }
            nd.put("zones", zoneData);
            nodeData.add(nd);
        }
        data.put("nodes", nodeData);
        if (sections != null) {
            sb.append('\n').append("-".repeat(67)).append("\n\n");
            sb.append("NR  ").append(Columns.center("SECTION", 16, false)).append("  ").append(Columns.center("CODED_MEM_MAP", 16, false))
                    .append("  ").append(Columns.center("MEM_MAP", 16, false)).append("  STATE PFN\n");
            List<Object> secData = new ArrayList<>();
            for (MemSections.Section s : sections.sections()) {
                String state = MemSections.state(s.raw());
                sb.append(String.format("%2d  %16x  %16x  %16x  %s %-16d%n", s.nr(), s.address(), s.coded(), s.memMap(),
                        Columns.center(state, 5, false), s.pfn()));
                Map<String, Object> sd = new LinkedHashMap<>();
                sd.put("nr", s.nr());
                sd.put("section", Hex.json(s.address()));
                sd.put("coded_mem_map", Hex.json(s.coded()));
                sd.put("mem_map", Hex.json(s.memMap()));
                sd.put("state", state);
                sd.put("pfn", s.pfn());
                secData.add(sd);
            }
            data.put("sections", secData);
            memoryBlocks(sb, data, sections);
        }
        return Result.of(sb.toString(), data);
    }

    /** The memory bus's devices (struct memory_block), in the bus's klist order. */
    private void memoryBlocks(StringBuilder sb, Map<String, Object> data, MemSections sections) {
        if (k.size("memory_block").isEmpty()) return;
        long priv = subsysPrivate();
        if (priv == 0) return;
        long list = priv + k.requireOffset("subsys_private", "klist_devices") + k.requireOffset("klist", "k_list");
        long nodeOff = k.requireOffset("klist_node", "n_node") + k.requireOffset("device_private", "knode_bus");
        long deviceOff = k.requireOffset("device_private", "device");
        long devOff = k.requireOffset("memory_block", "dev");
        long startOff = k.requireOffset("memory_block", "start_section_nr");
        OptionalLong nidOff = k.offset("memory_block", "nid");
        OptionalLong endOff = k.offset("memory_block", "end_section_nr");
        long sectionBytes = sections.pagesPerSection() * pageSize;
        // the block size: the probed size (x86), else end_section_nr (old kernels), else sections_per_block
        long blockBytes = -1;
        OptionalLong probed = k.symbol("memory_block_size_probed");
        OptionalLong perBlock = k.symbol("sections_per_block");
        if (probed.isPresent() && k.u64(probed.getAsLong()) != 0) blockBytes = k.u64(probed.getAsLong());
        else if (endOff.isEmpty() && perBlock.isPresent()) blockBytes = k.u64(perBlock.getAsLong()) * sectionBytes;
        boolean range = blockBytes > 0 || endOff.isPresent();
        int prlen = Long.toHexString(Math.max(1, k.session().arch().addressSpace(k.session()).maxPfn() * pageSize)).length();
        String hdr = range ? "PHYSICAL RANGE" : "PHYSICAL START";
        if (nidOff.isPresent()) {
            sb.append(String.format("%n%s %s   %s   %s  %s %s%n", Columns.center("MEM_BLOCK", 16, false), Columns.center("NAME", 10, false),
                    Columns.center(hdr, prlen * 2 + 2, false), "NODE", Columns.left("STATE", 7), Columns.left("START_SECTION_NO", 12)));
        } else {
            sb.append(String.format("%n%s %s   %s    %s %s%n", Columns.center("MEM_BLOCK", 16, false), Columns.center("NAME", 10, false),
                    Columns.center(hdr, prlen * 2, false), Columns.left("STATE", 7), Columns.left("START_SECTION_NO", 12)));
        }
        List<Object> blocks = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        long p = k.u64(list);
        while (p != list && seen.add(p)) {
            context.checkCancelled();
            long device = k.u64(p - nodeOff + deviceOff);
            long mb = device - devOff;
            long startSec = k.u64(mb + startOff);
            long start = startSec * sectionBytes;
            long end = blockBytes > 0 ? start + blockBytes - 1
                    : endOff.isPresent() ? (k.u64(mb + endOff.getAsLong()) + 1) * sectionBytes - 1 : -1;
            String name = k.memory().cString(k.u64(device + k.requireOffset("device", "kobj") + k.requireOffset("kobject", "name")), 64);
            String state = blockState(mb + k.requireOffset("memory_block", "state"));
            String parange = end == -1 ? Columns.center(Long.toHexString(start), prlen * 2 + 3, false)
                    : Columns.right(Long.toHexString(start), prlen) + " - " + Columns.right(Long.toHexString(end), prlen);
            Map<String, Object> bd = new LinkedHashMap<>();
            bd.put("memory_block", Hex.json(mb));
            bd.put("name", name);
            bd.put("start", Hex.json(start));
            if (end != -1) bd.put("end", Hex.json(end));
            if (nidOff.isPresent()) {
                int nid = (int) k.s32(mb + nidOff.getAsLong());
                sb.append(String.format(" %-16x %s %s %s  %s %s%n", mb, Columns.center(name, 12, false), parange,
                        Columns.center(Integer.toUnsignedString(nid), 4, false), Columns.left(state, 7), Columns.left(Long.toString(startSec), 12)));
                bd.put("node", nid);
            } else {
                sb.append(String.format(" %-16x %s %s  %s %s%n", mb, Columns.center(name, 10, false), parange,
                        Columns.left(state, 7), Columns.left(Long.toString(startSec), 12)));
            }
            bd.put("state", state);
            bd.put("start_section", startSec);
            blocks.add(bd);
            p = k.u64(p);
        }
        data.put("memory_blocks", blocks);
    }

    /** The memory bus's subsys_private: bus_type.p before 6.3, else the "memory" kset in bus_kset. */
    private long subsysPrivate() {
        if (k.hasMember("bus_type", "p")) {
            OptionalLong subsys = k.symbol("memory_subsys");
            return subsys.isPresent() ? k.u64(subsys.getAsLong() + k.requireOffset("bus_type", "p")) : 0;
        }
        OptionalLong busKset = k.symbol("bus_kset");
        if (busKset.isEmpty()) return 0;
        long kset = k.u64(busKset.getAsLong());
        long head = kset + k.requireOffset("kset", "list");
        long entryOff = k.requireOffset("kobject", "entry");
        long nameOff = k.requireOffset("kobject", "name");
        long kobjInPriv = k.requireOffset("subsys_private", "subsys") + k.requireOffset("kset", "kobj");
        Set<Long> seen = new HashSet<>();
        for (long p = k.u64(head); p != head && seen.add(p); p = k.u64(p)) {
            long kobj = p - entryOff;
            if ("memory".equals(k.memory().cString(k.u64(kobj + nameOff), 64))) return kobj - kobjInPriv;
        }
        return 0;
    }

    /**
     * MEM_ONLINE... Since 6.9 the state is an enum memory_block_state counting from MEM_ONLINE = 0
     * (crash 8.0.6 still reads the older bit values there and says UNKNOWN for online blocks).
     */
    private String blockState(long at) {
        org.kdive.api.symbols.Type t = k.member("memory_block", "state").map(m -> m.type().resolve()).orElse(null);
        if (t != null && t.kind() == org.kdive.api.symbols.Type.Kind.ENUM && t.size() > 0 && t.size() <= 8) {
            long v = k.memory().unsigned(at, (int) t.size());
            for (org.kdive.api.symbols.Enumerator e : t.enumerators()) {
                if (e.value() == v) return e.name().replaceFirst("^MEM_", "");
            }
            return "UNKNOWN";
        }
        long state = k.u64(at);
        return switch ((int) state) {
            case 1 -> "ONLINE";
            case 1 << 1 -> "GOING_OFFLINE";
            case 1 << 2 -> "OFFLINE";
            case 1 << 3 -> "GOING_ONLINE";
            case 1 << 4 -> "CANCEL_ONLINE";
            case 1 << 5 -> "CANCEL_OFFLINE";
            default -> "UNKNOWN";
        };
    }
}
