package org.kdive.cmd.symbols.paging;

import java.util.Optional;
import java.util.OptionalLong;
import org.kdive.api.KdiveException;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Type;
import org.kdive.cmd.symbols.types.OffsetLayout;

/**
 * Where the x86_64 kernel keeps its big regions in this dump (KASLR moves them): the direct map
 * (page_offset_base), vmalloc space and the struct page array (vmemmap), plus max_pfn. Read once per
 * session from the kernel's variables.
 */
public record KernelSpace(long pageOffset, long vmallocStart, long vmemmap, long maxPfn, PageLayout page) {
    private static final String KEY = "cmd-symbols.kernel-space";
    /** Kernel image mapping (__START_KERNEL_map .. module space): translated with phys_base. */
    static final long START_KERNEL_MAP = 0xffffffff80000000L;
    private static final long MODULES_VADDR = 0xffffffffc0000000L;

    /** Offsets in struct page, -1 where the member is missing. */
    public record PageLayout(long size, long flags, long mapping, long index, long refcount) {
    }

    public static KernelSpace of(Session s) {
        return s.cached(KEY, () -> read(s));
    }

    private static KernelSpace read(Session s) {
        boolean fiveLevel = s.vmcoreinfo().number("pgtable_l5_enabled").orElse(0) == 1;
        // the defaults are the non-KASLR bases
        long pageOffset = variable(s, "page_offset_base").orElse(fiveLevel ? 0xff11000000000000L : 0xffff888000000000L);
        long vmalloc = variable(s, "vmalloc_base").orElse(fiveLevel ? 0xffa0000000000000L : 0xffffc90000000000L);
        long vmemmap = variable(s, "vmemmap_base").orElse(fiveLevel ? 0xffd4000000000000L : 0xffffea0000000000L);
        long maxPfn = variable(s, "max_pfn").orElse(-1);
        return new KernelSpace(pageOffset, vmalloc, vmemmap, maxPfn, layout(s));
    }

    private static PageLayout layout(Session s) {
        Optional<Type> page = s.symbols().type("struct page");
        if (page.isEmpty()) return new PageLayout(64, 0, 24, 32, 52); // 6.x defaults
        Type t = page.get();
        return new PageLayout(t.size(), offset(t, "flags"), offset(t, "mapping"), offset(t, "index"), offset(t, "_refcount"));
    }

    private static long offset(Type t, String member) {
        return OffsetLayout.findMember(t, member).map(Member::offset).orElse(-1L);
    }

    /** The 64-bit value of a kernel variable, empty when unknown or unreadable. */
    static OptionalLong variable(Session s, String name) {
        try {
            return OptionalLong.of(s.memory().u64(s.symbols().address(name)));
        } catch (KdiveException e) {
            return OptionalLong.empty();
        }
    }

    /** In the direct map: crash translates by subtraction without a walk. */
    public boolean inDirectMap(long vaddr) {
        return Long.compareUnsigned(vaddr, pageOffset) >= 0 && Long.compareUnsigned(vaddr, vmallocStart) < 0;
    }

    /** In the kernel image mapping (text, data, bss). */
    public static boolean inKernelImage(long vaddr) {
        return Long.compareUnsigned(vaddr, START_KERNEL_MAP) >= 0 && Long.compareUnsigned(vaddr, MODULES_VADDR) < 0;
    }

    /** The direct-map address of a physical address (crash's PTOV). */
    public long toVirtual(long physical) {
        return pageOffset + physical;
    }

    /** Address of the struct page describing {@code physical}, or -1 past max_pfn. */
    public long pageOf(long physical) {
        long pfn = physical >>> 12;
        if (maxPfn >= 0 && pfn >= maxPfn) return -1;
        return vmemmap + pfn * page.size();
    }
}
