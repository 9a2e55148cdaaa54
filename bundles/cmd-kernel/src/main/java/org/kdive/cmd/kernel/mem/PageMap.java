package org.kdive.cmd.kernel.mem;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.kdive.api.arch.AddressSpace;
import org.kdive.api.util.Hex;
import org.kdive.cmd.kernel.access.Kernel;

/**
 * The page descriptor array (vmemmap) as crash's `kmem -p` shows it: one line per struct page with
 * its physical address, mapping, index, reference count and flags (hex, then the names the
 * kernel's own pageflag_names table gives the set bits).
 */
public final class PageMap {
    private final Kernel k;
    private final long vmemmap;
    private final long pageStructSize;
    private final long pageSize;
    private final long maxPfn;
    private final int physWidth;
    private final long flagsOff;
    private final long mappingOff;
    private final long indexOff;
    private final long countOff;
    private final List<long[]> flagMasks = new ArrayList<>();
    private final List<String> flagNames = new ArrayList<>();

    public PageMap(Kernel k) {
        this.k = k;
        AddressSpace space = k.session().arch().addressSpace(k.session());
        this.vmemmap = space.vmemmapBase();
        this.pageStructSize = k.requireSize("page");
        long ps = k.session().dump().info().pageSize();
        this.pageSize = ps > 0 ? ps : 4096;
        this.maxPfn = space.maxPfn();
        // crash: as many hex digits as the highest physical address needs
        this.physWidth = Math.max(8, Long.toHexString(maxPfn * pageSize).length());
        this.flagsOff = k.requireOffset("page", "flags");
        this.mappingOff = k.offset("page", "mapping").orElse(-1);
        this.indexOff = k.offset("page", "index").orElse(-1);
        this.countOff = k.offset("page", "_refcount").orElse(k.offset("page", "_count").orElse(-1));
        readFlagNames();
    }

    private void readFlagNames() {
        OptionalLong names = k.symbol("pageflag_names");
        if (names.isEmpty()) return;
        try {
            long size = k.requireSize("trace_print_flags");
            long maskOff = k.requireOffset("trace_print_flags", "mask");
            long nameOff = k.requireOffset("trace_print_flags", "name");
            long n = k.arrayLength("pageflag_names");
            for (int i = 0; i < n; i++) {
                long e = names.getAsLong() + i * size;
                long mask = k.u64(e + maskOff);
                long name = k.u64(e + nameOff);
                if (name == 0) break;
                flagMasks.add(new long[] {mask});
                flagNames.add(k.memory().cString(name, 64));
            }
        } catch (RuntimeException e) {
            flagMasks.clear();
            flagNames.clear();
        }
    }

    public long pageSize() { return pageSize; }

    public long maxPfn() { return maxPfn; }

    public long vmemmap() { return vmemmap; }

    public long structSize() { return pageStructSize; }

    /** Whether {@code addr} is the address of a struct page in the array. */
    public boolean isPage(long addr) {
        long off = addr - vmemmap;
        return off >= 0 && off / pageStructSize < maxPfn && off % pageStructSize == 0;
    }

    public long pageOf(long pfn) {
        return vmemmap + pfn * pageStructSize;
    }

    public long pfnOf(long page) {
        return (page - vmemmap) / pageStructSize;
    }

    /** "      PAGE       PHYSICAL      MAPPING       INDEX CNT FLAGS" for this dump's widths. */
    public String header() {
        return Columns.center("PAGE", 16, false) + " " + Columns.right("PHYSICAL", physWidth) + " "
                + Columns.center("MAPPING", 16, true) + " " + Columns.center("INDEX", 8, true) + "CNT FLAGS";
    }

    /** One page's line (no newline); {@code data} gets its fields. */
    public String line(long page, Map<String, Object> data) {
        byte[] b = k.memory().read(page, (int) pageStructSize);
        long flags = le(b, (int) flagsOff, 8);
        long mapping = mappingOff >= 0 ? le(b, (int) mappingOff, 8) : 0;
        long index = indexOff >= 0 ? le(b, (int) indexOff, 8) : 0;
        int count = countOff >= 0 ? (int) le(b, (int) countOff, 4) : 0;
        long phys = pfnOf(page) * pageSize;
        String names = flagNames(flags);
        if (data != null) {
            data.put("page", Hex.json(page));
            data.put("physical", Hex.json(phys));
            data.put("mapping", Hex.json(mapping));
            data.put("index", index);
            data.put("count", count);
            data.put("flags", Hex.json(flags));
            data.put("flag_names", names.isEmpty() ? List.of() : List.of(names.split(",")));
        }
        return String.format("%-16x %" + physWidth + "x %16x %8x %2d %x%s", page, phys, mapping, index, count, flags,
                names.isEmpty() ? "" : " " + names);
    }

    /** The names of the flags set, comma-separated, in the kernel's table order. */
    public String flagNames(long flags) {
        if (flags == 0) return "";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < flagNames.size(); i++) {
            if ((flags & flagMasks.get(i)[0]) != 0) sb.append(sb.length() > 0 ? "," : "").append(flagNames.get(i));
        }
        return sb.toString();
    }

    static long le(byte[] b, int off, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) v = (v << 8) | (b[off + i] & 0xff);
        return v;
    }

    /** A map for JSON in insertion order. */
    public static Map<String, Object> record() {
        return new LinkedHashMap<>();
    }
}
