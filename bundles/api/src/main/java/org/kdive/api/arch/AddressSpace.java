package org.kdive.api.arch;

/**
 * Where the crashed kernel keeps its big virtual regions in this dump (KASLR applied): what
 * crash's {@code vtop}, {@code ptov}, {@code kmem} and {@code search -k} need to know about the
 * address space without knowing the CPU. Read once per session by the architecture
 * ({@link KernelArch#addressSpace}); every value comes from the dump (VMCOREINFO, kernel variables,
 * debuginfo types), with the architecture's documented defaults where the dump is silent.
 *
 * <p>Regions are half-open {@code [start, end)} and compared unsigned. A region the architecture
 * does not have is {@link Region#NONE}.
 */
public interface AddressSpace {
    /** A half-open virtual range {@code [start, end)}, compared unsigned. */
    record Region(long start, long end) {
        /** No such region. */
        public static final Region NONE = new Region(0, 0);

        public boolean contains(long vaddr) {
            return Long.compareUnsigned(vaddr, start) >= 0 && Long.compareUnsigned(vaddr, end) < 0;
        }

        public boolean isEmpty() {
            return Long.compareUnsigned(end, start) <= 0;
        }
    }

    /** The lowest address a kernel virtual address can have (crash's kvbase); below it is user space. */
    long kernelBase();

    /**
     * The linear map of all physical memory ("direct map"): virtual = start + physical for every
     * physical address it maps; crash translates addresses in it by subtraction. {@code start} is
     * where physical address 0 would be mapped: PAGE_OFFSET on x86_64, whose map starts at physical
     * 0; on arm64, whose map starts at physical PHYS_OFFSET (memstart_addr), PAGE_OFFSET -
     * PHYS_OFFSET, which lies below the lowest address the map uses ({@link #kernelBase()} =
     * PAGE_OFFSET there). {@code end} is where the range the kernel reserves for the map ends (not
     * only the part memory fills).
     */
    Region directMap();

    /** The vmalloc area (vmalloc, vmap, and on most architectures module memory too). */
    Region vmalloc();

    /** Module space as the kernel reserves it; may lie inside {@link #vmalloc()}. */
    Region modules();

    /**
     * The region reserved for the mapping of the kernel image (text, data, bss), from its base (not
     * from {@code _text}) to where the next region begins.
     */
    Region kernelImage();

    /** Kernel image virtual address minus its physical address (the image is mapped linearly). */
    long imageOffset();

    /** Virtual address of the {@code struct page} of page frame 0 (the memory map, "vmemmap"). */
    long vmemmapBase();

    /** {@code sizeof(struct page)}. */
    long pageStructSize();

    /** The kernel's max_pfn: page frames that have a struct page; -1 when unknown. */
    long maxPfn();

    /** Size of a base page in bytes (the unit of page frame numbers). */
    int pageSize();

    /**
     * The per-CPU offset of each possible CPU ({@code __per_cpu_offset[0 .. nr_cpu_ids)}), in CPU
     * order: a per-CPU variable's instance for CPU n is at its address plus element n. Empty when
     * the kernel has none (uniprocessor) or they cannot be read. A new array on every call.
     */
    long[] perCpuOffsets();

    /** The struct page array as far as memory fills it: {@code [vmemmapBase, vmemmapBase + maxPfn * pageStructSize)}. */
    default Region vmemmap() {
        long max = maxPfn();
        return max <= 0 ? Region.NONE : new Region(vmemmapBase(), vmemmapBase() + max * pageStructSize());
    }

    /** The direct-map address of a physical address (crash's PTOV). */
    default long directMapAddress(long physical) {
        return directMap().start() + physical;
    }

    /** The struct page describing {@code physical}, or -1 past max_pfn. */
    default long pageStruct(long physical) {
        long pfn = Long.divideUnsigned(physical, pageSize());
        long max = maxPfn();
        if (max >= 0 && Long.compareUnsigned(pfn, max) >= 0) return -1;
        return vmemmapBase() + pfn * pageStructSize();
    }

    /** The page frame a struct page describes (inverse of {@link #pageStruct}). */
    default long pfnOfPageStruct(long page) {
        return (page - vmemmapBase()) / pageStructSize();
    }

    /** The per-CPU offset of {@code cpu}, or 0 when unknown (as on a uniprocessor kernel). */
    default long perCpuOffset(int cpu) {
        long[] all = perCpuOffsets();
        return cpu >= 0 && cpu < all.length ? all[cpu] : 0;
    }
}
