package org.kdive.symbols.dwarf;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import org.kdive.api.KdiveException;
import org.kdive.api.symbols.DebugInfo;
import org.kdive.api.symbols.LoadSpec;
import org.kdive.api.symbols.SourceLine;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.SymbolTable;
import org.kdive.api.symbols.Type;
import org.kdive.api.symbols.Variable;
import org.kdive.symbols.dwarf.dwarf.DW;
import org.kdive.symbols.dwarf.dwarf.Die;
import org.kdive.symbols.dwarf.dwarf.DwarfFile;
import org.kdive.symbols.dwarf.dwarf.DwarfSections;
import org.kdive.symbols.dwarf.dwarf.Reader;
import org.kdive.symbols.dwarf.dwarf.Unit;
import org.kdive.symbols.dwarf.elf.ElfFile;
import org.kdive.symbols.dwarf.elf.ElfSection;
import org.kdive.symbols.dwarf.elf.ElfSymbols;
import org.kdive.symbols.dwarf.elf.Relocator;
import org.kdive.symbols.dwarf.index.BackgroundSave;
import org.kdive.symbols.dwarf.index.Category;
import org.kdive.symbols.dwarf.index.NameIndex;
import org.kdive.symbols.dwarf.line.LineTable;
import org.kdive.symbols.dwarf.types.DwarfType;
import org.kdive.symbols.dwarf.types.TypeFactory;

/**
 * ELF + DWARF debuginfo of vmlinux or one module. Opening reads only the ELF section headers; the
 * symbol table, DWARF sections, name index and line tables are each read on first use.
 */
public final class DwarfDebugInfo implements DebugInfo {
    /** Debug info smaller than this is indexed in memory every time rather than cached on disk. */
    private static final long CACHE_THRESHOLD = 8L << 20;
    private static final Map<String, String> BASE_ALIASES = Map.ofEntries(
            Map.entry("unsigned", "unsigned int"), Map.entry("signed", "int"), Map.entry("signed int", "int"),
            Map.entry("unsigned long", "long unsigned int"), Map.entry("long unsigned", "long unsigned int"),
            Map.entry("unsigned long int", "long unsigned int"), Map.entry("long", "long int"),
            Map.entry("signed long", "long int"), Map.entry("unsigned long long", "long long unsigned int"),
            Map.entry("long long", "long long int"), Map.entry("unsigned short", "short unsigned int"),
            Map.entry("short", "short int"), Map.entry("unsigned short int", "short unsigned int"),
            Map.entry("unsigned long long int", "long long unsigned int"), Map.entry("bool", "_Bool"));

    private final ElfFile elf;
    private final LoadSpec spec;
    private final long bias;
    private final long percpuStart, percpuEnd; // link-time per-CPU range: not moved by KASLR
    private volatile ElfSymbols symbols;
    private final BackgroundSave symbolsSaver = new BackgroundSave();
    private volatile DwarfFile dwarf;
    private volatile TypeFactory types;
    private volatile NameIndex index;
    private volatile Aranges aranges;
    private final Map<Long, LineTable> lineTables = new ConcurrentHashMap<>();
    private volatile Optional<String> buildId;

    public DwarfDebugInfo(ElfFile elf, LoadSpec spec) {
        this.elf = elf;
        this.spec = spec == null ? LoadSpec.vmlinux(0) : spec;
        this.bias = elf.isRelocatable() ? 0 : this.spec.bias();
        long ps = 0, pe = 0;
        Optional<ElfSection> pc = elf.section(".data..percpu");
        if (pc.isPresent() && pc.get().addr() == 0 && !elf.isRelocatable()) {
            ps = 0;
            pe = pc.get().size();
        }
        percpuStart = ps;
        percpuEnd = pe;
    }

    public ElfFile elf() { return elf; }

    @Override
    public Path file() { return elf.path(); }

    @Override
    public String module() { return spec.module(); }

    @Override
    public Optional<String> buildId() {
        Optional<String> b = buildId;
        if (b == null) {
            b = elf.buildId();
            buildId = b;
        }
        return b;
    }

    /** The .gnu_debuglink of this file (stripped modules name their debug file there). */
    public Optional<ElfFile.DebugLink> debugLink() { return elf.debugLink(); }

    // ---- addresses ----

    /** A link-time address of this file at run time (KASLR bias; per-CPU offsets stay). */
    public long runtime(long link) {
        if (bias == 0) return link;
        if (Long.compareUnsigned(link - percpuStart, percpuEnd - percpuStart) < 0) return link;
        return link + bias;
    }

    private long link(long runtime) {
        return runtime - bias;
    }

    // ---- symbols ----

    @Override
    public SymbolTable symbols() {
        ElfSymbols s = symbols;
        if (s == null) {
            synchronized (this) {
                if (symbols == null) {
                    // a vmlinux's table outlives the session in a server's JVM; a module's sections move per load
                    symbols = spec.module() == null && !elf.isRelocatable()
                            ? VmlinuxSymbolsCache.get(this, bias)
                            : ElfSymbols.read(elf, spec.module(), addressing());
                }
                s = symbols;
            }
        }
        return s;
    }

    /** Writes the symbols' cache file on a background thread ({@link #close} waits for it). */
    void saveSymbols(Runnable saver) {
        symbolsSaver.start(saver, "kdive-symbols-save");
    }

    /** Waits (bounded) for the symbols' cache file to be written, when one is being written. */
    public void awaitSymbolsSaved(long millis) {
        symbolsSaver.await(millis);
    }

    ElfSymbols.SectionAddressing addressing() {
        if (elf.isRelocatable()) {
            Map<String, Long> m = spec.sectionAddresses();
            return new ElfSymbols.SectionAddressing() {
                @Override
                public long symbolAddress(ElfSection s, long value) {
                    long base = sectionAddress(s);
                    return base == Long.MIN_VALUE ? base : base + value;
                }

                @Override
                public long sectionAddress(ElfSection s) {
                    if (m.isEmpty()) return s.isAlloc() ? 0 : Long.MIN_VALUE;
                    Long a = m.get(s.name());
                    return a == null ? Long.MIN_VALUE : a;
                }
            };
        }
        return new ElfSymbols.SectionAddressing() {
            @Override
            public long symbolAddress(ElfSection s, long value) {
                if (!s.isAlloc()) return value;
                // per-CPU symbols are offsets into a section linked at 0 and stay unshifted; a label
                // beyond its end (__per_cpu_load, the section's load address) is a kernel address
                if (s.addr() == 0) return Long.compareUnsigned(value, s.size()) > 0 ? value + bias : value;
                return value + bias;
            }

            @Override
            public long sectionAddress(ElfSection s) {
                return s.isAlloc() && s.addr() != 0 ? s.addr() + bias : Long.MIN_VALUE;
            }

            @Override
            public boolean moves(ElfSection s, long value) {
                if (!s.isAlloc()) return false;
                return s.addr() != 0 || Long.compareUnsigned(value, s.size()) > 0;
            }
        };
    }

    // ---- sections ----

    @Override
    public Optional<ByteBuffer> section(String name) {
        return elf.section(name).filter(s -> !s.isNoBits()).map(elf::data);
    }

    @Override
    public OptionalLong sectionAddress(String name) {
        if (elf.isRelocatable()) {
            Long a = spec.sectionAddresses().get(name);
            return a == null ? OptionalLong.empty() : OptionalLong.of(a);
        }
        Optional<ElfSection> s = elf.section(name);
        if (s.isEmpty() || !s.get().isAlloc()) return OptionalLong.empty();
        return OptionalLong.of(runtime(s.get().addr()));
    }

    // ---- DWARF ----

    public DwarfFile dwarf() {
        DwarfFile d = dwarf;
        if (d == null) {
            synchronized (this) {
                if (dwarf == null) {
                    ByteBuffer[] bufs = new ByteBuffer[DwarfSections.NAMES.length];
                    for (int i = 0; i < bufs.length; i++) {
                        Optional<ElfSection> s = elf.section(DwarfSections.NAMES[i]);
                        if (s.isEmpty()) s = elf.section(".zdebug" + DwarfSections.NAMES[i].substring(7));
                        if (s.isEmpty() || s.get().isNoBits()) continue;
                        bufs[i] = elf.isRelocatable()
                                ? Relocator.relocated(elf, s.get(), spec.sectionAddresses())
                                : elf.data(s.get());
                        if (bufs[i].order() != java.nio.ByteOrder.LITTLE_ENDIAN) {
                            if (elf.order() != java.nio.ByteOrder.LITTLE_ENDIAN) {
                                throw elf.fail(0, "little-endian DWARF", "big-endian");
                            }
                            bufs[i] = bufs[i].duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
                        }
                    }
                    dwarf = new DwarfFile(elf.path(), DwarfSections.of(bufs));
                }
                d = dwarf;
            }
        }
        return d;
    }

    public TypeFactory types() {
        TypeFactory t = types;
        if (t == null) {
            synchronized (this) {
                if (types == null) types = new TypeFactory(dwarf(), this::definition);
                t = types;
            }
        }
        return t;
    }

    /** The name index: from the on-disk cache when there is one for this build-id, else built now. */
    public NameIndex index() {
        NameIndex i = index;
        if (i == null) {
            synchronized (this) {
                if (index == null) {
                    DwarfFile d = dwarf();
                    if (d.sections.info.limit() < CACHE_THRESHOLD || buildId().isEmpty()) {
                        index = NameIndex.build(d);
                    } else {
                        index = NameIndex.loadOrBuild(d, buildId().get());
                    }
                }
                i = index;
            }
        }
        return i;
    }

    /** The indexed definition of a struct, union or enum name (the index prefers complete ones); null when none. */
    private DwarfType definition(Type.Kind kind, String name) {
        Category c = kind == Type.Kind.STRUCT ? Category.STRUCT : kind == Type.Kind.UNION ? Category.UNION
                : kind == Type.Kind.ENUM ? Category.ENUM : null;
        if (c == null) return null;
        Die d = lookup(c, name);
        return d == null ? null : types().type(d);
    }

    @Override
    public Optional<Type> enumeratorType(String name) {
        long ref = index().lookup(Category.ENUMERATOR, name);
        if (ref < 0) return Optional.empty();
        Die d = dwarf().die(ref);
        if (d == null || d.tag() != DW.TAG_enumeration_type) return Optional.empty();
        Type t = types().type(d);
        // the index keys hashes: confirm the constant is this type's
        return t.enumeratorValue(name).isPresent() ? Optional.of(t) : Optional.empty();
    }

    private Die lookup(Category c, String name) {
        long ref = index().lookup(c, name);
        if (ref < 0) return null;
        Die d = dwarf().die(ref);
        if (d == null) return null;
        // the index keys hashes: confirm the name (through specification / abstract origin)
        return name.equals(nameOf(d)) ? d : null;
    }

    private String nameOf(Die d) {
        for (int hop = 0; hop < 4 && d != null; hop++) {
            String n = d.name();
            if (n != null) return n;
            long next = d.has(DW.AT_specification) ? d.reference(DW.AT_specification) : d.reference(DW.AT_abstract_origin);
            if (next < 0) return null;
            d = dwarf().die(next);
        }
        return null;
    }

    /** The DIE a definition points back to (specification/abstract origin), or the DIE itself. */
    private Die origin(Die d) {
        for (int hop = 0; hop < 4; hop++) {
            long next = d.has(DW.AT_specification) ? d.reference(DW.AT_specification)
                    : d.has(DW.AT_abstract_origin) ? d.reference(DW.AT_abstract_origin) : -1;
            if (next < 0) return d;
            Die n = dwarf().die(next);
            if (n == null) return d;
            d = n;
        }
        return d;
    }

    @Override
    public Optional<Type> type(String cName) {
        String n = cName.trim().replaceAll("\\s+", " ");
        Category[] order;
        if (n.startsWith("struct ")) {
            n = n.substring(7).trim();
            order = new Category[] {Category.STRUCT};
        } else if (n.startsWith("union ")) {
            n = n.substring(6).trim();
            order = new Category[] {Category.UNION};
        } else if (n.startsWith("enum ")) {
            n = n.substring(5).trim();
            order = new Category[] {Category.ENUM};
        } else {
            order = new Category[] {Category.TYPEDEF, Category.BASE, Category.STRUCT, Category.UNION, Category.ENUM};
        }
        for (Category c : order) {
            Die d = lookup(c, n);
            if (d == null && c == Category.BASE) {
                String alias = BASE_ALIASES.get(n);
                if (alias != null) d = lookup(c, alias);
            }
            if (d != null) return Optional.of(types().type(d));
        }
        return Optional.empty();
    }

    @Override
    public Optional<Variable> variable(String name) {
        Die d = lookup(Category.VARIABLE, name);
        if (d == null) return Optional.empty();
        Die typed = d.has(DW.AT_type) ? d : origin(d);
        Type t = types().typeOf(typed);
        OptionalLong addr = locationAddress(d);
        if (addr.isEmpty()) {
            // a declaration only (e.g. jiffies, defined by the linker script): the symbol gives the address
            OptionalLong s;
            if (symbols != null) {
                Optional<Symbol> sym = symbols.byName(name).stream().filter(x -> !x.isText()).findFirst();
                s = sym.isPresent() ? OptionalLong.of(sym.get().address()) : OptionalLong.empty();
            } else {
                s = ElfSymbols.findAddress(elf, name, addressing()); // cheaper than building the table
            }
            if (s.isEmpty()) return Optional.empty();
            return Optional.of(new Variable(name, s.getAsLong(), t, spec.module()));
        }
        return Optional.of(new Variable(name, addr.getAsLong(), t, spec.module()));
    }

    /** The static address of a DW_OP_addr / DW_OP_addrx location, at run time. */
    private OptionalLong locationAddress(Die d) {
        ByteBuffer b = d.block(DW.AT_location);
        if (b == null || !b.hasRemaining()) return OptionalLong.empty();
        Reader r = new Reader(b, 0);
        int op = r.u8();
        long a;
        if (op == DW.OP_addr) {
            a = d.unit.addrSize == 8 ? r.u64() : r.u32();
        } else if (op == DW.OP_addrx || op == DW.OP_GNU_addr_index) {
            a = dwarf().addrIndex(d.unit, r.uleb());
        } else {
            return OptionalLong.empty();
        }
        return OptionalLong.of(runtime(a));
    }

    @Override
    public Optional<Type> function(String name) {
        Die d = lookup(Category.FUNCTION, name);
        if (d == null) return Optional.empty();
        return Optional.of(types().type(origin(d)));
    }

    /** The DIE of a function's definition (its concrete instance when there is one). */
    public Optional<Die> functionDie(String name) {
        return Optional.ofNullable(lookup(Category.FUNCTION, name));
    }

    // ---- lines ----

    private Aranges aranges() {
        Aranges a = aranges;
        if (a == null) {
            a = Aranges.parse(dwarf().sections.aranges);
            aranges = a;
        }
        return a;
    }

    private LineTable lineTable(Unit u) {
        long off = u.stmtList();
        if (off < 0) return null;
        return lineTables.computeIfAbsent(off, o -> LineTable.parse(elf.path(), dwarf().sections.line,
                dwarf().sections.str, dwarf().sections.lineStr, o, u.compDir(), u.name(), u.addrSize));
    }

    private Unit unitFor(long linkAddress) {
        long cu = aranges().unitOf(linkAddress);
        if (cu >= 0) return dwarf().unitAt(false, cu);
        return null;
    }

    @Override
    public Optional<SourceLine> line(long address) {
        long a = link(address);
        Unit u = unitFor(a);
        if (u == null) return Optional.empty();
        LineTable t = lineTable(u);
        if (t == null) return Optional.empty();
        int i = t.find(a);
        if (i < 0) return Optional.empty();
        return Optional.of(new SourceLine(address, t.file(i), t.line(i)));
    }

    @Override
    public List<SourceLine> lines(long start, long end) {
        long s = link(start), e = link(end);
        List<SourceLine> out = new ArrayList<>();
        for (long cu : aranges().unitsIn(s, e)) {
            Unit u = dwarf().unitAt(false, cu);
            LineTable t = u == null ? null : lineTable(u);
            if (t == null) continue;
            for (int i = t.lowerBound(s); i < t.rows() && Long.compareUnsigned(t.address(i), e) < 0; i++) {
                if (i + 1 < t.rows() && t.address(i + 1) == t.address(i)) continue; // one row per address
                if (t.endSequence(i)) continue;
                int p = t.preferred(i);
                out.add(new SourceLine(t.address(p) + bias, t.file(p), t.line(p)));
            }
        }
        out.sort((x, y) -> Long.compareUnsigned(x.address(), y.address()));
        return out;
    }

    @Override
    public void close() {
        // a freshly built index is being written to the cache: let it finish, or the next run builds again
        NameIndex i = index;
        if (i != null) i.awaitSaved(10_000);
        awaitSymbolsSaved(10_000);
        elf.close();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s%s", elf.path(), spec.module() == null ? "" : " [" + spec.module() + "]");
    }

    static boolean exists(Path p) { return Files.exists(p); }

    /** Wraps unexpected runtime failures of a lookup as a user-facing error. */
    static KdiveException wrap(String what, RuntimeException e) {
        return e instanceof KdiveException k ? k : new KdiveException(what + ": " + e, e);
    }
}
