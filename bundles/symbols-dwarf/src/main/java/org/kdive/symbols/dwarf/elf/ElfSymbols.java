package org.kdive.symbols.dwarf.elf;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.SymbolTable;

/**
 * The .symtab of one object at run-time addresses, with nm's type letters. Built once, on first use.
 * Symbols nm hides (section and file symbols, unnamed ones) are left out, and so are ARM mapping
 * symbols ($x, $d: they name no object, gdb and crash skip them). A module object is read as crash
 * loads one (load_module_symbols): names beginning with '.' (the assembler's .LC labels) are left
 * to the kernel's kallsyms, which crash shows them from; a section symbol whose section holds other
 * symbols is listed under the section's name when that has no leading '.' (__param); and
 * {@link #all()} lists symbols by address, then name. A linked kernel's {@link #all()} lists its
 * .symtab in crash's kernel-table order ({@link CrashListing}): section symbols and repeated entries
 * included; which of them crash keeps is the architecture's rule (KernelArch.kernelSymbolTable).
 * Absolute symbols inside a linked image move with it ({@link ImageSpan}). A linked kernel's table
 * read cleanly can be cached on disk and answered from the mapped file ({@link SymbolsCacheFile}),
 * its Symbols made as they are asked for.
 */
public final class ElfSymbols implements SymbolTable {
    private static final int STB_LOCAL = 0, STB_GLOBAL = 1, STB_WEAK = 2, STB_GNU_UNIQUE = 10;
    private static final int STT_OBJECT = 1, STT_SECTION = 3, STT_FILE = 4, STT_GNU_IFUNC = 10;
    private static final int SHN_UNDEF = 0, SHN_ABS = 0xfff1, SHN_COMMON = 0xfff2;

    private final int count;
    private final Symbol[] symbols;        // in symtab order (a module's section symbols last); from a cache file: made on first use
    private final SymbolsImage image;      // the tables of a cache file, or null when read from the ELF file
    private volatile Symbol[] listed;      // what all() lists, in its order
    private volatile CrashListing crashListing; // a linked kernel's: all() made on first use, then dropped
    private volatile AddressOrder byAddress; // made on first address lookup: name lookups don't need it
    private final int[] nameSlots;          // open-addressing table by name hash: symbol index + 1, 0 = free (null: the image's)
    private final long[][] ranges;          // run-time ranges of alloc sections: "near" means inside one
    private final Symbol[] sectionSymbols;  // STT_SECTION entries of loaded sections, named after them, in symtab order
    private volatile Cacheable cacheable;   // a linked kernel's, read cleanly: what a cache file of it needs

    /** A table answered from a cache file's tables (see {@link SymbolsImage}). */
    ElfSymbols(SymbolsImage image, long[][] ranges, Symbol[] sectionSymbols) {
        this.count = image.count();
        this.symbols = new Symbol[count];
        this.image = image;
        this.ranges = ranges;
        this.sectionSymbols = sectionSymbols;
        this.nameSlots = null;
    }

    private ElfSymbols(Symbol[] symbols, long[][] ranges, Symbol[] sectionSymbols, boolean module, CrashListing crashListing) {
        this.count = symbols.length;
        this.image = null;
        this.symbols = symbols;
        this.crashListing = crashListing;
        this.listed = module ? byAddressThenName(symbols) : crashListing != null ? null : symbols;
        this.ranges = ranges;
        this.sectionSymbols = sectionSymbols;
        // A vmlinux has 150k+ symbols: a table of ints spares a HashMap node and a boxed index each,
        // a fifth of reading the table at every start (bench/). Probing keeps symtab order among
        // symbols of one name, as byName lists them.
        this.nameSlots = new int[Math.max(16, Integer.highestOneBit(Math.max(1, symbols.length)) << 2)];
        int mask = nameSlots.length - 1;
        for (int i = 0; i < symbols.length; i++) {
            int slot = spread(symbols[i].name().hashCode()) & mask;
            while (nameSlots[slot] != 0) slot = (slot + 1) & mask;
            nameSlots[slot] = i + 1;
        }
    }

    private static int spread(int h) {
        return h ^ (h >>> 16);
    }

    /**
     * crash's order of a module object's symbols: it sorts them by value, then name, before
     * installing them, and keeps that order among symbols at one address.
     */
    private static Symbol[] byAddressThenName(Symbol[] symbols) {
        Symbol[] out = symbols.clone();
        Arrays.sort(out, java.util.Comparator.comparing((Symbol x) -> x.address(), Long::compareUnsigned).thenComparing(Symbol::name));
        return out;
    }

    /** Defined, non-absolute symbols in address order: each one's symbol index and run-time address. */
    interface AddressOrder {
        int length();

        int index(int j);

        long address(int j);

        default int[] indices() {
            int[] out = new int[length()];
            for (int j = 0; j < out.length; j++) out[j] = index(j);
            return out;
        }
    }

    /** The order as a table read from the ELF file makes it. */
    private record ArrayOrder(int[] indices, long[] addresses) implements AddressOrder {
        @Override
        public int length() { return indices.length; }

        @Override
        public int index(int j) { return indices[j]; }

        @Override
        public long address(int j) { return addresses[j]; }
    }

    private AddressOrder addressOrder() {
        AddressOrder o = byAddress;
        if (o == null && image != null) o = byAddress = image.addressOrder();
        if (o == null) {
            Symbol[] symbols = every();
            int[] defined = new int[symbols.length];
            int n = 0;
            for (int i = 0; i < symbols.length; i++) {
                switch (symbols[i].type()) {
                    case 'U', 'u', 'w', 'v', 'A', 'a' -> { }
                    default -> defined[n++] = i;
                }
            }
            int[] idx = sortByAddress(symbols, Arrays.copyOf(defined, n));
            long[] addresses = new long[idx.length];
            for (int i = 0; i < idx.length; i++) addresses[i] = symbols[idx[i]].address();
            o = byAddress = new ArrayOrder(idx, addresses);
        }
        return o;
    }

    /**
     * Indices ordered by address, the preferred symbol first among equal addresses, symtab order
     * last. A vmlinux has 100k+ symbols, and a boxed comparator sort of them costs ~0.3 s before the
     * JIT warms up: instead each symbol becomes one long (address rank, preference, index) and a
     * primitive sort orders them. Ranks, not addresses, because per-CPU symbols near 0 and kernel
     * text near 2^64 leave no spare bits in an address.
     */
    private static int[] sortByAddress(Symbol[] symbols, int[] idx) {
        long[] addresses = new long[idx.length];
        for (int k = 0; k < idx.length; k++) addresses[k] = symbols[idx[k]].address();
        long[] ranks = unsignedRanks(addresses);
        int idxBits = 32 - Integer.numberOfLeadingZeros(Math.max(symbols.length, 1));
        long[] keys = new long[idx.length];
        for (int k = 0; k < idx.length; k++) {
            int i = idx[k];
            keys[k] = (ranks[k] << (3 + idxBits)) | ((long) (7 - preference(symbols[i])) << idxBits) | i;
        }
        return sortedIndices(keys, idxBits);
    }

    /** Each value's rank among the distinct values in unsigned order, 0 for the lowest. */
    static long[] unsignedRanks(long[] values) {
        long[] flipped = new long[values.length]; // unsigned order as signed order
        for (int k = 0; k < values.length; k++) flipped[k] = values[k] ^ Long.MIN_VALUE;
        long[] sorted = flipped.clone();
        Arrays.sort(sorted);
        int distinct = 0;
        for (int k = 0; k < sorted.length; k++) {
            if (k == 0 || sorted[k] != sorted[distinct - 1]) sorted[distinct++] = sorted[k];
        }
        long[] ranks = new long[values.length];
        for (int k = 0; k < values.length; k++) ranks[k] = Arrays.binarySearch(sorted, 0, distinct, flipped[k]);
        return ranks;
    }

    /** Sorts keys that end in an index of {@code idxBits} bits and returns those indices in key order. */
    static int[] sortedIndices(long[] keys, int idxBits) {
        Arrays.sort(keys);
        int[] out = new int[keys.length];
        long mask = (1L << idxBits) - 1;
        for (int k = 0; k < keys.length; k++) out[k] = (int) (keys[k] & mask);
        return out;
    }

    /**
     * Among symbols at one address: sized before unsized; then, in vmlinux, global before local. In a
     * module, symtab order after size: the kernel's own lookup of a module address takes the first
     * symbol of the module's kallsyms there (its symtab order, locals first), so a local function
     * or table is named rather than its global alias (module_init()'s init_module, module_exit()'s
     * cleanup_module, MODULE_DEVICE_TABLE's __mod_*_device_table): the console's name
     * ("panicker_init+0xa3/0x1000 [panicker]"), and the one kdive shows from the module's kallsyms
     * before its debuginfo is loaded, so bt, rd -s and sym agree before and after mod -s.
     */
    private static int preference(Symbol s) {
        int p = 0;
        if (s.size() > 0) p += 4;
        char t = s.type();
        if (s.module() == null && t >= 'A' && t <= 'Z') p += 2;
        return p;
    }


    /**
     * Reads .symtab (or .dynsym when there is none).
     *
     * @param relocate run-time address of a symbol, given its section index and value
     */
    public static ElfSymbols read(ElfFile elf, String module, SectionAddressing relocate) {
        Optional<ElfSection> tab = elf.section(".symtab");
        if (tab.isEmpty()) tab = elf.section(".dynsym");
        List<long[]> ranges = new ArrayList<>();
        List<ElfSection> rangeSections = new ArrayList<>();
        for (ElfSection s : elf.sections()) {
            if (s.isAlloc() && s.size() > 0) {
                long a = relocate.sectionAddress(s);
                if (a != Long.MIN_VALUE) {
                    ranges.add(new long[] {a, s.size()});
                    rangeSections.add(s);
                }
            }
        }
        if (tab.isEmpty() || tab.get().isNoBits()) return new ElfSymbols(new Symbol[0], ranges.toArray(long[][]::new), new Symbol[0], false, null);
        ElfSection st = tab.get();
        byte[] strs = stringTable(elf, st);
        ByteBuffer b = elf.data(st);
        int n = b.limit() / 24;
        List<Symbol> out = new ArrayList<>(n);
        List<Symbol> sections = new ArrayList<>();
        char[] sectionLetters = new char[elf.sections().size()]; // 0: not yet known
        List<Integer> sectionIndex = new ArrayList<>(); // the section of each entry of sections
        boolean[] populated = new boolean[elf.sections().size()]; // sections holding a listed symbol
        CrashListing.Builder crash = CrashListing.applies(elf, module) ? new CrashListing.Builder(n) : null;
        ImageSpan image = ImageSpan.of(elf, relocate);
        // a linked kernel's table may be cached: each symbol's file value, and whether KASLR moves it
        long[] values = crash == null ? null : new long[n];
        byte[] moves = crash == null ? null : new byte[n];
        List<long[]> sectionValues = new ArrayList<>(); // {value, moves}
        boolean damaged = b.limit() % 24 != 0;
        for (int i = 1; i < n; i++) {
            int p = i * 24;
            int nameOff = b.getInt(p);
            int info = b.get(p + 4) & 0xff;
            int shndx = Short.toUnsignedInt(b.getShort(p + 6));
            long value = b.getLong(p + 8), size = b.getLong(p + 16);
            int bind = info >> 4, type = info & 0xf;
            if (type == STT_SECTION && shndx > 0 && shndx < elf.sections().size()) {
                // kept aside for at(): crash's table has them under their section's name, before the others
                ElfSection sec = elf.section(shndx);
                long at = sec.isAlloc() ? relocate.symbolAddress(sec, value) : Long.MIN_VALUE;
                if (at != Long.MIN_VALUE) {
                    Symbol s = new Symbol(sec.name(), at, 0, sectionLetter(sec), module);
                    if (crash != null) {
                        crash.add(s, value, null, ~sections.size());
                        sectionValues.add(new long[] {value, relocate.moves(sec, value) ? 1 : 0});
                    }
                    sections.add(s);
                    sectionIndex.add(shndx);
                }
                continue;
            }
            if (type == STT_SECTION || type == STT_FILE || nameOff == 0) continue;
            if (nameOff < 0 || nameOff >= strs.length) {
                damaged = true;
                continue;
            }
            if (strs[nameOff] == 0) continue;
            if (strs[nameOff] == '$' && isMappingSymbol(strs, nameOff)) continue;
            if (module != null && strs[nameOff] == '.') continue;
            int end = nameOff;
            while (end < strs.length && strs[end] != 0) end++;
            String name = new String(strs, nameOff, end - nameOff, java.nio.charset.StandardCharsets.UTF_8);
            char letter;
            long address = value;
            boolean moved = false;
            if (shndx == SHN_UNDEF) {
                letter = bind == STB_WEAK ? (type == STT_OBJECT ? 'v' : 'w') : 'U';
            } else if (shndx == SHN_ABS) {
                letter = 'a';
                address = image.absolute(value);
                moved = image.moves(value);
            } else if (shndx == SHN_COMMON) {
                letter = 'c';
            } else if (shndx >= elf.sections().size()) {
                damaged = true;
                continue;
            } else {
                ElfSection sec = elf.section(shndx);
                long base = relocate.symbolAddress(sec, value);
                if (base == Long.MIN_VALUE) continue; // section not loaded in the crashed kernel
                address = base;
                if (crash != null) moved = relocate.moves(sec, value);
                populated[shndx] = true;
                if (sectionLetters[shndx] == 0) sectionLetters[shndx] = sectionLetter(sec);
                letter = sectionLetters[shndx];
                if (type == STT_GNU_IFUNC) letter = 'i';
            }
            if (bind == STB_WEAK && shndx != SHN_UNDEF) {
                letter = type == STT_OBJECT ? 'V' : 'W';
            } else if (bind == STB_GNU_UNIQUE) {
                letter = 'u';
            } else if ((bind == STB_GLOBAL) && letter != 'i' && letter != 'U') {
                letter = Character.toUpperCase(letter);
            }
            String shown = Symbol.crashName(name);
            Symbol sym = new Symbol(shown, address, size, letter, module);
            if (crash != null) {
                values[out.size()] = value;
                moves[out.size()] = (byte) (moved ? 1 : 0);
                crash.add(sym, value, shown.length() == name.length() ? null : name, out.size());
            }
            out.add(sym);
        }
        if (module != null) {
            // crash finds a module's sections through the symbols in them, and lists a found
            // section's own symbol under the section's name unless that begins with '.'
            for (int i = 0; i < sectionIndex.size(); i++) {
                Symbol sec = sections.get(i);
                if (!sec.name().startsWith(".") && populated[sectionIndex.get(i)]) out.add(sec);
            }
        }
        ElfSymbols t = new ElfSymbols(out.toArray(Symbol[]::new), ranges.toArray(long[][]::new), sections.toArray(Symbol[]::new),
                module != null, crash == null ? null : crash.build());
        if (crash != null && !damaged) {
            int k = out.size(), s = sectionValues.size();
            long[] v = Arrays.copyOf(values, k + s);
            byte[] m = Arrays.copyOf(moves, k + s);
            for (int i = 0; i < s; i++) {
                v[k + i] = sectionValues.get(i)[0];
                m[k + i] = (byte) sectionValues.get(i)[1];
            }
            long[] rangeLink = new long[ranges.size()];
            byte[] rangeMoves = new byte[ranges.size()];
            for (int i = 0; i < rangeLink.length; i++) {
                rangeLink[i] = rangeSections.get(i).addr();
                rangeMoves[i] = (byte) (relocate.moves(rangeSections.get(i), rangeSections.get(i).addr()) ? 1 : 0);
            }
            t.cacheable = new Cacheable(v, m, rangeLink, rangeMoves, t.crashListing, st.size(),
                    elf.section(st.link()).size());
        }
        return t;
    }

    /**
     * What a cache file of a linked kernel's table holds beyond the symbols: each symbol's (then each
     * section symbol's) file value and whether the load shift moves it, the same of the alloc ranges,
     * crash's listing, and the sizes of .symtab and its strings (checked when the file is loaded).
     */
    record Cacheable(long[] values, byte[] moves, long[] rangeLink, byte[] rangeMoves, CrashListing listing,
                     long symtabSize, long strtabSize) { }

    /** What a cache file of this table needs; null when the table is not to be cached (a module, damage). */
    Cacheable cacheable() {
        return cacheable;
    }

    /** Drops what only a cache file needed (once it is written, or not to be). */
    void cached() {
        cacheable = null;
    }

    Symbol[] symbolArray() {
        return every();
    }

    Symbol[] sectionSymbols() {
        return sectionSymbols;
    }

    long[][] ranges() {
        return ranges;
    }

    int[] nameSlots() {
        return nameSlots;
    }

    /** Symbol indices in address order (see {@link #sortByAddress}). */
    int[] addressOrderIndices() {
        return addressOrder().indices();
    }

    /** Whether this table answers from a cache file. */
    public boolean fromCache() {
        return image != null;
    }

    private Symbol sym(int i) {
        Symbol s = symbols[i];
        if (s == null) symbols[i] = s = image.symbol(i); // a race makes equal records: harmless
        return s;
    }

    /** Every symbol made. */
    private Symbol[] every() {
        if (image != null) for (int i = 0; i < count; i++) sym(i);
        return symbols;
    }

    /** An ARM mapping symbol: $a, $d, $t or $x, alone or followed by '.' and a suffix. */
    private static boolean isMappingSymbol(byte[] strs, int at) {
        if (at + 1 >= strs.length || "adtx".indexOf(strs[at + 1]) < 0) return false;
        return at + 2 >= strs.length || strs[at + 2] == 0 || strs[at + 2] == '.';
    }

    /**
     * The run-time address of the first defined symbol with this name, read straight from .symtab
     * without building the table (for one-off lookups such as a variable that DWARF only declares).
     */
    public static java.util.OptionalLong findAddress(ElfFile elf, String name, SectionAddressing relocate) {
        Optional<ElfSection> tab = elf.section(".symtab");
        if (tab.isEmpty() || tab.get().isNoBits()) return java.util.OptionalLong.empty();
        byte[] strs = stringTable(elf, tab.get());
        ByteBuffer b = elf.data(tab.get());
        byte[] want = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int n = b.limit() / 24;
        outer:
        for (int i = 1; i < n; i++) {
            int p = i * 24;
            int nameOff = b.getInt(p);
            if (nameOff <= 0 || nameOff + want.length >= strs.length) continue;
            if (strs[nameOff + want.length] != 0) continue;
            for (int k = 0; k < want.length; k++) if (strs[nameOff + k] != want[k]) continue outer;
            int shndx = Short.toUnsignedInt(b.getShort(p + 6));
            int type = b.get(p + 4) & 0xf;
            if (shndx == SHN_UNDEF || type == STT_SECTION || type == STT_FILE) continue;
            long value = b.getLong(p + 8);
            if (shndx == SHN_ABS) return java.util.OptionalLong.of(ImageSpan.of(elf, relocate).absolute(value));
            if (shndx >= elf.sections().size()) return java.util.OptionalLong.of(value);
            long a = relocate.symbolAddress(elf.section(shndx), value);
            if (a != Long.MIN_VALUE) return java.util.OptionalLong.of(a);
        }
        return java.util.OptionalLong.empty();
    }

    /**
     * A heap copy of a symbol table's string table: one bulk copy is far cheaper than the 100k+
     * single-byte reads of the mapping that name tests make, in code the JIT has not compiled yet.
     */
    private static byte[] stringTable(ElfFile elf, ElfSection symtab) {
        ByteBuffer strBuf = elf.data(elf.section(symtab.link()));
        byte[] strs = new byte[strBuf.limit()];
        strBuf.get(0, strs);
        return strs;
    }

    /** nm's letter for a symbol defined in {@code s}, lowercase (local). */
    static char sectionLetter(ElfSection s) {
        String n = s.name();
        if ((s.flags() & ElfSection.SHF_EXECINSTR) != 0) return 't';
        if (s.isNoBits() && s.isAlloc()) return 'b';
        if (!s.isAlloc()) return n.startsWith(".debug") ? 'n' : '?';
        if ((s.flags() & ElfSection.SHF_WRITE) != 0) return 'd';
        return 'r';
    }

    /** How section-relative values become run-time addresses. Long.MIN_VALUE: not loaded. */
    public interface SectionAddressing {
        long symbolAddress(ElfSection section, long value);

        long sectionAddress(ElfSection section);

        /**
         * Whether the load shift (KASLR) moves a symbol of this section and value: its address is then its
         * value plus the shift, else its value. Asked of a linked kernel's addressing only (its table may
         * be cached shift-free); a cache file is written only when every address agrees with it.
         */
        default boolean moves(ElfSection section, long value) {
            return false;
        }
    }

    @Override
    public List<Symbol> byName(String name) {
        int h = name.hashCode();
        int mask = (image != null ? image.slotCount() : nameSlots.length) - 1;
        List<Symbol> found = null;
        for (int slot = spread(h) & mask, i; (i = image != null ? image.slot(slot) : nameSlots[slot]) != 0; slot = (slot + 1) & mask) {
            if (image != null && image.nameHash(i - 1) != h) continue;
            Symbol s = sym(i - 1);
            if (!s.name().equals(name)) continue;
            if (found == null) found = new ArrayList<>(2);
            found.add(s);
        }
        return found == null ? List.of() : found;
    }

    @Override
    public Optional<Symbol> containing(long address) {
        AddressOrder order = addressOrder();
        int lo = 0, hi = order.length() - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(order.address(mid), address) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (found < 0) return Optional.empty();
        // the first (preferred) symbol of the run at that address
        long a = order.address(found);
        while (found > 0 && order.address(found - 1) == a) found--;
        Symbol s = sym(order.index(found));
        if (s.size() > 0 && address - s.address() < s.size()) return Optional.of(s);
        // beyond the symbol's size: still "near" while in the same loaded section
        for (long[] r : ranges) {
            if (Long.compareUnsigned(address - r[0], r[1]) < 0 && Long.compareUnsigned(s.address() - r[0], r[1]) < 0) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    @Override
    public Stream<Symbol> all() {
        Symbol[] l = listed;
        if (l == null) {
            synchronized (this) {
                if (listed == null) {
                    if (image != null) {
                        int[] refs = image.listing();
                        Symbol[] l2 = new Symbol[refs.length];
                        for (int k = 0; k < refs.length; k++) l2[k] = refs[k] < count ? sym(refs[k]) : sectionSymbols[refs[k] - count];
                        listed = l2;
                    } else {
                        listed = crashListing.symbols();
                        crashListing = null; // what it was made from is no longer needed
                    }
                }
                l = listed;
            }
        }
        return Arrays.stream(l);
    }

    @Override
    public List<Symbol> at(long address) {
        List<Symbol> out = new ArrayList<>();
        for (Symbol s : sectionSymbols) if (s.address() == address) out.add(s);
        AddressOrder order = addressOrder();
        int lo = 0, hi = order.length();
        while (lo < hi) { // the first entry at or above the address
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(order.address(mid), address) < 0) lo = mid + 1;
            else hi = mid;
        }
        List<Integer> here = new ArrayList<>();
        for (int i = lo; i < order.length() && order.address(i) == address; i++) here.add(order.index(i));
        here.sort(null); // symtab order
        // a module's listed section symbols are in both; a set, as 9000+ symbols can share an address (__kstrtabns_*)
        java.util.Set<Symbol> seen = new java.util.HashSet<>(out);
        for (int i : here) {
            Symbol s = sym(i);
            if (seen.add(s)) out.add(s);
        }
        return out;
    }

    /** Symbols in address order (what `nm -n` lists, minus undefined and absolute ones). */
    public Stream<Symbol> sorted() {
        AddressOrder order = addressOrder();
        return java.util.stream.IntStream.range(0, order.length()).mapToObj(j -> sym(order.index(j)));
    }

    public int size() { return count; }

}
