package org.kdive.cmd.symbols.paging;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.kdive.api.KdiveException;
import org.kdive.api.arch.AddressSpace;
import org.kdive.api.session.Memory;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Type;
import org.kdive.cmd.symbols.modules.KernelModules;
import org.kdive.cmd.symbols.types.OffsetLayout;

/**
 * The kernel virtual ranges crash's {@code search -k} walks, in its order (by start address), from
 * the architecture's {@link AddressSpace}: the direct map up to high_memory, vmalloc space as the busy
 * vmap areas list it (modules live there since 2.6), the struct page array, the kernel image mapping
 * up to _end; a separate module range only when module memory is not among the vmap areas. Read once
 * per session.
 *
 * @param imageOffset kernel image virtual address minus its physical address
 * @param vmapAreas   busy vmalloc areas {start, end} sorted by start
 * @param modules     module core regions {start, end} sorted by start (used only for a MODULES range)
 */
public record KernelRanges(List<Range> ranges, long imageOffset, List<long[]> vmapAreas, List<long[]> modules) {
    private static final String KEY = "cmd-symbols.kernel-ranges";
    private static final int MAX_AREAS = 1 << 20;

    /** What a range holds, which decides how its pages are found (crash's KVADDR_* types). */
    public enum Kind { UNITY_MAP, VMALLOC, MODULES, VMEMMAP, START_MAP }

    public record Range(Kind kind, long start, long end) {
        /** -K leaves out the page-table mapped ranges, -V the ones translated by subtraction. */
        public boolean translatedBySubtraction() {
            return kind == Kind.UNITY_MAP || kind == Kind.START_MAP;
        }
    }

    public static KernelRanges of(Session s) {
        return s.cached(KEY, () -> read(s));
    }

    private static KernelRanges read(Session s) {
        AddressSpace space = s.arch().addressSpace(s);
        long page = space.pageSize();
        long pageOffset = space.directMap().start();
        List<Range> out = new ArrayList<>();
        long memEnd = space.maxPfn() > 0 ? pageOffset + space.maxPfn() * page : space.directMap().end();
        out.add(new Range(Kind.UNITY_MAP, pageOffset, variable(s, "high_memory").orElse(memEnd)));
        long imageBase = space.kernelImage().start();
        long end = symbol(s, "_end").orElse(imageBase);
        out.add(new Range(Kind.START_MAP, imageBase, end));
        List<long[]> areas = vmapAreas(s);
        if (!areas.isEmpty()) out.add(new Range(Kind.VMALLOC, space.vmalloc().start(), areas.get(areas.size() - 1)[1]));
        List<long[]> modules = new ArrayList<>();
        for (KernelModules.Module m : KernelModules.list(s)) {
            if (m.size() > 0) modules.add(new long[] {m.base(), m.base() + m.size()});
        }
        modules.sort(Comparator.comparingLong((long[] r) -> r[0] ^ Long.MIN_VALUE));
        if (!modules.isEmpty() && !inAny(areas, modules.get(0)[0])) {
            long last = modules.stream().mapToLong(r -> r[1]).max().orElseThrow();
            out.add(new Range(Kind.MODULES, modules.get(0)[0], (last + page - 1) & -page));
        }
        if (!inAny(areas, space.vmemmapBase()) && space.maxPfn() > 0) {
            out.add(new Range(Kind.VMEMMAP, space.vmemmap().start(), space.vmemmap().end()));
        }
        out.sort(Comparator.comparingLong(r -> r.start() ^ Long.MIN_VALUE));
        return new KernelRanges(List.copyOf(out), space.imageOffset(), areas, modules);
    }

    /** The lowest address a kernel virtual address can have (crash's kvbase). */
    public static long kernelBase(Session s) {
        return s.arch().addressSpace(s).kernelBase();
    }

    /** The 64-bit value of a kernel variable, empty when unknown or unreadable. */
    private static OptionalLong variable(Session s, String name) {
        try {
            return OptionalLong.of(s.memory().u64(s.symbols().address(name)));
        } catch (KdiveException e) {
            return OptionalLong.empty();
        }
    }

    /** Busy vmap areas that have a vm_struct (crash's vmlist), from vmap_area_list. */
    private static List<long[]> vmapAreas(Session s) {
        List<long[]> out = new ArrayList<>();
        Optional<Type> va = s.symbols().type("struct vmap_area");
        long head = symbol(s, "vmap_area_list").orElse(0L);
        if (va.isEmpty() || head == 0) return out;
        long list = offset(va.get(), "list");
        long start = offset(va.get(), "va_start");
        long stop = offset(va.get(), "va_end");
        long vm = offset(va.get(), "vm");
        if (list < 0 || start < 0 || stop < 0 || vm < 0) return out;
        Memory mem = s.memory();
        try {
            for (long next = mem.pointer(head); next != head && next != 0 && out.size() < MAX_AREAS; next = mem.pointer(next)) {
                long area = next - list;
                if (mem.pointer(area + vm) == 0) continue;
                out.add(new long[] {mem.u64(area + start), mem.u64(area + stop)});
            }
        } catch (KdiveException e) {
            // a broken list: search what was read, as crash does after its warning
        }
        out.sort(Comparator.comparingLong((long[] r) -> r[0] ^ Long.MIN_VALUE));
        return out;
    }

    private static boolean inAny(List<long[]> areas, long vaddr) {
        for (long[] a : areas) {
            if (Long.compareUnsigned(vaddr, a[0]) >= 0 && Long.compareUnsigned(vaddr, a[1]) < 0) return true;
        }
        return false;
    }

    private static long offset(Type t, String member) {
        return OffsetLayout.findMember(t, member).map(Member::offset).orElse(-1L);
    }

    private static Optional<Long> symbol(Session s, String name) {
        try {
            return Optional.of(s.symbols().address(name));
        } catch (KdiveException e) {
            return Optional.empty();
        }
    }
}
