package org.kdive.arch.arm64.layout;

import java.util.Optional;
import org.kdive.api.arch.AddressSpace;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.Type;

/**
 * The arm64 kernel's regions (Documentation/arm64/memory.rst, 6.1): the linear map from PAGE_OFFSET
 * (-(1 << VA_BITS)) to PAGE_END, modules, then the kernel image at KIMAGE_VADDR (moved by KASLR:
 * kimage_voffset), vmalloc above it, and the struct page array at VMEMMAP_START, indexed from
 * memstart_addr's page frame. The linear map starts at physical PHYS_OFFSET, not 0: the
 * {@link #directMap()} region starts at PAGE_OFFSET - PHYS_OFFSET so that, as the API has it,
 * virtual = start + physical for every physical address the map holds.
 */
public record Arm64AddressSpace(Arm64Layout layout, long maxPfn, long pageStructSize, long[] offsets, long imageStart,
        long imageEnd)
        implements AddressSpace {
    private static final String KEY = "arch-arm64.address-space";
    private static final int MAX_CPUS = 4096;
    private static final long DEFAULT_PAGE_STRUCT = 64;

    public static Arm64AddressSpace of(Session s, Arm64Layout layout) {
        return s.cached(KEY, () -> read(s, layout));
    }

    private static Arm64AddressSpace read(Session s, Arm64Layout layout) {
        long maxPfn = -1;
        try {
            maxPfn = s.memory().u64(s.symbols().address("max_pfn"));
        } catch (RuntimeException e) {
            // unknown: the memory map's extent stays open
        }
        long page = -1;
        try {
            page = s.symbols().type("struct page").map(Type::size).orElse(-1L);
        } catch (RuntimeException e) {
            // the default below
        }
        // KASLR moves the image into vmalloc space: its region is where _text.._end are mapped
        long text = address(s, "_text");
        long end = address(s, "_end");
        if (text == -1) text = layout.kimageVaddr() + layout.kernelOffset();
        if (end == -1 || Long.compareUnsigned(end, text) <= 0) end = text + (128L << 20);
        return new Arm64AddressSpace(layout, maxPfn, page > 0 ? page : DEFAULT_PAGE_STRUCT, perCpu(s), text, end);
    }

    private static long address(Session s, String name) {
        try {
            return s.symbols().first(name).map(Symbol::address).orElse(-1L);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** __per_cpu_offset[0 .. nr_cpu_ids); empty when unknown. */
    private static long[] perCpu(Session s) {
        try {
            Optional<Symbol> nr = s.symbols().first("nr_cpu_ids");
            Optional<Symbol> off = s.symbols().first("__per_cpu_offset");
            if (nr.isEmpty() || off.isEmpty()) return new long[0];
            int n = (int) Math.min(MAX_CPUS, s.memory().u32(nr.get().address()));
            long[] out = new long[n];
            for (int i = 0; i < n; i++) out[i] = s.memory().u64(off.get().address() + 8L * i);
            return out;
        } catch (RuntimeException e) {
            return new long[0];
        }
    }

    @Override
    public long kernelBase() {
        return layout.pageOffset();
    }

    @Override
    public Region directMap() {
        return new Region(layout.pageOffset() - layout.physOffset(), layout.pageEnd());
    }

    @Override
    public Region vmalloc() {
        return new Region(layout.vmallocStart(), layout.vmallocEnd());
    }

    @Override
    public Region modules() {
        return new Region(layout.modulesStart(), layout.modulesEnd());
    }

    /** Where _text.._end are mapped (with KASLR inside vmalloc space, above KIMAGE_VADDR). */
    @Override
    public Region kernelImage() {
        return new Region(imageStart, imageEnd);
    }

    @Override
    public long imageOffset() {
        return layout.kimageVoffset();
    }

    /** The struct page of page frame 0 (vmemmap = VMEMMAP_START - (memstart_addr >> PAGE_SHIFT)). */
    @Override
    public long vmemmapBase() {
        return layout.vmemmapStart() - (layout.physOffset() >>> layout.pageShift()) * pageStructSize;
    }

    @Override
    public int pageSize() {
        return 1 << layout.pageShift();
    }

    @Override
    public long[] perCpuOffsets() {
        return offsets.clone();
    }

    @Override
    public long perCpuOffset(int cpu) {
        return cpu >= 0 && cpu < offsets.length ? offsets[cpu] : 0;
    }
}
