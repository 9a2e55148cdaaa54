package org.kdive.symbols.dwarf.dwarf;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.kdive.api.dump.DumpFormatException;

/**
 * DWARF 2–5 of one object: unit headers (scanned once, cheaply), abbreviation tables and DIEs on demand.
 * Thread-safe. Malformed units raise {@link DumpFormatException} naming the unit; other units stay usable.
 */
public final class DwarfFile {
    private static final long TYPES_BIT = 1L << 48;
    public final Path path;
    public final DwarfSections sections;
    private volatile Unit[] infoUnits, typeUnits;
    private final Map<Long, AbbrevTable> abbrevCache = new ConcurrentHashMap<>();
    private volatile Map<Long, Long> signatures;
    private volatile byte[] abbrevBytes, strBytes;

    public DwarfFile(Path path, DwarfSections sections) {
        this.path = path;
        this.sections = sections;
    }

    public static long ref(boolean inTypes, long offset) { return inTypes ? offset | TYPES_BIT : offset; }

    public DumpFormatException error(String where, long offset, String expected, String found) {
        return new DumpFormatException(path, offset, expected + " (" + where + ")", found);
    }

    // ---- units ----

    public Unit[] units() {
        Unit[] u = infoUnits;
        if (u == null) {
            synchronized (this) {
                if (infoUnits == null) infoUnits = scanUnits(false);
                u = infoUnits;
            }
        }
        return u;
    }

    public Unit[] typeUnitsDebugTypes() {
        Unit[] u = typeUnits;
        if (u == null) {
            synchronized (this) {
                if (typeUnits == null) typeUnits = scanUnits(true);
                u = typeUnits;
            }
        }
        return u;
    }

    /** Reads every unit header; a malformed header ends the list (the units before it stay usable). */
    private Unit[] scanUnits(boolean types) {
        List<Unit> list = new ArrayList<>();
        long off = 0;
        for (Unit u; (u = headerAt(types, off)) != null; off = u.end) list.add(u);
        return list.toArray(Unit[]::new);
    }

    /**
     * The unit whose header is at {@code off} of .debug_info (or .debug_types); null at the end of the
     * section or at a malformed header (logged: the units before it stay usable, as in {@link #units()}).
     * For a scan that starts on the first units before all headers are read.
     */
    public Unit headerAt(boolean types, long off) {
        ByteBuffer b = types ? sections.types : sections.info;
        if (off < 0 || off >= b.limit()) return null;
        String problem;
        if (off + 11 > b.limit()) {
            problem = (b.limit() - off) + " bytes too few for a unit header";
        } else {
            try {
                return readHeader(b, types, (int) off);
            } catch (IndexOutOfBoundsException | DumpFormatException e) {
                problem = e.getMessage();
            }
        }
        String section = types ? ".debug_types" : ".debug_info";
        String skipped = path + ": ignoring " + section + " from offset 0x" + Long.toHexString(off) + ": " + problem;
        synchronized (skippedUnits) {
            if (!skippedUnits.contains(skipped)) {
                skippedUnits.add(skipped);
                org.slf4j.LoggerFactory.getLogger(DwarfFile.class).warn("{}", skipped);
            }
        }
        return null;
    }

    private final List<String> skippedUnits = new ArrayList<>();

    /**
     * The parts of .debug_info and .debug_types left out because a unit header was malformed (each a
     * message naming the offset), as met so far. An index built while any is listed is incomplete.
     */
    public List<String> skippedUnits() {
        synchronized (skippedUnits) {
            return List.copyOf(skippedUnits);
        }
    }

    /** The units of .debug_info and .debug_types when both are listed already, else null. */
    public Unit[][] listedUnits() {
        Unit[] i = infoUnits, t = typeUnits;
        return i == null || t == null ? null : new Unit[][] {i, t};
    }

    /** Takes a complete listing made by a scan through {@link #headerAt}, unless the units are listed already. */
    public synchronized void adoptUnits(Unit[] info, Unit[] types) {
        if (infoUnits == null) infoUnits = info;
        if (typeUnits == null) typeUnits = types;
    }

    private Unit readHeader(ByteBuffer b, boolean types, int off) {
        // one bulk copy of the header (at most 40 bytes) instead of a dozen mapped-buffer reads:
        // thousands of units are listed on every start, before the JIT has compiled anything
        byte[] h = new byte[(int) Math.min(40, b.limit() - off)];
        b.get(off, h);
        ArrayReader r = new ArrayReader(h, 0);
        long len = r.u32();
        int offsetSize = 4;
        if (len == 0xffffffffL) {
            len = r.u64();
            offsetSize = 8;
        } else if (len >= 0xfffffff0L) {
            throw error("unit header", off, "unit length", "reserved value 0x" + Long.toHexString(len));
        }
        long end = off + r.pos + len;
        if (len < 7 || end > b.limit()) {
            throw error("unit header", off, "unit length within the section", "0x" + Long.toHexString(len));
        }
        int version = r.u16();
        if (version < 2 || version > 5) throw error("unit header", off, "DWARF version 2 to 5", String.valueOf(version));
        int unitType = types ? DW.UT_type : DW.UT_compile;
        int addrSize;
        long abbrevOff;
        long sig = 0, typeOff = 0;
        if (version >= 5) {
            unitType = r.u8();
            addrSize = r.u8();
            abbrevOff = r.uN(offsetSize);
            if (unitType == DW.UT_skeleton || unitType == DW.UT_split_compile) {
                sig = r.u64();
            } else if (unitType == DW.UT_type || unitType == DW.UT_split_type) {
                sig = r.u64();
                typeOff = r.uN(offsetSize);
            }
        } else {
            abbrevOff = r.uN(offsetSize);
            addrSize = r.u8();
            if (types) {
                sig = r.u64();
                typeOff = r.uN(offsetSize);
            }
        }
        if (addrSize != 4 && addrSize != 8 && addrSize != 2) {
            throw error("unit header", off, "address size 2, 4 or 8", String.valueOf(addrSize));
        }
        if (off + r.pos > end) throw error("unit header", off, "header inside the unit", null);
        return new Unit(this, types, off, end, version, unitType, addrSize, offsetSize, abbrevOff, off + r.pos, sig,
                typeOff == 0 ? 0 : off + typeOff);
    }

    /**
     * Where the units of .debug_info start, as the name index's cache file keeps them: listing the
     * headers of a vmlinux (~2,200 units spread over its whole .debug_info) costs ~50 ms of a cold start,
     * which a look-up then spares by reading the one header it needs. {@code starts} holds each unit's
     * offset in order, then the end of the last; ignored when it does not fit this section.
     */
    public void adoptUnitStarts(long[] starts) {
        int n = starts.length - 1;
        if (n < 1 || starts[0] != 0 || starts[n] > sections.info.limit()) return;
        for (int i = 0; i < n; i++) if (starts[i + 1] <= starts[i]) return;
        synchronized (this) {
            if (infoUnits == null && knownStarts == null) {
                knownUnits = new Unit[n];
                knownStarts = starts;
            }
        }
    }

    /** The offsets {@link #adoptUnitStarts} takes, from a complete listing of .debug_info; null when not listed. */
    public long[] unitStarts() {
        Unit[] us = infoUnits;
        if (us == null || us.length == 0) return null;
        long[] starts = new long[us.length + 1];
        for (int i = 0; i < us.length; i++) starts[i] = us[i].offset;
        starts[us.length] = us[us.length - 1].end;
        return starts;
    }

    private volatile long[] knownStarts;
    private Unit[] knownUnits; // guarded by this

    /** The unit of .debug_info at a known start containing {@code offset}; null when there is no such start. */
    private Unit knownUnitAt(long[] starts, long offset) {
        int lo = 0, hi = starts.length - 2;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (offset < starts[mid]) hi = mid - 1;
            else if (offset >= starts[mid + 1]) lo = mid + 1;
            else {
                synchronized (this) {
                    Unit u = knownUnits[mid];
                    if (u != null) return u;
                    u = headerAt(false, starts[mid]);
                    if (u == null || u.end != starts[mid + 1]) {
                        // the cached listing does not match the file: list the headers after all
                        knownStarts = null;
                        return unitAt(false, offset);
                    }
                    knownUnits[mid] = u;
                    return u;
                }
            }
        }
        return null;
    }

    /** The unit containing a section offset of .debug_info (or .debug_types), or null. */
    public Unit unitAt(boolean inTypes, long offset) {
        long[] starts = knownStarts;
        if (!inTypes && starts != null && infoUnits == null) return knownUnitAt(starts, offset);
        Unit[] us = inTypes ? typeUnitsDebugTypes() : units();
        int lo = 0, hi = us.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Unit u = us[mid];
            if (offset < u.offset) hi = mid - 1;
            else if (offset >= u.end) lo = mid + 1;
            else return u;
        }
        return null;
    }

    AbbrevTable abbrevTable(Unit u) {
        return abbrevCache.computeIfAbsent(u.abbrevOffset, off -> {
            AbbrevTable parsed = parseAbbrevs(u, false);
            // laid out here so that the map publishes it complete to other threads
            parsed.layout(u.offsetSize, u.addrSize, u.version);
            return parsed;
        });
    }

    /**
     * A unit's abbreviations, parsed but neither laid out nor cached: the index scan reads each unit
     * once, and keeping every unit's table would only give the garbage collector 100 MiB to copy.
     * A lazy table decodes declarations on first use and is for one thread only.
     */
    AbbrevTable parseAbbrevs(Unit u, boolean lazy) {
        return parseAbbrevs(u, lazy, null);
    }

    /** A thread's interner for {@link #parseAbbrevs(Unit, boolean, AbbrevTable.Interner)}. */
    AbbrevTable.Interner abbrevInterner() {
        return new AbbrevTable.Interner(abbrevBytes());
    }

    /** As {@link #parseAbbrevs(Unit, boolean)}, a lazy table sharing declarations through an interner. */
    AbbrevTable parseAbbrevs(Unit u, boolean lazy, AbbrevTable.Interner interner) {
        long off = u.abbrevOffset;
        if (off < 0 || off >= sections.abbrev.limit()) {
            throw error(u.toString(), u.offset, "abbreviation offset inside .debug_abbrev", "0x" + Long.toHexString(off));
        }
        try {
            if (lazy || abbrevBytes != null) return AbbrevTable.parse(new ArrayReader(abbrevBytes(), (int) off), lazy, interner);
            // one table for a lookup: copy a window from its start (growing it if the table is longer)
            // rather than all of .debug_abbrev (megabytes) for a few kilobytes
            int rest = sections.abbrev.limit() - (int) off;
            for (int window = Math.min(rest, 1 << 14); ; window = (int) Math.min(rest, window * 4L)) {
                byte[] w = new byte[window];
                sections.abbrev.get((int) off, w);
                try {
                    return AbbrevTable.parse(new ArrayReader(w, 0), false);
                } catch (IndexOutOfBoundsException e) {
                    if (window == rest) throw e;
                }
            }
        } catch (IndexOutOfBoundsException e) {
            throw error(u.toString(), off, "complete abbreviation table in .debug_abbrev", "truncated");
        }
    }

    /** Heap copy of .debug_abbrev: thousands of tables are parsed on a cold start, byte by byte. */
    private byte[] abbrevBytes() {
        byte[] b = abbrevBytes;
        if (b == null) {
            synchronized (this) {
                if (abbrevBytes == null) abbrevBytes = ArrayReader.copy(sections.abbrev);
                b = abbrevBytes;
            }
        }
        return b;
    }

    /**
     * Makes the heap copy of .debug_abbrev or of .debug_str now: the index build's threads each make
     * one at their start, in parallel, rather than one thread waiting for the other's.
     */
    public void copyForScan(boolean strings) {
        if (strings) strBytes();
        else abbrevBytes();
    }

    /** Heap copy of .debug_str (a few MiB): every indexed name is hashed from it. */
    byte[] strBytes() {
        byte[] b = strBytes;
        if (b == null) {
            synchronized (this) {
                if (strBytes == null) strBytes = ArrayReader.copy(sections.str);
                b = strBytes;
            }
        }
        return b;
    }

    // ---- DIEs ----

    /** The DIE at a reference from {@link Die#ref()} or {@link Die#reference(int)}; null for a null entry. */
    public Die die(long ref) {
        boolean types = (ref & TYPES_BIT) != 0;
        long off = ref & ~TYPES_BIT;
        Unit u = unitAt(types, off);
        if (u == null || off < u.dieStart) {
            throw error(".debug_info", off, "a DIE reference inside a unit", "0x" + Long.toHexString(off));
        }
        return die(u, (int) off);
    }

    /** The DIE at {@code pos} of unit {@code u}; null for a null entry (end of siblings). */
    public Die die(Unit u, int pos) {
        try {
            Reader r = new Reader(u.section(), pos);
            if (pos >= u.end) throw new IndexOutOfBoundsException("beyond unit");
            long code = r.uleb();
            if (code == 0) return null;
            Abbrev a = u.abbrevs().get(code);
            if (a == null) throw error(u.toString(), pos, "a defined abbreviation code", String.valueOf(code));
            int n = a.attrs.length;
            long[] values = new long[n];
            int[] lens = new int[n];
            int[] forms = a.forms.clone();
            for (int i = 0; i < n; i++) {
                int form = forms[i];
                int guard = 0;
                while (form == DW.FORM_indirect) {
                    form = (int) r.uleb();
                    if (++guard > 4) throw error(u.toString(), pos, "DW_FORM_indirect ending", "a chain");
                }
                forms[i] = form;
                readValue(r, u, form, a.consts == null ? 0 : a.consts[i], values, lens, i);
            }
            if (r.pos > u.end) throw new IndexOutOfBoundsException("DIE beyond unit");
            return new Die(u, pos, a, values, lens, forms, r.pos);
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw error(u.toString(), pos, "a complete DIE", "truncated data");
        }
    }

    private void readValue(Reader r, Unit u, int form, long implicitConst, long[] values, int[] lens, int i) {
        long v;
        switch (form) {
            case DW.FORM_addr: v = r.uN(u.addrSize); break;
            case DW.FORM_data1: case DW.FORM_ref1: case DW.FORM_flag: case DW.FORM_strx1: case DW.FORM_addrx1:
                v = r.u8(); break;
            case DW.FORM_data2: case DW.FORM_ref2: case DW.FORM_strx2: case DW.FORM_addrx2: v = r.u16(); break;
            case DW.FORM_strx3: case DW.FORM_addrx3: v = r.u24(); break;
            case DW.FORM_data4: case DW.FORM_ref4: case DW.FORM_ref_sup4: case DW.FORM_strx4: case DW.FORM_addrx4:
                v = r.u32(); break;
            case DW.FORM_data8: case DW.FORM_ref8: case DW.FORM_ref_sig8: case DW.FORM_ref_sup8: v = r.u64(); break;
            case DW.FORM_data16: v = r.pos; lens[i] = 16; r.pos += 16; break;
            case DW.FORM_sdata: v = r.sleb(); break;
            case DW.FORM_udata: case DW.FORM_ref_udata: case DW.FORM_strx: case DW.FORM_addrx: case DW.FORM_loclistx:
            case DW.FORM_rnglistx: case DW.FORM_GNU_addr_index: case DW.FORM_GNU_str_index:
                v = r.uleb(); break;
            case DW.FORM_string: v = r.pos; r.skipCString(); break;
            case DW.FORM_strp: case DW.FORM_sec_offset: case DW.FORM_line_strp: case DW.FORM_strp_sup:
            case DW.FORM_GNU_ref_alt: case DW.FORM_GNU_strp_alt:
                v = r.uN(u.offsetSize); break;
            case DW.FORM_ref_addr: v = r.uN(u.version <= 2 ? u.addrSize : u.offsetSize); break;
            case DW.FORM_flag_present: v = 1; break;
            case DW.FORM_implicit_const: v = implicitConst; break;
            case DW.FORM_block1: lens[i] = r.u8(); v = r.pos; r.pos += lens[i]; break;
            case DW.FORM_block2: lens[i] = r.u16(); v = r.pos; r.pos += lens[i]; break;
            case DW.FORM_block4: lens[i] = checkedLen(r.u32()); v = r.pos; r.pos += lens[i]; break;
            case DW.FORM_block: case DW.FORM_exprloc: lens[i] = checkedLen(r.uleb()); v = r.pos; r.pos += lens[i]; break;
            default:
                throw error(u.toString(), r.pos, "a known attribute form", "0x" + Integer.toHexString(form));
        }
        if (r.pos > r.buf.limit() || r.pos < 0) throw new IndexOutOfBoundsException("value beyond section");
        values[i] = v;
    }

    private static int checkedLen(long len) {
        if (len < 0 || len > Integer.MAX_VALUE / 2) throw new IndexOutOfBoundsException("block length " + len);
        return (int) len;
    }

    /** Skips one attribute value of a form (the index scan's hot path). */
    static void skip(Reader r, Unit u, int form) {
        int s = Forms.fixedSize(form, u.offsetSize, u.addrSize, u.version);
        if (s >= 0) {
            r.pos += s;
            return;
        }
        switch (form) {
            case DW.FORM_sdata: case DW.FORM_udata: case DW.FORM_ref_udata: case DW.FORM_strx: case DW.FORM_addrx:
            case DW.FORM_loclistx: case DW.FORM_rnglistx: case DW.FORM_GNU_addr_index: case DW.FORM_GNU_str_index:
                r.skipUleb(); return;
            case DW.FORM_string: r.skipCString(); return;
            // the length is read before the position is advanced (r.pos += r.u8() would lose the read)
            case DW.FORM_block1: { int n = r.u8(); r.pos += n; return; }
            case DW.FORM_block2: { int n = r.u16(); r.pos += n; return; }
            case DW.FORM_block4: { int n = checkedLen(r.u32()); r.pos += n; return; }
            case DW.FORM_block: case DW.FORM_exprloc: { int n = checkedLen(r.uleb()); r.pos += n; return; }
            case DW.FORM_indirect: skip(r, u, (int) r.uleb()); return;
            default: throw u.file.error(u.toString(), r.pos, "a known attribute form", "0x" + Integer.toHexString(form));
        }
    }

    /**
     * The children of a DIE, in order. Grandchildren are skipped via DW_AT_sibling when present.
     * The count is bounded by the unit's size, so a corrupt tree cannot loop.
     */
    public List<Die> children(Die parent) {
        if (!parent.hasChildren()) return List.of();
        List<Die> out = new ArrayList<>();
        Unit u = parent.unit;
        int pos = parent.end;
        while (pos < u.end) {
            Die d = die(u, pos);
            if (d == null) break;
            out.add(d);
            pos = next(d);
        }
        return out;
    }

    /** The position after a DIE and all its descendants. */
    public int next(Die d) {
        if (!d.hasChildren()) return d.end;
        Unit u = d.unit;
        long sib = d.reference(DW.AT_sibling);
        if (sib > 0 && (sib & ~TYPES_BIT) > d.offset && (sib & ~TYPES_BIT) <= u.end && d.form(DW.AT_sibling) != DW.FORM_ref_addr) {
            return (int) (sib & ~TYPES_BIT);
        }
        // walk the subtree without decoding it
        Reader r = new Reader(u.section(), d.end);
        int depth = 1;
        try {
            while (depth > 0) {
                if (r.pos >= u.end) return (int) u.end;
                long code = r.uleb();
                if (code == 0) {
                    depth--;
                    continue;
                }
                Abbrev a = u.abbrevs().get(code);
                if (a == null) throw error(u.toString(), r.pos, "a defined abbreviation code", String.valueOf(code));
                skipAttributes(r, u, a);
                if (a.hasChildren) depth++;
            }
        } catch (IndexOutOfBoundsException e) {
            throw error(u.toString(), r.pos, "a complete DIE tree", "truncated data");
        }
        return r.pos;
    }

    /** {@link #skip(Reader, Unit, int)} over a heap copy (the index scan). */
    static void skip(ArrayReader r, Unit u, int form) {
        int s = Forms.fixedSize(form, u.offsetSize, u.addrSize, u.version);
        if (s >= 0) {
            r.pos += s;
            return;
        }
        switch (form) {
            case DW.FORM_sdata: case DW.FORM_udata: case DW.FORM_ref_udata: case DW.FORM_strx: case DW.FORM_addrx:
            case DW.FORM_loclistx: case DW.FORM_rnglistx: case DW.FORM_GNU_addr_index: case DW.FORM_GNU_str_index:
                r.skipUleb(); return;
            case DW.FORM_string: r.skipCString(); return;
            case DW.FORM_block1: { int n = r.u8(); r.pos += n; return; }
            case DW.FORM_block2: { int n = r.u16(); r.pos += n; return; }
            case DW.FORM_block4: { int n = checkedLen(r.u32()); r.pos += n; return; }
            case DW.FORM_block: case DW.FORM_exprloc: { int n = checkedLen(r.uleb()); r.pos += n; return; }
            case DW.FORM_indirect: skip(r, u, (int) r.uleb()); return;
            default: throw u.file.error(u.toString(), r.pos, "a known attribute form", "0x" + Integer.toHexString(form));
        }
    }

    static void skipAttributes(ArrayReader r, Unit u, Abbrev a) {
        if (a.fixedSize >= 0) {
            r.pos += a.fixedSize;
            return;
        }
        int[] forms = a.forms, sizes = a.sizes;
        for (int i = 0; i < forms.length; i++) {
            int s = sizes[i];
            if (s >= 0) r.pos += s;
            else skip(r, u, forms[i]);
        }
    }

    static void skipAttributes(Reader r, Unit u, Abbrev a) {
        if (a.fixedSize >= 0) {
            r.pos += a.fixedSize;
            return;
        }
        int[] forms = a.forms, sizes = a.sizes;
        for (int i = 0; i < forms.length; i++) {
            int s = sizes[i];
            if (s >= 0) r.pos += s;
            else skip(r, u, forms[i]);
        }
    }

    // ---- values ----

    String string(Unit u, int form, long v) {
        try {
            switch (form) {
                case DW.FORM_string: return Reader.string(u.section(), v);
                case DW.FORM_strp: return Reader.string(sections.str, v);
                case DW.FORM_line_strp: return Reader.string(sections.lineStr, v);
                case DW.FORM_strx: case DW.FORM_strx1: case DW.FORM_strx2: case DW.FORM_strx3: case DW.FORM_strx4:
                case DW.FORM_GNU_str_index:
                    return Reader.string(sections.str, strOffset(u, v));
                default: return null; // alternate-file strings (dwz) are not supported
            }
        } catch (IndexOutOfBoundsException e) {
            throw error(u.toString(), v, "a string offset inside its section", "0x" + Long.toHexString(v));
        }
    }

    long stringHash(Unit u, int form, long v) {
        try {
            switch (form) {
                case DW.FORM_string: return Reader.hashCString(u.section(), (int) v);
                case DW.FORM_strp: {
                    byte[] str = strBytes();
                    return ArrayReader.hashCString(str, checkOff(sections.str, v), str.length);
                }
                case DW.FORM_line_strp: return Reader.hashCString(sections.lineStr, checkOff(sections.lineStr, v));
                case DW.FORM_strx: case DW.FORM_strx1: case DW.FORM_strx2: case DW.FORM_strx3: case DW.FORM_strx4:
                case DW.FORM_GNU_str_index:
                {
                    byte[] str = strBytes();
                    return ArrayReader.hashCString(str, checkOff(sections.str, strOffset(u, v)), str.length);
                }
                default: return 0;
            }
        } catch (IndexOutOfBoundsException e) {
            throw error(u.toString(), v, "a string offset inside its section", "0x" + Long.toHexString(v));
        }
    }

    private static int checkOff(ByteBuffer b, long off) {
        if (off < 0 || off >= b.limit()) throw new IndexOutOfBoundsException();
        return (int) off;
    }

    private long strOffset(Unit u, long index) {
        long at = u.strOffsetsBase() + index * u.offsetSize;
        if (index < 0 || at < 0 || at + u.offsetSize > sections.strOffsets.limit()) throw new IndexOutOfBoundsException();
        return u.offsetSize == 8 ? sections.strOffsets.getLong((int) at) : Integer.toUnsignedLong(sections.strOffsets.getInt((int) at));
    }

    public long address(Unit u, int form, long v) {
        switch (form) {
            case DW.FORM_addr: return v;
            case DW.FORM_addrx: case DW.FORM_addrx1: case DW.FORM_addrx2: case DW.FORM_addrx3: case DW.FORM_addrx4:
            case DW.FORM_GNU_addr_index:
                return addrIndex(u, v);
            default: return v; // a constant (high_pc as length) is returned as is
        }
    }

    public long addrIndex(Unit u, long index) {
        u.ensureBases();
        long at = u.addrBase + index * u.addrSize;
        if (index < 0 || at < 0 || at + u.addrSize > sections.addr.limit()) {
            throw error(u.toString(), at, "an index inside .debug_addr", String.valueOf(index));
        }
        return u.addrSize == 8 ? sections.addr.getLong((int) at) : Integer.toUnsignedLong(sections.addr.getInt((int) at));
    }

    long resolveRef(Unit u, int form, long v) {
        switch (form) {
            case DW.FORM_ref1: case DW.FORM_ref2: case DW.FORM_ref4: case DW.FORM_ref8: case DW.FORM_ref_udata:
                return ref(u.inTypes, u.offset + v);
            case DW.FORM_ref_addr: return ref(false, v);
            case DW.FORM_ref_sig8: {
                Long r = signatures().get(v);
                return r == null ? -1 : r;
            }
            default: return -1;
        }
    }

    /** Type-unit signature → reference of its type DIE (built on first ref_sig8). */
    private Map<Long, Long> signatures() {
        Map<Long, Long> m = signatures;
        if (m == null) {
            synchronized (this) {
                if (signatures == null) {
                    Map<Long, Long> s = new HashMap<>();
                    for (Unit[] us : Arrays.asList(units(), typeUnitsDebugTypes())) {
                        for (Unit u : us) {
                            if (u.isTypeUnit() && u.typeOffset != 0) s.putIfAbsent(u.signature, ref(u.inTypes, u.typeOffset));
                        }
                    }
                    signatures = s;
                }
                m = signatures;
            }
        }
        return m;
    }
}
