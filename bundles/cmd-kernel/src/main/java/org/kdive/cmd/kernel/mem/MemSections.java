package org.kdive.cmd.kernel.mem;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.kdive.api.symbols.Type;
import org.kdive.api.symbols.Variable;
import org.kdive.cmd.kernel.access.Kernel;

/**
 * The kernel's SPARSEMEM sections (mem_section): which physical ranges have a page descriptor
 * array, and where it lies. section_mem_map holds the array's address minus the section's first
 * pfn times sizeof(struct page), its low bits being the state flags (present, has mem map, online,
 * early, zone device). Roots and sections come from the dump; a missing or unreadable root is
 * a hole, not an error.
 */
public final class MemSections {
    /** One present section: its number, struct mem_section address, raw section_mem_map. */
    public record Section(long nr, long address, long raw, long coded, long memMap, long pfn) {
    }

    private static final long PRESENT = 1, HAS_MEM_MAP = 1 << 1, ONLINE = 1 << 2, EARLY = 1 << 3, ZONE_DEVICE = 1 << 4;

    private final Kernel k;
    private final long pageStructSize;
    private final int pfnSectionShift;
    private final long mapMask;
    private final List<Section> sections = new ArrayList<>();

    private MemSections(Kernel k, long pageStructSize, int pfnSectionShift, long mapMask) {
        this.k = k;
        this.pageStructSize = pageStructSize;
        this.pfnSectionShift = pfnSectionShift;
        this.mapMask = mapMask;
    }

    /** The present sections, or empty when the kernel is not SPARSEMEM (no mem_section). */
    public static Optional<MemSections> of(Kernel k) {
        OptionalLong sym = k.symbol("mem_section");
        OptionalLong secSize = k.size("mem_section");
        OptionalLong mapOff = k.offset("mem_section", "section_mem_map");
        OptionalLong sizeBits = k.vmcoreinfo().number("SECTION_SIZE_BITS");
        if (sym.isEmpty() || secSize.isEmpty() || mapOff.isEmpty() || sizeBits.isEmpty()) return Optional.empty();
        long ps = k.session().dump().info().pageSize() > 0 ? k.session().dump().info().pageSize() : 4096;
        int pageShift = Long.numberOfTrailingZeros(ps);
        // the state bits end at SECTION_MAP_LAST_BIT (an enumerator since 5.x), 5 before
        long lastBit = enumerator(k, "SECTION_MAP_LAST_BIT").orElse(5);
        MemSections ms = new MemSections(k, k.requireSize("page"), (int) (sizeBits.getAsLong() - pageShift), ~((1L << lastBit) - 1));
        ms.read(sym.getAsLong(), secSize.getAsLong(), mapOff.getAsLong(), ps);
        return Optional.of(ms);
    }

    private static OptionalLong enumerator(Kernel k, String name) {
        try {
            Optional<Type> t = k.session().symbols().enumeratorType(name);
            return t.isPresent() ? t.get().resolve().enumeratorValue(name) : OptionalLong.empty();
        } catch (RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    private void read(long sym, long secSize, long mapOff, long pageSize) {
        // SPARSEMEM_EXTREME: mem_section points to (or is) an array of root pointers, each root
        // a page of sections; else a static two-dimensional array
        Type t = null;
        try {
            t = k.session().symbols().variable("mem_section").map(Variable::type).map(Type::resolve).orElse(null);
        } catch (RuntimeException e) {
            // no debuginfo for the variable: VMCOREINFO's LENGTH says how many roots
        }
        boolean extreme = t == null || t.kind() == Type.Kind.POINTER
                || (t.kind() == Type.Kind.ARRAY && t.target() != null && t.target().resolve().kind() == Type.Kind.POINTER);
        long perRoot = extreme ? pageSize / secSize
                : t.target() != null && t.target().resolve().kind() == Type.Kind.ARRAY ? t.target().resolve().count() : 1;
        long roots = k.arrayLength("mem_section");
        if (roots <= 0) {
            OptionalLong bits = k.vmcoreinfo().number("MAX_PHYSMEM_BITS");
            long sizeBits = pfnSectionShift + Long.numberOfTrailingZeros(pageSize);
            roots = bits.isPresent() ? Math.max(1, (1L << (bits.getAsLong() - sizeBits)) / perRoot) : 1;
        }
        roots = Math.min(roots, 1 << 20); // bounded: 2^20 roots cover 52 physical address bits
        long rootArray = t != null && t.kind() == Type.Kind.ARRAY ? sym : k.u64(sym);
        if (rootArray == 0) return;
        for (long r = 0; r < roots; r++) {
            long root;
            if (extreme) {
                try {
                    root = k.u64(rootArray + 8 * r);
                } catch (RuntimeException e) {
                    continue;
                }
                if (root == 0) continue;
            } else {
                root = rootArray + r * perRoot * secSize;
            }
            byte[] b;
            try {
                b = k.memory().read(root, (int) (perRoot * secSize));
            } catch (RuntimeException e) {
                continue;
            }
            for (int i = 0; i < perRoot; i++) {
                long raw = PageMap.le(b, (int) (i * secSize + mapOff), 8);
                if ((raw & PRESENT) == 0) continue;
                long nr = r * perRoot + i;
                long pfn = nr << pfnSectionShift;
                long coded = raw & mapMask;
                sections.add(new Section(nr, root + i * secSize, raw, coded, coded + pfn * pageStructSize, pfn));
            }
        }
    }

    public List<Section> sections() { return sections; }

    public long pagesPerSection() { return 1L << pfnSectionShift; }

    /** crash's state letters: P(resent) M(em map) O(nline) E(arly) D(evice zone). */
    public static String state(long raw) {
        StringBuilder sb = new StringBuilder();
        if ((raw & PRESENT) != 0) sb.append('P');
        if ((raw & HAS_MEM_MAP) != 0) sb.append('M');
        if ((raw & ONLINE) != 0) sb.append('O');
        if ((raw & EARLY) != 0) sb.append('E');
        if ((raw & ZONE_DEVICE) != 0) sb.append('D');
        return sb.toString();
    }

    private Section section(long pfn) {
        long nr = pfn >>> pfnSectionShift;
        int lo = 0, hi = sections.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long n = sections.get(mid).nr();
            if (n == nr) return sections.get(mid);
            if (n < nr) lo = mid + 1; else hi = mid - 1;
        }
        return null;
    }

    /** The struct page of a pfn, or 0 when no present section with a mem map holds it. */
    public long pageOf(long pfn) {
        Section s = section(pfn);
        if (s == null || (s.raw() & HAS_MEM_MAP) == 0) return 0;
        return s.memMap() + (pfn - s.pfn()) * pageStructSize;
    }

    /** The pfn a struct page address describes, or -1 when it is none. */
    public long pfnOfPage(long page) {
        for (Section s : sections) {
            long off = page - s.memMap();
            if (Long.compareUnsigned(off, pagesPerSection() * pageStructSize) < 0) {
                return off % pageStructSize == 0 ? s.pfn() + off / pageStructSize : -1;
            }
        }
        return -1;
    }
}
