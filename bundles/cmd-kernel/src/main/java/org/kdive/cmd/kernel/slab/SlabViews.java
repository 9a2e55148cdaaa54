package org.kdive.cmd.kernel.slab;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.util.Hex;
import org.kdive.cmd.kernel.access.Kernel;
import org.kdive.cmd.kernel.commands.ListCommand;

/** crash's `kmem -s` / `kmem -S` views of the SLUB caches, text and data. */
public final class SlabViews {
    public static final String CACHE_HEADER = "CACHE             OBJSIZE  ALLOCATED     TOTAL  SLABS  SSIZE  NAME\n";
    private static final String SLAB_HEADER = "SLAB              MEMORY            NODE  TOTAL  ALLOCATED  FREE\n";
    private static final String NODE_HEADER = "KMEM_CACHE_NODE   NODE  SLABS  PARTIAL  PER-CPU\n";
    private static final long SLAB_RED_ZONE = 0x400;
    private static final long SLAB_STORE_USER = 0x10000;

    private final CommandContext context;
    private final Kernel k;
    private final Slub slub;
    private final StringBuilder out = new StringBuilder();
    private final List<Object> data = new ArrayList<>();

    private SlabViews(CommandContext context) {
        this.context = context;
        this.k = Kernel.of(context.session());
        this.slub = Slub.of(k);
    }

    /**
     * `kmem -s|-S [name|address]`. {@code verbose} is -S. A name selects one cache; an address
     * selects the cache it is, or the cache and slab object it lies in.
     */
    public static Result show(CommandContext context, boolean verbose, String target) {
        return show(context, verbose, target, null, List.of());
    }

    /**
     * As {@link #show(CommandContext, boolean, String)}; {@code cpus} (crash's -S=cpus) limits the
     * per-CPU slabs shown to these CPUs, null for all; {@code ignore} (crash's -I) names caches to leave out.
     */
    public static Result show(CommandContext context, boolean verbose, String target, java.util.BitSet cpus, List<String> ignore) {
        SlabViews v = new SlabViews(context);
        v.cpuFilter = cpus;
        List<String> problems = new ArrayList<>();
        List<Long> caches = new ArrayList<>(v.slub.cacheAddresses(problems));
        problems.forEach(context::warn);
        if (target == null) {
            // every cache (with -S its slabs and objects): printed, or one JSON record each, as it is read;
            // an ignored one (-I) as crash tags it
            return Result.stream("caches", o -> {
                v.sink = o;
                v.all(caches, verbose, ignore);
                v.flush();
                return null;
            });
        }
        if (!ignore.isEmpty()) caches.removeIf(c -> ignore.contains(v.slub.name(c)));
        if ("list".equals(target)) {
            return v.list(caches);
        } else if (isAddress(target)) {
            v.address(caches, v.slub.kernelAddress(Hex.parseAddress(target)), verbose);
        } else {
            String name = target.startsWith("\\") ? target.substring(1) : target;
            long cache = caches.stream().filter(c -> v.slub.name(c).equals(name)).findFirst()
                    .orElseThrow(() -> new CommandException("kmem: no kmem_cache named " + name));
            v.one(cache, verbose);
        }
        return Result.of(v.out.toString(), Map.of("caches", v.data));
    }

    /** The CPUs whose slabs -S shows (crash's -S=cpus), or null for all. */
    private java.util.BitSet cpuFilter;

    /** Where {@link #all} writes as it goes (streamed), or null. */
    private org.kdive.api.command.Output sink;

    /** Hands the text and cache records gathered so far to the sink. */
    private void flush() {
        if (sink == null) return;
        sink.text(out);
        out.setLength(0);
        data.forEach(sink::record);
        data.clear();
    }

    private static boolean isAddress(String s) {
        return s.matches("(0x)?[0-9a-fA-F]+");
    }

    private void all(List<Long> caches, boolean verbose, List<String> ignore) {
        out.append(CACHE_HEADER);
        for (int i = 0; i < caches.size(); i++) {
            String name = ignore.isEmpty() ? null : slub.name(caches.get(i));
            if (name != null && ignore.contains(name)) {
                out.append(String.format("%x %-43s  %s%n", caches.get(i), "[IGNORED]", name));
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("address", hex(caches.get(i)));
                d.put("name", name);
                d.put("ignored", true);
                data.add(d);
                if (verbose && i + 1 < caches.size()) out.append(CACHE_HEADER);
                flush();
                continue;
            }
            Slub.Cache c = slub.cache(caches.get(i));
            Map<String, Object> d = cacheLine(c);
            if (verbose) {
                detail(c, d);
                if (i + 1 < caches.size()) out.append(CACHE_HEADER);
            }
            flush();
            context.checkCancelled();
        }
    }

    private void one(long cacheAddr, boolean verbose) {
        Slub.Cache c = slub.cache(cacheAddr);
        out.append(CACHE_HEADER);
        Map<String, Object> d = cacheLine(c);
        if (verbose) detail(c, d);
    }

    /** `kmem -s list`: address and name of every cache. */
    private Result list(List<Long> caches) {
        for (long c : caches) {
            String name = slub.name(c);
            out.append(String.format("%x %s%n", c, name));
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("address", hex(c));
            d.put("name", name);
            data.add(d);
        }
        return Result.of(out.toString(), Map.of("caches", data));
    }

    /** An address: a kmem_cache itself, a slab's page descriptor, or memory inside a slab object. */
    private void address(List<Long> caches, long addr, boolean verbose) {
        if (caches.contains(addr)) {
            one(addr, verbose);
            return;
        }
        long page;
        boolean isDescriptor;
        try {
            isDescriptor = slub.isPageDescriptor(addr) && slub.isSlabPage(addr);
            page = isDescriptor ? addr : slub.pageOf(addr);
            if (!slub.isSlabPage(page) || !caches.contains(slub.cacheOf(page))) throw new IllegalStateException();
        } catch (RuntimeException e) {
            throw new CommandException(String.format("kmem: address is not allocated in slab subsystem: %x", addr));
        }
        Slub.Cache c = slub.cache(slub.cacheOf(page));
        out.append(CACHE_HEADER);
        Map<String, Object> d = cacheLine(c);
        List<Object> objects = new ArrayList<>();
        // a page descriptor shows the whole slab, as -S does; an address inside the slab only its object
        if (!verboseSlab(c, page, verbose || isDescriptor, addr, objects)) return;
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("slab", hex(page));
        s.put("objects", objects);
        d.put("slab", s);
    }

    private Map<String, Object> cacheLine(Slub.Cache c) {
        Slub.Summary s = slub.summary(c);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("address", hex(c.address()));
        d.put("name", c.name());
        d.put("objsize", c.objectSize());
        long ssizeK = c.slabBytes(slub.pageSize()) / 1024;
        if (s.problem() != null && s.total() == 0) {
            context.warn("kmem: " + c.name() + ": cannot gather relevant slab data: " + s.problem());
            out.append(String.format("%-16x %8d  %9s  %8s  %5s  %4dk  %s%n", c.address(), c.objectSize(), "?", "?", "?", ssizeK, c.name()));
            d.put("problem", s.problem());
        } else {
            if (s.problem() != null) context.warn("kmem: " + s.problem());
            out.append(String.format("%-16x %8d  %9d  %8d  %5d  %4dk  %s%n", c.address(), c.objectSize(), s.allocated(), s.total(),
                    s.slabs(), ssizeK, c.name()));
            d.put("allocated", s.allocated());
            d.put("total", s.total());
            d.put("slabs", s.slabs());
        }
        d.put("slab_size", c.slabBytes(slub.pageSize()));
        data.add(d);
        return d;
    }

    /** crash's do_kmem_cache_slub: each CPU's slab and partial slabs with their objects, then each node's lists. */
    private void detail(Slub.Cache c, Map<String, Object> d) {
        List<String> problems = new ArrayList<>();
        Map<Integer, Integer> perCpuOnNode = new LinkedHashMap<>();
        List<Object> cpus = new ArrayList<>();
        for (int cpu = 0; cpu < k.cpus(); cpu++) {
            if (cpuFilter != null && !cpuFilter.get(cpu)) continue;
            Slub.CpuSlab cs = slub.cpuSlab(c, cpu);
            out.append(String.format("CPU %d KMEM_CACHE_CPU:%n  %x%n", cpu, cs.kmemCacheCpu()));
            out.append(String.format("CPU %d SLAB:%n", cpu)).append(cs.slab() == 0 ? "  (empty)\n" : "");
            Map<String, Object> cd = new LinkedHashMap<>();
            cd.put("cpu", cpu);
            cd.put("kmem_cache_cpu", hex(cs.kmemCacheCpu()));
            if (cs.slab() != 0) {
                perCpuOnNode.merge(slub.nodeOf(cs.slab()), 1, Integer::sum);
                List<Object> objects = new ArrayList<>();
                cd.put("slab", Map.of("slab", hex(cs.slab()), "objects", objects));
                if (!verboseSlab(c, cs.slab(), true, 0, objects)) {
                    cpus.add(cd);
                    continue;
                }
            }
            out.append(String.format("CPU %d PARTIAL:%n", cpu)).append(cs.partial().isEmpty() ? "  (empty)\n" : "");
            List<Object> partial = new ArrayList<>();
            for (long p : cs.partial()) {
                List<Object> objects = new ArrayList<>();
                partial.add(Map.of("slab", hex(p), "objects", objects));
                if (!verboseSlab(c, p, true, 0, objects)) break;
            }
            cd.put("partial", partial);
            cpus.add(cd);
        }
        d.put("cpus", cpus);
        List<Object> nodes = new ArrayList<>();
        for (Slub.Node n : slub.nodes(c, problems)) {
            out.append(NODE_HEADER);
            int perCpu = perCpuOnNode.getOrDefault(n.node(), 0);
            out.append(String.format("%x  %4d  %5d  %7d  %7d%n", n.address(), n.node(), n.nrSlabs(), n.nrPartial(), perCpu));
            Map<String, Object> nd = new LinkedHashMap<>();
            nd.put("node", n.node());
            nd.put("kmem_cache_node", hex(n.address()));
            nd.put("slabs", n.nrSlabs());
            nd.put("partial_slabs", n.nrPartial());
            nd.put("per_cpu", perCpu);
            nd.put("partial", slabLines("NODE " + n.node() + " PARTIAL", n.partial()));
            if (!k.hasMember("kmem_cache_node", "full") || (c.flags() & SLAB_STORE_USER) == 0) {
                out.append(String.format("NODE %d FULL:%n  (not tracked)%n", n.node()));
            } else {
                List<Long> full = new ArrayList<>();
                String structName = k.hasMember("slab", "slab_list") ? "slab" : "page";
                String p = ListCommand.walk(k, n.address() + k.requireOffset("kmem_cache_node", "full"),
                        k.requireOffset(structName, "slab".equals(structName) ? "slab_list" : "lru"), true, false, 0, full);
                if (p != null) problems.add(c.name() + ": full list: " + p);
                nd.put("full", slabLines("NODE " + n.node() + " FULL", full));
            }
            nodes.add(nd);
        }
        d.put("nodes", nodes);
        problems.forEach(p -> context.warn("kmem: " + p));
        out.append('\n');
    }

    /** A list title and one counters line per slab (crash's non-verbose do_slab_slub). */
    private List<Object> slabLines(String title, List<Long> slabs) {
        out.append(title).append(":\n").append(slabs.isEmpty() ? "  (empty)\n" : "  " + SLAB_HEADER);
        List<Object> list = new ArrayList<>();
        for (long p : slabs) {
            Slub.Slab s;
            try {
                s = slub.slab(p);
            } catch (RuntimeException e) {
                context.warn(String.format("kmem: slab %x: %s", p, e.getMessage()));
                break;
            }
            slabLine(s, s.inuse());
            list.add(slabData(s, s.inuse()));
        }
        return list;
    }

    private void slabLine(Slub.Slab s, int inuse) {
        out.append(String.format("  %-16x  %-16x  %4d  %5d  %9d  %4d%n", s.descriptor(), s.memory(), s.node(), s.objects(), inuse,
                s.objects() - inuse));
    }

    private static Map<String, Object> slabData(Slub.Slab s, int inuse) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("slab", hex(s.descriptor()));
        m.put("memory", hex(s.memory()));
        m.put("node", s.node());
        m.put("total", s.objects());
        m.put("allocated", inuse);
        m.put("free", s.objects() - inuse);
        return m;
    }

    /**
     * crash's verbose do_slab_slub: the slab's counters (corrected by the owning CPU's lockless
     * freelist when it is a CPU slab) and its objects, free ones plain and allocated ones in
     * brackets. Without {@code allObjects}, just the object holding the address {@code only}.
     */
    private boolean verboseSlab(Slub.Cache c, long descriptor, boolean allObjects, long only, List<Object> objectsOut) {
        List<String> problems = new ArrayList<>();
        Slub.Slab s;
        try {
            s = slub.slab(descriptor);
        } catch (RuntimeException e) {
            context.warn(String.format("kmem: %s: invalid slab address: %x", c.name(), descriptor));
            return false;
        }
        out.append("  ").append(SLAB_HEADER);
        if (s.objects() == 0) return false;
        int inuse = s.inuse();
        int owner = -1;
        Set<Long> free = new HashSet<>(slub.freelist(c, s.freelist(), descriptor, problems));
        for (int cpu = 0; cpu < k.cpus(); cpu++) {
            if (cpuFilter != null && !cpuFilter.get(cpu)) continue;
            Slub.CpuSlab cs = slub.cpuSlab(c, cpu);
            if (cs.slab() != descriptor) continue;
            owner = cpu;
            List<Long> cpuFree = slub.freelist(c, cs.freelist(), descriptor, problems);
            int freeCount = cpuFree.size() + (s.freelist() != 0 ? s.objects() - s.inuse() : 0);
            inuse = s.objects() - freeCount;
            free.addAll(cpuFree);
            break;
        }
        slabLine(s, inuse);
        out.append("  FREE / [ALLOCATED]\n");
        long redLeft = k.hasMember("kmem_cache", "red_left_pad") && (c.flags() & SLAB_RED_ZONE) != 0
                ? k.readMember(c.address(), "kmem_cache", "red_left_pad") : 0;
        for (long i = 0; i < s.objects(); i++) {
            long p = s.memory() + i * c.size();
            if (!allObjects && (Long.compareUnsigned(only, p) < 0 || Long.compareUnsigned(only, p + c.size()) >= 0)) continue;
            boolean isFree = free.contains(p + redLeft);
            out.append("  ").append(isFree ? " " : "[").append(Long.toHexString(p + redLeft)).append(isFree ? "  " : "]");
            if (isFree && owner >= 0) out.append("(cpu ").append(owner).append(" cache)");
            out.append('\n');
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("address", hex(p + redLeft));
            o.put("free", isFree);
            if (isFree && owner >= 0) o.put("cpu_cache", owner);
            objectsOut.add(o);
        }
        problems.forEach(p -> context.warn("kmem: " + p));
        return true;
    }

    /** Addresses in the JSON form every command uses (docs/json.md). */
    private static String hex(long v) {
        return Hex.json(v);
    }
}
