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
    private static final int MAX_VMAP_NODES = 1 << 16;

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

    /**
     * Busy vmap areas that have a vm_struct (crash's vmlist): from vmap_area_list, or, in kernels that
     * split vmalloc's bookkeeping per node (6.9+: no vmap_area_list), from each of the nr_vmap_nodes
     * struct vmap_node's busy.head list.
     */
    private static List<long[]> vmapAreas(Session s) {
        List<long[]> out = new ArrayList<>();
        Optional<Type> va = s.symbols().type("struct vmap_area");
        if (va.isEmpty()) return out;
        long list = offset(va.get(), "list");
        long start = offset(va.get(), "va_start");
        long stop = offset(va.get(), "va_end");
        long vm = offset(va.get(), "vm");
        if (list < 0 || start < 0 || stop < 0 || vm < 0) return out;
        Memory mem = s.memory();
        for (long head : busyListHeads(s)) {
            try {
                for (long next = mem.pointer(head); next != head && next != 0 && out.size() < MAX_AREAS; next = mem.pointer(next)) {
                    long area = next - list;
                    if (mem.pointer(area + vm) == 0) continue;
                    out.add(new long[] {mem.u64(area + start), mem.u64(area + stop)});
                }
            } catch (KdiveException e) {
                // a broken list: search what was read, as crash does after its warning
            }
        }
        out.sort(Comparator.comparingLong((long[] r) -> r[0] ^ Long.MIN_VALUE));
        return out;
    }

    /** The heads of the lists of busy vmap areas: vmap_area_list, else every vmap node's busy.head. */
    private static List<Long> busyListHeads(Session s) {
        Optional<Long> global = symbol(s, "vmap_area_list");
        if (global.isPresent()) return List.of(global.get());
        Optional<Type> node = s.symbols().type("struct vmap_node");
        Optional<Long> nodes = symbol(s, "vmap_nodes");
        Optional<Long> count = symbol(s, "nr_vmap_nodes");
        Optional<Type> rbList = s.symbols().type("struct rb_list");
        if (node.isEmpty() || nodes.isEmpty() || count.isEmpty() || rbList.isEmpty()) return List.of();
        long busy = offset(node.get(), "busy");
        long head = offset(rbList.get(), "head");
        long size = node.get().resolve().size();
        if (busy < 0 || head < 0 || size <= 0) return List.of();
        List<Long> heads = new ArrayList<>();
        try {
            long array = s.memory().pointer(nodes.get());
            long n = s.memory().u32(count.get());
            // the kernel makes at most one node per CPU: a count beyond any machine is damage
            if (array == 0 || n > MAX_VMAP_NODES) return List.of();
            for (long i = 0; i < n; i++) heads.add(array + i * size + busy + head);
        } catch (KdiveException e) {
            return List.of();
        }
        return heads;
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
