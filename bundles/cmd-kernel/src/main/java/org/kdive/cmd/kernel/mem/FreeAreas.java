package org.kdive.cmd.kernel.mem;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.kdive.api.arch.AddressSpace;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.Result;
import org.kdive.api.symbols.Enumerator;
import org.kdive.api.util.Hex;
import org.kdive.cmd.kernel.access.Kernel;

/**
 * The buddy allocator's free lists as crash's `kmem -f` (blocks and pages per order and migrate
 * type), `kmem -F` (each block's first page) and `kmem -f ADDRESS` (the free block holding an
 * address) show them: zone by zone, each zone's free_area[order].free_list[migratetype], walked
 * through page.lru (buddy_list). A list that loops or cannot be read ends there with a warning.
 */
public final class FreeAreas {
    static final String ZONE_HDR = "ZONE  NAME        SIZE    FREE";
    private static final String AREA_HDR = "AREA    SIZE  FREE_AREA_STRUCT";

    /** One zone as -f shows it. */
    record Zone(int node, int nodeId, int index, long address, String name, long size, long free, long memMap,
            long startPaddr, long startMapnr, long nodeStartPaddr, long nodePages) {
        String header() {
            return ZONE_HDR + "  " + Columns.center("MEM_MAP", 16, false) + "  START_PADDR  START_MAPNR";
        }

        String line() {
            return String.format("%3d   %-9s %6d  %6d  %s  %s  %s", index, name, size, free,
                    Columns.center(Long.toHexString(memMap), 16, false),
                    Columns.center(Long.toHexString(startPaddr), 11, true),
                    Columns.center(Long.toString(startMapnr), 11, true));
        }
    }

    private final CommandContext context;
    private final Kernel k;
    private final long pageSize;
    private final long pageStructSize;
    private final long lruOff;
    private final long listHeadSize = 16;
    private final int orders;
    private final int migrateTypes;
    private final long freeAreaSize;
    private final long freeAreaOff;
    private final List<String> migrateNames = new ArrayList<>();
    private final MemSections sections;
    private final List<Zone> zones = new ArrayList<>();
    private final int nodes;

    public FreeAreas(CommandContext context, Kernel k) {
        this.context = context;
        this.k = k;
        long ps = k.session().dump().info().pageSize();
        this.pageSize = ps > 0 ? ps : 4096;
        this.pageStructSize = k.requireSize("page");
        this.lruOff = k.offset("page", "lru").orElseGet(() -> k.requireOffset("page", "buddy_list"));
        this.freeAreaSize = k.requireSize("free_area");
        this.freeAreaOff = k.requireOffset("zone", "free_area");
        this.orders = (int) (k.memberSize("zone", "free_area") / freeAreaSize);
        this.migrateTypes = (int) Math.max(1, k.memberSize("free_area", "free_list") / listHeadSize);
        k.type("enum migratetype").ifPresent(t -> {
            for (Enumerator e : t.resolve().enumerators()) {
                if (e.value() >= 0 && e.value() < migrateTypes && migrateNames.size() == e.value()) {
                    migrateNames.add(e.name().replaceFirst("^MIGRATE_", "").toLowerCase());
                }
            }
        });
        this.sections = MemSections.of(k).orElse(null);
        List<Long> pgdats = new KmemViews(context, k).nodes();
        this.nodes = pgdats.size();
        readZones(pgdats);
    }

    private void readZones(List<Long> pgdats) {
        long zoneSize = k.requireSize("zone");
        long zonesOff = k.requireOffset("pglist_data", "node_zones");
        int nrZones = (int) (k.memberSize("pglist_data", "node_zones") / zoneSize);
        long freeOff = zoneFreePagesOffset();
        for (int n = 0; n < pgdats.size(); n++) {
            long pgdat = pgdats.get(n);
            int nodeId = (int) k.s32(pgdat + k.requireOffset("pglist_data", "node_id"));
            long nodeStartPfn = k.u64(pgdat + k.requireOffset("pglist_data", "node_start_pfn"));
            long nodePages = k.u64(pgdat + k.requireOffset("pglist_data", "node_spanned_pages"));
            // crash's node mem_map: node_mem_map (FLATMEM) or the page of the node's first pfn
            long nodeMemMap = k.offset("pglist_data", "node_mem_map").isPresent()
                    ? k.u64(pgdat + k.requireOffset("pglist_data", "node_mem_map")) : pageOf(nodeStartPfn);
            for (int i = 0; i < nrZones; i++) {
                long zone = pgdat + zonesOff + i * zoneSize;
                String name = k.memory().cString(k.u64(zone + k.requireOffset("zone", "name")), 32);
                long size = k.u64(zone + k.requireOffset("zone", "spanned_pages"));
                long free = k.u64(zone + freeOff);
                long startPfn = k.u64(zone + k.requireOffset("zone", "zone_start_pfn"));
                long memMap = size != 0 ? pageOf(startPfn) : 0;
                long mapnr = memMap != 0 ? (memMap - nodeMemMap) / pageStructSize : 0;
                zones.add(new Zone(n, nodeId, i, zone, name, size, free, memMap, startPfn * pageSize, mapnr,
                        nodeStartPfn * pageSize, nodePages));
            }
        }
    }

    /** zone.free_pages on old kernels, else vm_stat[NR_FREE_PAGES]. */
    private long zoneFreePagesOffset() {
        if (k.hasMember("zone", "free_pages")) return k.requireOffset("zone", "free_pages");
        long item = k.type("enum zone_stat_item").flatMap(t -> {
            java.util.OptionalLong v = t.resolve().enumeratorValue("NR_FREE_PAGES");
            return v.isPresent() ? java.util.Optional.of(v.getAsLong()) : java.util.Optional.empty();
        }).orElse(0L);
        return k.requireOffset("zone", "vm_stat") + 8 * item;
    }

    private long pageOf(long pfn) {
        if (sections != null) return sections.pageOf(pfn);
        AddressSpace space = k.session().arch().addressSpace(k.session());
        return space.vmemmapBase() + pfn * pageStructSize;
    }

    private long pfnOfPage(long page) {
        if (sections != null) return sections.pfnOfPage(page);
        AddressSpace space = k.session().arch().addressSpace(k.session());
        long off = page - space.vmemmapBase();
        return off >= 0 && off % pageStructSize == 0 && off / pageStructSize < space.maxPfn() ? off / pageStructSize : -1;
    }

    /** The pages of one free list, first page of each block; stops at a loop or an unreadable link. */
    private List<Long> walk(long list) {
        List<Long> out = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        long p;
        try {
            p = k.u64(list);
            while (p != list) {
                if (!seen.add(p) || out.size() > (1 << 24)) {
                    context.warn(String.format("free list %x loops at %x: counted up to there", list, p));
                    break;
                }
                out.add(p - lruOff);
                if ((out.size() & 4095) == 0) context.checkCancelled();
                p = k.u64(p);
            }
        } catch (org.kdive.api.command.CommandCancelledException e) {
            throw e;
        } catch (RuntimeException e) {
            context.warn(String.format("free list %x: a link cannot be read (%s): counted up to there", list, e.getMessage()));
        }
        return out;
    }

    private String areaLine(int order, long list) {
        return String.format("%3d  %7s  %s  ", order, (pageSize << order) / 1024 + "k",
                Columns.center(Long.toHexString(list), 16, false));
    }

    /** kmem -f (blocks and pages per list) or, verbose, kmem -F (each block's first page). */
    public Result show(boolean verbose) {
        StringBuilder sb = new StringBuilder();
        List<Object> zoneData = new ArrayList<>();
        long sum = 0, found = 0;
        for (Zone z : zones) {
            context.checkCancelled();
            if (z.index() == 0 && nodes > 1) {
                if (z.node() > 0) sb.append('\n').append("-".repeat(74)).append('\n');
                sb.append(z.node() > 0 ? "\n" : "").append(String.format("NODE%n %2d%n", z.nodeId()));
            }
            sb.append(z.index() > 0 ? "\n" : "").append(z.header()).append('\n').append(z.line()).append('\n');
            Map<String, Object> zd = zoneRecord(z);
            sum += z.free();
            List<Object> lists = new ArrayList<>();
            if (z.free() != 0) {
                if (!verbose) sb.append(AREA_HDR).append("  BLOCKS  PAGES\n");
                for (int order = 0; order < orders; order++) {
                    long area = z.address() + freeAreaOff + order * freeAreaSize;
                    for (int mt = 0; mt < migrateTypes; mt++) {
                        long list = area + mt * listHeadSize;
                        List<Long> blocks = walk(list);
                        long pages = (long) blocks.size() << order;
                        if (verbose) sb.append(AREA_HDR).append('\n');
                        sb.append(areaLine(order, list));
                        if (verbose) {
                            sb.append('\n');
                            for (long b : blocks) sb.append(Long.toHexString(b)).append('\n');
                        } else {
                            sb.append(String.format("%6d %6d%n", blocks.size(), pages));
                        }
                        found += pages;
                        Map<String, Object> l = new LinkedHashMap<>();
                        l.put("order", order);
                        l.put("block_bytes", pageSize << order);
                        l.put("migrate_type", mt);
                        if (mt < migrateNames.size()) l.put("migrate_type_name", migrateNames.get(mt));
                        l.put("free_list", Hex.json(list));
                        l.put("blocks", blocks.size());
                        l.put("pages", pages);
                        if (verbose) l.put("block_pages", blocks.stream().map(Hex::json).toList());
                        lists.add(l);
                    }
                }
            }
            zd.put("free_lists", lists);
            zoneData.add(zd);
        }
        sb.append(String.format("%nnr_free_pages: %d  ", sum)).append(sum == found ? "(verified)\n" : "(found " + found + ")\n");
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("zones", zoneData);
        data.put("nr_free_pages", sum);
        data.put("pages_in_free_lists", found);
        data.put("verified", sum == found);
        return Result.of(sb.toString(), data);
    }

    private static Map<String, Object> zoneRecord(Zone z) {
        Map<String, Object> zd = new LinkedHashMap<>();
        zd.put("node", z.nodeId());
        zd.put("zone", z.index());
        zd.put("address", Hex.json(z.address()));
        zd.put("name", z.name());
        zd.put("size", z.size());
        zd.put("free", z.free());
        zd.put("mem_map", Hex.json(z.memMap()));
        zd.put("start_paddr", Hex.json(z.startPaddr()));
        zd.put("start_mapnr", z.startMapnr());
        return zd;
    }

    /**
     * kmem -f ADDRESS (and the free-list step of kmem ADDRESS): the free block holding the page of
     * a struct page, kernel virtual or ({@code physical}) physical address, as crash prints it:
     * its zone, its free list and the block's first page, "(ADDRESS is Nth of M pages)" for blocks
     * of more than one page. Empty text when the page is in no free list. {@code data} gets the
     * finding. crash 8.0.6 also takes the page right after a block as inside it (and then prints
     * nothing); this looks for the block that really holds it.
     */
    public String search(long addr, boolean physical, Map<String, Object> data) {
        long phys;
        if (physical) {
            phys = addr;
        } else {
            long pfn = pfnOfPage(addr);
            if (pfn >= 0) {
                phys = pfn * pageSize;
            } else {
                try {
                    phys = k.memory().toPhysical(addr);
                } catch (RuntimeException e) {
                    data.put("free", false);
                    return "";
                }
            }
        }
        long searchPfn = Long.divideUnsigned(phys, pageSize);
        long searchPage = pageOf(searchPfn);
        if (searchPage == 0) return String.format("cannot determine page for %x%n", addr);
        for (Zone z : zones) {
            context.checkCancelled();
            if (z.free() == 0) continue;
            if (Long.compareUnsigned(phys, z.nodeStartPaddr()) < 0
                    || Long.compareUnsigned(phys, z.nodeStartPaddr() + z.nodePages() * pageSize) >= 0) continue;
            for (int order = 0; order < orders; order++) {
                long area = z.address() + freeAreaOff + order * freeAreaSize;
                for (int mt = 0; mt < migrateTypes; mt++) {
                    long list = area + mt * listHeadSize;
                    for (long block : walk(list)) {
                        long first = pfnOfPage(block);
                        if (first < 0 || searchPfn < first || searchPfn >= first + (1L << order)) continue;
                        long nth = searchPfn - first;
                        StringBuilder sb = new StringBuilder();
                        if (nodes > 1) sb.append(String.format("NODE%n %2d%n", z.nodeId()));
                        sb.append(z.header()).append('\n').append(z.line()).append('\n');
                        sb.append(AREA_HDR).append('\n').append(areaLine(order, list)).append('\n');
                        sb.append(Long.toHexString(block)).append("  ");
                        if (order > 0) {
                            sb.append('(').append(Long.toHexString(addr)).append(" is ");
                            if (physical && addr % pageSize != 0) sb.append("in ");
                            sb.append(ordinal(nth + 1)).append(" of ").append(1L << order).append(" pages)");
                        }
                        sb.append('\n');
                        data.put("free", true);
                        data.put("zone", zoneRecord(z));
                        data.put("order", order);
                        data.put("migrate_type", mt);
                        data.put("free_list", Hex.json(list));
                        data.put("block", Hex.json(block));
                        data.put("block_pages", 1L << order);
                        data.put("page_in_block", nth);
                        return sb.toString();
                    }
                }
            }
        }
        data.put("free", false);
        return "";
    }

    /** 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st (crash 8.0.6 says "11st", "12nd", "13rd"). */
    static String ordinal(long n) {
        long tens = n % 100;
        if (tens >= 11 && tens <= 13) return n + "th";
        return switch ((int) (n % 10)) {
            case 1 -> n + "st";
            case 2 -> n + "nd";
            case 3 -> n + "rd";
            default -> n + "th";
        };
    }
}
