package org.kdive.arch.x86.layout;

import java.util.OptionalLong;
import org.kdive.api.arch.AddressSpace;
import org.kdive.api.session.Session;
import org.kdive.arch.x86.paging.PageTableWalker;
import org.kdive.arch.x86.unwind.KernelLayout;

/**
 * The x86_64 kernel's regions (Documentation/arch/x86/x86_64/mm.rst): the direct map at
 * page_offset_base, vmalloc space at vmalloc_base, the struct page array at vmemmap_base (the three
 * bases move with KASLR and are read from the kernel's variables, the non-KASLR bases being the
 * defaults), the kernel image at __START_KERNEL_map (translated with phys_base) and module space
 * above it. Read once per session.
 */
public record X86AddressSpace(boolean fiveLevel, long pageOffset, long vmallocStart, long vmemmapBase, long maxPfn,
        long pageStructSize, long imageOffset, long[] offsets) implements AddressSpace {
    private static final String KEY = "arch-x86_64.address-space";
    private static final long MODULES_VADDR = PageTableWalker.KERNEL_IMAGE_END;
    private static final long MODULES_END = 0xffffffffff000000L;
    /** VMALLOC_SIZE_TB: 32 TiB with 4 levels, 12800 TiB with 5. */
    private static final long VMALLOC_SIZE_4 = 32L << 40;
    private static final long VMALLOC_SIZE_5 = 12800L << 40;
    private static final int MAX_CPUS = 8192;
    /** sizeof(struct page) of 6.x kernels, when the debuginfo does not say. */
    private static final long DEFAULT_PAGE_STRUCT = 64;

    public static X86AddressSpace of(Session s, boolean fiveLevel, long physBase) {
        return s.cached(KEY, () -> read(s, fiveLevel, physBase));
    }

    private static X86AddressSpace read(Session s, boolean fiveLevel, long physBase) {
        long pageOffset = variable(s, "page_offset_base").orElse(fiveLevel ? 0xff11000000000000L : 0xffff888000000000L);
        long vmalloc = variable(s, "vmalloc_base").orElse(fiveLevel ? 0xffa0000000000000L : 0xffffc90000000000L);
        long vmemmap = variable(s, "vmemmap_base").orElse(fiveLevel ? 0xffd4000000000000L : 0xffffea0000000000L);
        long maxPfn = variable(s, "max_pfn").orElse(-1);
        long pageStruct = new KernelLayout(s).size("struct page");
        return new X86AddressSpace(fiveLevel, pageOffset, vmalloc, vmemmap, maxPfn, pageStruct > 0 ? pageStruct : DEFAULT_PAGE_STRUCT,
                PageTableWalker.START_KERNEL_MAP - physBase, perCpu(s));
    }

    /** __per_cpu_offset[0 .. nr_cpu_ids); empty when either is unknown or unreadable. */
    private static long[] perCpu(Session s) {
        try {
            // by symbol, so that a session without type debuginfo (kallsyms only) has them too
            KernelLayout k = new KernelLayout(s);
            OptionalLong nr = k.symbol("nr_cpu_ids");
            OptionalLong off = k.symbol("__per_cpu_offset");
            if (nr.isEmpty() || off.isEmpty()) return new long[0];
            int n = (int) Math.min(MAX_CPUS, s.memory().u32(nr.getAsLong()));
            long[] out = new long[n];
            for (int i = 0; i < n; i++) out[i] = s.memory().u64(off.getAsLong() + 8L * i);
            return out;
        } catch (RuntimeException e) {
            return new long[0];
        }
    }

    /** The 64-bit value of a kernel variable, empty when unknown or unreadable. */
    private static OptionalLong variable(Session s, String name) {
        try {
            return OptionalLong.of(s.memory().u64(s.symbols().address(name)));
        } catch (RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public long kernelBase() {
        return fiveLevel ? 0xff00000000000000L : 0xffff800000000000L;
    }

    /** crash's unity map: page_offset_base up to vmalloc space. */
    @Override
    public Region directMap() {
        return new Region(pageOffset, vmallocStart);
    }

    @Override
    public Region vmalloc() {
        return new Region(vmallocStart, vmallocStart + (fiveLevel ? VMALLOC_SIZE_5 : VMALLOC_SIZE_4));
    }

    @Override
    public Region modules() {
        return new Region(MODULES_VADDR, MODULES_END);
    }

    @Override
    public Region kernelImage() {
        return new Region(PageTableWalker.START_KERNEL_MAP, MODULES_VADDR);
    }

    @Override
    public int pageSize() {
        return 4096;
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
