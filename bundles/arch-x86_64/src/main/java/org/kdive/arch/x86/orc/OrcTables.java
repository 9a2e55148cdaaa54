package org.kdive.arch.x86.orc;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;
import org.kdive.api.session.Memory;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.DebugInfo;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.Type;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every ORC table of a session: vmlinux's (from its .orc_unwind sections, else from the dump's
 * memory between __start_orc_unwind_ip and __stop_orc_unwind_ip) and each loaded module's (from
 * struct module's arch.orc_unwind_ip / orc_unwind / num_orcs in the dump, so no module debuginfo
 * is needed). Built on first use.
 */
public final class OrcTables {
    private static final Logger LOG = LoggerFactory.getLogger(OrcTables.class);
    /** Sanity bounds against garbage in the dump. */
    private static final int MAX_MODULES = 4096;
    private static final long MAX_ORCS = 4_000_000;

    private final Session session;
    private final OrcTable kernel;
    private final String kernelSource;
    /** 6.4+ entry layout, recognised by the .orc_header section / __start_orc_header symbol. */
    private final boolean withHeader;
    private volatile List<ModuleRange> modules;
    private final Map<Long, Optional<OrcTable>> moduleTables = new ConcurrentHashMap<>();

    record ModuleRange(long module, String name, long base, long size) {
        boolean contains(long ip) {
            return Long.compareUnsigned(ip - base, size) < 0;
        }
    }

    public OrcTables(Session session) {
        this.session = session;
        boolean header = symbol("__start_orc_header").isPresent();
        try {
            header |= session.vmlinux().map(d -> d.section(".orc_header").isPresent()).orElse(false);
        } catch (RuntimeException e) {
            // keep what the symbols say
        }
        this.withHeader = header;
        OrcTable t = null;
        String src = "none";
        try {
            t = fromVmlinux();
            if (t != null) src = "vmlinux sections";
        } catch (RuntimeException e) {
            LOG.debug("vmlinux ORC sections unusable: {}", e.toString());
        }
        if (t == null) {
            try {
                t = fromMemory();
                if (t != null) src = "dump memory";
            } catch (RuntimeException e) {
                LOG.debug("ORC tables in the dump unreadable: {}", e.toString());
            }
        }
        kernel = t;
        kernelSource = src;
    }

    /** Where the kernel's table came from: "vmlinux sections", "dump memory" or "none". */
    public String kernelSource() { return kernelSource; }

    public boolean hasKernelTable() { return kernel != null; }

    /** The kernel's table, or null. */
    public OrcTable kernelTable() { return kernel; }

    /** The kernel's table read from the dump's memory (diagnostics and cross-checks), or null. */
    public OrcTable kernelTableFromMemory() { return fromMemory(); }

    /** The ORC entry for {@code ip}, or null when no table describes it. */
    public OrcEntry find(long ip) {
        if (kernel != null && kernel.covers(ip)) return kernel.find(ip);
        OrcTable m = moduleTable(ip);
        return m == null ? null : m.find(ip);
    }

    /** Whether {@code ip} is in code some table describes (kernel or module text). */
    public boolean isCode(long ip) {
        OrcEntry e = find(ip);
        return e != null && !e.isUndefined();
    }

    private OrcTable fromVmlinux() {
        Optional<DebugInfo> vmlinux = session.vmlinux();
        if (vmlinux.isEmpty()) return null;
        DebugInfo d = vmlinux.get();
        Optional<ByteBuffer> ips = d.section(".orc_unwind_ip");
        Optional<ByteBuffer> orcs = d.section(".orc_unwind");
        OptionalLong ipAddr = d.sectionAddress(".orc_unwind_ip");
        if (ips.isEmpty() || orcs.isEmpty() || ipAddr.isEmpty()) return null;
        return OrcTable.fromSections("vmlinux", ips.get(), ipAddr.getAsLong(), orcs.get(),
                textLow(), textHigh(), withHeader);
    }

    private OrcTable fromMemory() {
        return new KernelOrcInMemory(session).read(textLow(), textHigh(), withHeader);
    }

    private long textLow() {
        return symbol("_stext").orElse(symbol("_text").orElse(0xffffffff80000000L));
    }

    private long textHigh() {
        long high = 0xffffffffc0000000L;
        OptionalLong einit = symbol("_einittext");
        OptionalLong etext = symbol("_etext");
        if (einit.isPresent() && etext.isPresent()) {
            high = Long.compareUnsigned(einit.getAsLong(), etext.getAsLong()) > 0 ? einit.getAsLong() : etext.getAsLong();
        }
        return high;
    }

    private OptionalLong symbol(String name) {
        try {
            Optional<Symbol> s = session.symbols().first(name);
            return s.isPresent() ? OptionalLong.of(s.get().address()) : OptionalLong.empty();
        } catch (RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    // ---- modules ----

    private OrcTable moduleTable(long ip) {
        for (ModuleRange m : modules()) {
            if (m.contains(ip)) {
                return moduleTables.computeIfAbsent(m.module(), k -> Optional.ofNullable(readModuleTable(m)))
                        .orElse(null);
            }
        }
        return null;
    }

    /** Loaded modules with their core text/data range, from the kernel's "modules" list. */
    List<ModuleRange> modules() {
        List<ModuleRange> l = modules;
        if (l == null) {
            try {
                l = readModules();
            } catch (RuntimeException e) {
                LOG.debug("module list unreadable: {}", e.toString());
                l = List.of();
            }
            modules = l;
        }
        return l;
    }

    private List<ModuleRange> readModules() {
        OptionalLong head = symbol("modules");
        Optional<Type> module = session.symbols().type("struct module");
        if (head.isEmpty() || module.isEmpty()) return List.of();
        Type t = module.get().resolve();
        long list = offset(t, "list");
        long name = offset(t, "name");
        long base = offset(t, "core_layout.base");
        long size = offset(t, "core_layout.text_size");
        if (size < 0) size = offset(t, "core_layout.size");
        if (base < 0) {
            // 6.4+: mem[MOD_TEXT].base/size
            base = offset(t, "mem");
            size = base < 0 ? -1 : base + offset(memberType(t, "mem"), "size");
            base = base < 0 ? -1 : base + offset(memberType(t, "mem"), "base");
        }
        if (list < 0 || base < 0 || size < 0) return List.of();
        Memory mem = session.memory();
        List<ModuleRange> out = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        long h = head.getAsLong();
        long p = mem.pointer(h);
        while (p != h && p != 0 && seen.add(p) && out.size() < MAX_MODULES) {
            long m = p - list;
            try {
                String n = name >= 0 ? mem.cString(m + name, 56) : "?";
                long b = mem.pointer(m + base);
                long s = mem.u32(m + size);
                out.add(new ModuleRange(m, n, b, s));
                p = mem.pointer(p);
            } catch (RuntimeException e) {
                break;
            }
        }
        return List.copyOf(out);
    }

    private OrcTable readModuleTable(ModuleRange m) {
        try {
            Type t = session.symbols().type("struct module").orElseThrow().resolve();
            long num = offset(t, "arch.num_orcs");
            long ipOff = offset(t, "arch.orc_unwind_ip");
            long orcOff = offset(t, "arch.orc_unwind");
            if (num < 0 || ipOff < 0 || orcOff < 0) return null;
            Memory mem = session.memory();
            long n = mem.u32(m.module() + num);
            if (n <= 0 || n > MAX_ORCS) return null;
            long ips = mem.pointer(m.module() + ipOff);
            long orcs = mem.pointer(m.module() + orcOff);
            byte[] ipBytes = mem.read(ips, (int) (n * 4));
            byte[] orcBytes = mem.read(orcs, (int) (n * OrcEntry.SIZE));
            return OrcTable.fromSections(m.name(), ipBytes, ips, orcBytes, m.base(), m.base() + m.size(), withHeader);
        } catch (RuntimeException e) {
            LOG.debug("ORC of module {} unreadable: {}", m.name(), e.toString());
            return null;
        }
    }

    private static Type memberType(Type t, String name) {
        return t.member(name).map(Member::type).map(Type::resolve).map(x -> x.kind() == Type.Kind.ARRAY ? x.target().resolve() : x)
                .orElse(null);
    }

    /** Offset of a dotted member path ("core_layout.base") in {@code t}, or -1 (also when t is null). */
    public static long offset(Type t, String path) {
        if (t == null) return -1;
        Type cur = t;
        long off = 0;
        for (String part : path.split("\\.")) {
            Optional<Member> m = cur.member(part);
            if (m.isEmpty()) return -1;
            off += m.get().offset();
            cur = m.get().type().resolve();
        }
        return off;
    }
}
