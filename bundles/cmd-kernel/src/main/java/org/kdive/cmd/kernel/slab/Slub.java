package org.kdive.cmd.kernel.slab;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.kdive.api.arch.AddressSpace;
import org.kdive.api.command.CommandException;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Type;
import org.kdive.cmd.kernel.access.Kernel;
import org.kdive.cmd.kernel.commands.ListCommand;

/**
 * The SLUB allocator's state as crash reads it: the caches on {@code slab_caches}, their per-CPU
 * slabs and node lists, and the free objects found by following the (possibly hardened) freelists.
 * Slab descriptors are {@code struct slab} on 5.17+ kernels, {@code struct page} before.
 */
public final class Slub {
    /** Freelist pointers with this bit set end a list (crash's PAGE_MAPPING_ANON test). */
    private static final long LIST_END_BIT = 1;
    private static final int MAX_LIST = 1_000_000;

    private final Kernel k;
    private final String slabStruct;
    private final long pageSize;
    private final boolean swabFreelistAddress;
    private MemoryMap memoryMap; // see memoryMap()

    /** One kmem_cache. {@code objects} and {@code order} come from kmem_cache.oo. */
    public record Cache(long address, String name, long objectSize, long size, long freeOffset, int order,
            int objects, long random, long flags) {
        public long slabBytes(long pageSize) { return pageSize << order; }
    }

    /** One slab: its descriptor (struct slab/page), first object, node and counters. */
    public record Slab(long descriptor, long memory, int node, int objects, int inuse, long freelist) {
    }

    /** A cache's counts as `kmem -s` prints them, or the problem that stopped the gathering. */
    public record Summary(long allocated, long total, long slabs, String problem) {
    }

    /** One CPU's kmem_cache_cpu: its address, current slab (0 if none), lockless freelist and partial slabs. */
    public record CpuSlab(int cpu, long kmemCacheCpu, long slab, long freelist, List<Long> partial) {
    }

    /** One node's kmem_cache_node and its partial slabs. */
    public record Node(int node, long address, long nrSlabs, long nrPartial, long totalObjects, List<Long> partial) {
    }

    private Slub(Kernel k) {
        this.k = k;
        this.slabStruct = k.hasMember("slab", "inuse") ? "slab" : "page";
        this.pageSize = k.session().dump().info().pageSize() > 0 ? k.session().dump().info().pageSize() : 4096;
        this.swabFreelistAddress = atLeast(k.vmcoreinfo().osRelease().orElse(""), 5, 7);
    }

    /** The reader for a SLUB kernel; a CommandException when the kernel is not one (SLAB, SLOB) or lacks debuginfo. */
    public static Slub of(Kernel k) {
        if (!k.hasSymbol("slab_caches") || !k.hasMember("kmem_cache", "cpu_slab") || !k.hasMember("kmem_cache", "oo")) {
            throw new CommandException("kmem: only SLUB kernels with debuginfo are supported (no kmem_cache.cpu_slab / oo)");
        }
        if (!k.hasMember("kmem_cache_node", "nr_slabs")) {
            throw new CommandException("kmem: option requires kmem_cache_node.nr_slabs member!\n"
                    + "(the kernel must be built with CONFIG_SLUB_DEBUG)");
        }
        return new Slub(k);
    }

    public long pageSize() { return pageSize; }

    /** Caches in slab_caches order. */
    public List<Long> cacheAddresses(List<String> problems) {
        List<Long> out = new ArrayList<>();
        String p = ListCommand.walk(k, k.requireSymbol("slab_caches"), k.requireOffset("kmem_cache", "list"), true, false, 0, out);
        if (p != null) problems.add("kmem: slab_caches: " + p);
        return out;
    }

    public Cache cache(long addr) {
        long nameAddr = k.readMember(addr, "kmem_cache", "name");
        String name;
        try {
            name = k.memory().cString(nameAddr, 256);
        } catch (RuntimeException e) {
            name = "(unknown)";
        }
        long oo = k.u32(addr + k.requireOffset("kmem_cache", "oo"));
        long random = k.hasMember("kmem_cache", "random") ? k.readMember(addr, "kmem_cache", "random") : 0;
        return new Cache(addr, name, k.readMember(addr, "kmem_cache", "object_size"), k.readMember(addr, "kmem_cache", "size"),
                k.readMember(addr, "kmem_cache", "offset"), (int) (oo >>> 16), (int) (oo & 0xffff), random,
                k.readMember(addr, "kmem_cache", "flags"));
    }

    /** The cache's name, without reading the rest of it. */
    public String name(long cacheAddr) {
        try {
            return k.memory().cString(k.readMember(cacheAddr, "kmem_cache", "name"), 256);
        } catch (RuntimeException e) {
            return "(unknown)";
        }
    }

    // ---- per CPU and per node --------------------------------------------------------------

    public CpuSlab cpuSlab(Cache c, int cpu) {
        long kcc = k.readMember(c.address(), "kmem_cache", "cpu_slab") + k.perCpuOffset(cpu);
        String slabMember = k.hasMember("kmem_cache_cpu", "slab") ? "slab" : "page";
        long slab = k.readMember(kcc, "kmem_cache_cpu", slabMember);
        long freelist = k.readMember(kcc, "kmem_cache_cpu", "freelist");
        List<Long> partial = new ArrayList<>();
        if (k.hasMember("kmem_cache_cpu", "partial")) {
            long nextOff = k.requireOffset(slabStruct, "next");
            Set<Long> seen = new HashSet<>();
            for (long p = k.readMember(kcc, "kmem_cache_cpu", "partial"); p != 0 && seen.add(p) && seen.size() < MAX_LIST;
                    p = k.u64(p + nextOff)) {
                partial.add(p);
            }
        }
        return new CpuSlab(cpu, kcc, slab, freelist, partial);
    }

    public List<Node> nodes(Cache c, List<String> problems) {
        List<Node> out = new ArrayList<>();
        long nodeOff = k.requireOffset("kmem_cache", "node");
        long count = k.member("kmem_cache", "node").map(m -> m.type().resolve()).filter(t -> t.kind() == Type.Kind.ARRAY)
                .map(Type::count).orElse(1L);
        // the kernel allocates kmem_cache with room for nr_node_ids nodes only: entries past it are other memory
        if (k.hasSymbol("nr_node_ids")) count = Math.min(count, k.u32(k.requireSymbol("nr_node_ids")));
        long listOff = k.requireOffset(slabStruct, k.hasMember(slabStruct, "slab_list") ? "slab_list" : "lru");
        for (int n = 0; n < count; n++) {
            long node = k.u64(c.address() + nodeOff + 8L * n);
            if (node == 0) continue;
            List<Long> partial = new ArrayList<>();
            String p = ListCommand.walk(k, node + k.requireOffset("kmem_cache_node", "partial"), listOff, true, false, 0, partial);
            if (p != null) problems.add(c.name() + ": partial list: " + p);
            long total = k.hasMember("kmem_cache_node", "total_objects") ? k.readMember(node, "kmem_cache_node", "total_objects") : 0;
            out.add(new Node(n, node, k.readMember(node, "kmem_cache_node", "nr_slabs"),
                    k.readMember(node, "kmem_cache_node", "nr_partial"), total, partial));
        }
        return out;
    }

    // ---- slabs and objects -----------------------------------------------------------------

    public Slab slab(long descriptor) {
        int inuse = (int) field(descriptor, "inuse");
        int objects = (int) field(descriptor, "objects");
        long freelist = k.readMember(descriptor, slabStruct, "freelist");
        return new Slab(descriptor, memoryOf(descriptor), nodeOf(descriptor), objects, inuse, freelist);
    }

    /** Objects on a freelist, following encoded next pointers; stops at a repeat (with a problem noted). */
    public List<Long> freelist(Cache c, long head, long slabDescriptor, List<String> problems) {
        List<Long> out = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        for (long q = head; q != 0 && (q & LIST_END_BIT) == 0 && out.size() < MAX_LIST; ) {
            if (!seen.add(q)) {
                problems.add(String.format("%s: slab: %x duplicate freelist object: %x", c.name(), slabDescriptor, q));
                break;
            }
            out.add(q);
            long at = q + c.freeOffset();
            long stored;
            try {
                stored = k.u64(at);
            } catch (RuntimeException e) {
                problems.add(String.format("%s: slab: %x invalid freepointer: %x", c.name(), slabDescriptor, at));
                break;
            }
            q = c.random() == 0 ? stored : stored ^ c.random() ^ (swabFreelistAddress ? Long.reverseBytes(at) : at);
        }
        return out;
    }

    /**
     * `kmem -s` numbers the way crash gathers them: total objects from the node counters, free ones
     * from each CPU slab (its counters plus its lockless freelist), each CPU's partial slabs and each
     * node's partial list; full slabs are not walked.
     */
    public Summary summary(Cache c) {
        List<String> problems = new ArrayList<>();
        try {
            long free = 0;
            for (int cpu = 0; cpu < k.cpus(); cpu++) {
                CpuSlab cs = cpuSlab(c, cpu);
                if (cs.slab() == 0) continue;
                Slab s = slab(cs.slab());
                if (s.objects() == 0) return new Summary(0, 0, 0, "cpu slab " + Long.toHexString(cs.slab()) + " has no objects");
                free += s.objects() - s.inuse();
                free += freelist(c, cs.freelist(), cs.slab(), problems).size();
                free += cpuPartialFree(cs);
            }
            long total = 0;
            long slabs = 0;
            for (Node n : nodes(c, problems)) {
                for (long p : n.partial()) {
                    Slab s = slab(p);
                    free += s.objects() - s.inuse();
                }
                total += n.totalObjects();
                slabs += n.nrSlabs();
            }
            return new Summary(total - free, total, slabs, problems.isEmpty() ? null : String.join("; ", problems));
        } catch (RuntimeException e) {
            return new Summary(0, 0, 0, e.getMessage());
        }
    }

    /** Free objects on a CPU's partial slabs; crash counts none for the CPU when one of them has no object count. */
    private long cpuPartialFree(CpuSlab cs) {
        long free = 0;
        for (long p : cs.partial()) {
            Slab s = slab(p);
            if (s.objects() == 0) return 0;
            free += s.objects() - s.inuse();
        }
        return free;
    }

    /** The kmem_cache a slab descriptor belongs to (its slab_cache). */
    public long cacheOf(long descriptor) {
        return k.readMember(descriptor, slabStruct, "slab_cache");
    }

    /**
     * Whether a page holds a slab: its flags' PG_slab bit up to 6.9; from 6.10 a page type instead
     * (enum pagetype's PG_slab bit, clear, under PAGE_TYPE_BASE in page_type; from 6.12 page_type's top
     * byte equal to PGTY_slab).
     */
    public boolean isSlabPage(long page) {
        long bit = memoryMap().slabBit();
        if (bit >= 0) return (k.u64(page + k.requireOffset("page", "flags")) & (1L << bit)) != 0;
        if (!k.hasMember("page", "page_type")) return false;
        long type = k.u32(page + k.requireOffset("page", "page_type"));
        java.util.Optional<org.kdive.api.symbols.Type> pagetype = k.type("enum pagetype");
        if (pagetype.isEmpty()) return false;
        java.util.OptionalLong pgty = pagetype.get().enumeratorValue("PGTY_slab");
        if (pgty.isPresent()) return (type >>> 24) == pgty.getAsLong();
        java.util.OptionalLong flag = pagetype.get().enumeratorValue("PG_slab");
        if (flag.isEmpty()) return false;
        long base = pagetype.get().enumeratorValue("PAGE_TYPE_BASE").orElse(0xf0000000L) & 0xffffffffL;
        return (type & (base | flag.getAsLong())) == base;
    }

    // ---- page <-> memory -------------------------------------------------------------------

    /**
     * Where the direct map and the struct page array are, and PG_slab's bit: read on the first
     * address translation (kmem -s alone needs none of it), then kept for every slab after.
     */
    private record MemoryMap(long pageOffset, long vmemmap, long pageStruct, long maxPfn, long slabBit) {
    }

    private MemoryMap memoryMap() {
        if (memoryMap == null) {
            long slabBit = k.type("enum pageflags").map(t -> t.enumeratorValue("PG_slab").orElse(-1L)).orElse(-1L);
            AddressSpace space = k.session().arch().addressSpace(k.session());
            memoryMap = new MemoryMap(space.directMap().start(), space.vmemmapBase(), space.pageStructSize(), space.maxPfn(), slabBit);
        }
        return memoryMap;
    }

    public long pfnOf(long page) {
        return (page - memoryMap().vmemmap()) / memoryMap().pageStruct();
    }

    /** The direct-map address of the memory a page descriptor describes. */
    public long memoryOf(long page) {
        return memoryMap().pageOffset() + pfnOf(page) * pageSize;
    }

    /** A user-space-range number taken as a physical address and moved into the direct map, as crash does. */
    public long kernelAddress(long addr) {
        return addr < 0 ? addr : memoryMap().pageOffset() + addr;
    }

    /** Whether the address lies in the struct page array (a page descriptor). */
    public boolean isPageDescriptor(long addr) {
        MemoryMap m = memoryMap();
        return Long.compareUnsigned(addr, m.vmemmap()) >= 0 && Long.compareUnsigned(addr, m.vmemmap() + m.maxPfn() * m.pageStruct()) < 0;
    }

    /** The page descriptor of a direct-map address (its head page for compound pages). */
    public long pageOf(long vaddr) {
        MemoryMap m = memoryMap();
        long pfn = Long.divideUnsigned(vaddr - m.pageOffset(), pageSize);
        if (Long.compareUnsigned(pfn, m.maxPfn()) >= 0) {
            throw new CommandException(String.format("kmem: %x is not in the direct map", vaddr));
        }
        long page = m.vmemmap() + pfn * m.pageStruct();
        long head = k.u64(page + k.requireOffset("page", "compound_head"));
        return (head & 1) != 0 ? head - 1 : page;
    }

    /** NUMA node of a page: the node whose pfn span holds it (0 on one-node systems). */
    public int nodeOf(long page) {
        if (!k.hasSymbol("node_data") || !k.hasSymbol("nr_online_nodes") || k.u32(k.requireSymbol("nr_online_nodes")) <= 1) return 0;
        long pfn = pfnOf(page);
        long len = Math.max(1, k.arrayLength("node_data"));
        for (int n = 0; n < len; n++) {
            long pgdat = k.u64(k.requireSymbol("node_data") + 8L * n);
            if (pgdat == 0) continue;
            long start = k.readMember(pgdat, "pglist_data", "node_start_pfn");
            long span = k.readMember(pgdat, "pglist_data", "node_spanned_pages");
            if (pfn >= start && pfn < start + span) return n;
        }
        return 0;
    }

    /** A slab descriptor member that may be a bitfield (inuse:16, objects:15). */
    private long field(long base, String member) {
        Member m = k.member(slabStruct, member).orElseThrow(() -> new CommandException("kmem: no " + slabStruct + "." + member));
        if (!m.isBitfield()) return k.readMember(base, slabStruct, member);
        long off = k.requireOffset(slabStruct, member);
        long storage = k.u64(base + off);
        return (storage >>> m.bitOffset()) & ((1L << m.bitSize()) - 1);
    }

    private static boolean atLeast(String release, int major, int minor) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(release);
        if (!m.find()) return true;
        int a = Integer.parseInt(m.group(1));
        int b = Integer.parseInt(m.group(2));
        return a > major || (a == major && b >= minor);
    }
}
