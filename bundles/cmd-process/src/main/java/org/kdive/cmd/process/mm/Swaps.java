package org.kdive.cmd.process.mm;

import org.kdive.cmd.process.access.Layout;
import org.kdive.cmd.process.access.PathNames;

/** The swap areas of swap_info[]: what a swap entry's type names (crash's get_swapdev). */
public final class Swaps {
    private final Layout k;
    private final PathNames paths;

    public Swaps(Layout k, PathNames paths) {
        this.k = k;
        this.paths = paths;
    }

    /** Whether the kernel has swap areas at all (crash: nr_swapfiles and swap_info exist). */
    public boolean available() {
        return k.symbol("nr_swapfiles").isPresent() && k.symbol("swap_info").isPresent();
    }

    /** swap_info[type] (a struct swap_info_struct *), 0 past the array or when empty. */
    public long area(long type) {
        long len = k.arrayLength("swap_info");
        if (type < 0 || (len > 0 && type >= len)) return 0;
        try {
            return k.u64(k.requireSymbol("swap_info") + 8 * type);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** The path of the swap area's file or device, crash's "(unknown swap location)" when none. */
    public String device(long type) {
        long si = area(type);
        if (si == 0) return "(unknown swap location)";
        try {
            long file = k.pointer(si, "swap_info_struct", "swap_file");
            if (file == 0) return "(unknown swap location)";
            String p = paths.ofFile(file);
            return p;
        } catch (RuntimeException e) {
            return "(unknown swap location)";
        }
    }
}
