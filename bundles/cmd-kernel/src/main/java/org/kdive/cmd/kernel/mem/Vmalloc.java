package org.kdive.cmd.kernel.mem;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.kdive.cmd.kernel.access.Kernel;
import org.kdive.cmd.kernel.commands.ListCommand;

/** The busy vmalloc areas (`kmem -v`): vmap_area_list, or since Linux 6.9 each vmap_node's busy list, as crash reads them. */
public final class Vmalloc {
    public static final String HEADER = "   VMAP_AREA         VM_STRUCT                 ADDRESS RANGE                SIZE";

    /** One area: its vmap_area, vm_struct and [start, end). */
    public record Area(long vmapArea, long vmStruct, long start, long end) {
        public String line() {
            return String.format("%16x  %16x  %16x - %16x  %7d", vmapArea, vmStruct, start, end, end - start);
        }
    }

    private Vmalloc() {
    }

    /** The areas with a vm_struct (crash leaves the others out), in list order; problems go to {@code problems}. */
    public static List<Area> areas(Kernel k, List<String> problems) {
        long listOff = k.requireOffset("vmap_area", "list");
        List<Long> entries = new ArrayList<>();
        OptionalLong nodes = k.symbol("vmap_nodes");
        if (nodes.isPresent()) {
            long n = k.u32(k.requireSymbol("nr_vmap_nodes"));
            long base = k.u64(nodes.getAsLong());
            long size = k.requireSize("vmap_node");
            long busy = k.requireOffset("vmap_node", "busy") + k.requireOffset("rb_list", "head");
            for (int i = 0; i < n && i < 4096; i++) {
                String p = ListCommand.walk(k, base + i * size + busy, listOff, true, false, 0, entries);
                if (p != null) problems.add("vmap_nodes[" + i + "].busy: " + p);
            }
        } else {
            String p = ListCommand.walk(k, k.requireSymbol("vmap_area_list"), listOff, true, false, 0, entries);
            if (p != null) problems.add("vmap_area_list: " + p);
        }
        long startOff = k.requireOffset("vmap_area", "va_start");
        long endOff = k.requireOffset("vmap_area", "va_end");
        long vmOff = k.requireOffset("vmap_area", "vm");
        OptionalLong flagsOff = k.hasMember("vmap_area", "purge_list") ? k.offset("vmap_area", "flags") : OptionalLong.empty();
        List<Area> out = new ArrayList<>();
        for (long va : entries) {
            if (flagsOff.isPresent()) {
                if (k.u64(va + flagsOff.getAsLong()) != 0x4) continue;
            } else if (k.u64(va + vmOff) == 0) {
                continue;
            }
            out.add(new Area(va, k.u64(va + vmOff), k.u64(va + startOff), k.u64(va + endOff)));
        }
        // the nodes' busy lists interleave: crash shows their union in address order
        if (nodes.isPresent()) out.sort((x, y) -> Long.compareUnsigned(x.start(), y.start()));
        return out;
    }
}
