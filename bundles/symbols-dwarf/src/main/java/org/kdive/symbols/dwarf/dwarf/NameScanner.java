package org.kdive.symbols.dwarf.dwarf;

/**
 * The index's hot path: walks one unit's DIEs without building objects, reports every named
 * top-level type, variable and function, and skips nested subtrees through DW_AT_sibling.
 */
public final class NameScanner {
    /** Receives one name: its DWARF tag, FNV-1a hash, DIE reference, and how complete the entry is (higher is better). */
    public interface Sink {
        void name(int tag, long nameHash, long ref, int priority);
    }

    private NameScanner() {
    }

    /**
     * Per-thread buffers: a heap copy of the unit (faster to read than the mapping), a string-hash
     * cache and the names already reported. Sized for vmlinux's ~120k distinct names, so that few
     * .debug_str strings are hashed twice.
     */
    public static final class Scratch {
        byte[] unit = new byte[1 << 20];
        final long[] strOff = new long[1 << 18];
        final long[] strHash = new long[1 << 18];
        final long[] seenKey = new long[1 << 18];
        final byte[] seenPrio = new byte[1 << 18];
        int[] pos = new int[64], forms = new int[64];

        public Scratch() {
            java.util.Arrays.fill(strOff, -1);
        }
    }

    /** Scans a unit; a malformed unit raises a format error naming it. */
    public static void scan(Unit u, Sink sink, java.util.function.IntPredicate wanted, Scratch scratch) {
        if (u.unitType == DW.UT_skeleton || u.unitType == DW.UT_partial) return;
        // this thread's own table, even when the unit has one cached: declarations are decoded, laid
        // out and marked wanted or not on first use
        AbbrevTable abbrevs = u.file.parseAbbrevs(u, true);
        int base = (int) u.offset;
        int end = (int) (u.end - u.offset);
        if (scratch.unit.length < end) scratch.unit = new byte[Math.max(end, scratch.unit.length * 2)];
        u.section().get(base, scratch.unit, 0, end);
        // positions below are relative to the unit start, as unit-relative references are; the
        // scratch array may be longer than the unit: reads past its end are caught after each DIE
        ArrayReader r = new ArrayReader(scratch.unit, u.dieStart - base);
        int depth = 0;
        DwarfFile f = u.file;
        try {
            while (r.pos < end) {
                int diePos = r.pos;
                long code = r.uleb();
                if (code == 0) {
                    if (--depth <= 0) break;
                    continue;
                }
                Abbrev a = abbrevs.get(code);
                if (a == null) throw f.error(u.toString(), base + diePos, "a defined abbreviation code", String.valueOf(code));
                if (a.fixedSize == -2) { // only the abbreviations met are laid out
                    a.layout(u.offsetSize, u.addrSize, u.version);
                    a.wanted = wanted.test(a.tag);
                }
                // the loop stays small (a long-running loop is compiled twice by the JIT: on-stack, then whole)
                boolean descend = depth == 1 && a.wanted ? named(u, abbrevs, a, r, diePos, end, sink, scratch)
                        : skip(u, a, r, diePos, end, depth);
                if (descend) depth++;
                if (r.pos < 0 || r.pos > end) throw new IndexOutOfBoundsException("DIE beyond unit");
            }
        } catch (IndexOutOfBoundsException e) {
            throw f.error(u.toString(), base + r.pos, "complete DIEs", "truncated data");
        }
    }

    public static void scan(Unit u, Sink sink, java.util.function.IntPredicate wanted) {
        scan(u, sink, wanted, new Scratch());
    }

    /** Moves past a DIE that is not reported (and its children, through DW_AT_sibling); true to descend instead. */
    private static boolean skip(Unit u, Abbrev a, ArrayReader r, int diePos, int end, int depth) {
        if (!a.hasChildren || depth < 1) {
            DwarfFile.skipAttributes(r, u, a);
            return a.hasChildren;
        }
        long target = -1;
        if (a.siblingAt >= 0 && a.siblingForm == DW.FORM_ref4) {
            target = Integer.toUnsignedLong(ArrayReader.int32(r.b, r.pos + a.siblingAt));
        }
        if (!(target > diePos && target <= end)) target = skipCapturingSibling(r, u, a);
        if (target > diePos && target <= end) {
            r.pos = (int) target;
            return false;
        }
        return true;
    }

    private static long skipCapturingSibling(ArrayReader r, Unit u, Abbrev a) {
        long sib = -1;
        int[] forms = a.forms, attrs = a.attrs;
        for (int i = 0; i < forms.length; i++) {
            if (attrs[i] == DW.AT_sibling) {
                int form = forms[i];
                switch (form) {
                    case DW.FORM_ref1: sib = r.u8(); break;
                    case DW.FORM_ref2: sib = r.u16(); break;
                    case DW.FORM_ref4: sib = r.u32(); break;
                    case DW.FORM_ref8: sib = r.u64(); break;
                    case DW.FORM_ref_udata: sib = r.uleb(); break;
                    default: DwarfFile.skip(r, u, form);
                }
            } else {
                DwarfFile.skip(r, u, forms[i]);
            }
        }
        return sib;
    }

    /** Reports a top-level DIE and moves past it; true when it has children without a usable sibling (descend). */
    private static boolean named(Unit u, AbbrevTable abbrevs, Abbrev a, ArrayReader r, int diePos, int end, Sink sink,
                                 Scratch scratch) {
        int start = r.pos;
        // where the attributes that matter are: precomputed offsets when they are at fixed ones
        // (the common case), else found by walking this DIE once; kept small so the JIT compiles it fast
        int[] offs = a.offsets, forms = a.forms;
        int after = a.fixedSize >= 0 ? start + a.fixedSize : -1;
        if (!a.scanFixed || after < 0 && !(a.hasChildren && a.sibIdx >= 0)) {
            walk(r, u, a, scratch);
            offs = scratch.pos;
            forms = scratch.forms;
            after = r.pos;
        }
        int nameForm = 0, specForm = 0;
        long nameVal = 0, specVal = 0, sib = -1;
        boolean decl = false;
        int i = a.nameIdx;
        if (i >= 0) {
            nameForm = forms[i];
            nameVal = valueAt(r, start + offs[i], u, nameForm);
        }
        i = a.specIdx;
        if (i >= 0) {
            specForm = forms[i];
            specVal = valueAt(r, start + offs[i], u, specForm);
        }
        i = a.declIdx;
        if (i >= 0) {
            int form = forms[i];
            decl = form == DW.FORM_flag_present || (form == DW.FORM_implicit_const ? a.consts != null && a.consts[i] != 0
                    : valueAt(r, start + offs[i], u, form) != 0);
        }
        i = a.sibIdx;
        if (i >= 0 && forms[i] != DW.FORM_ref_addr && forms[i] != DW.FORM_ref_sig8) {
            sib = valueAt(r, start + offs[i], u, forms[i]);
        }
        int prio = priority(a, decl);
        // the same header type appears in thousands of units: once seen at this priority, skip it cheaply
        if (nameForm == DW.FORM_strp) {
            long seenKey = (nameVal << 8) | (a.tag & 0xff);
            int seenSlot = (int) (seenKey ^ (seenKey >>> 17) ^ (seenKey >>> 31)) & (scratch.seenKey.length - 1);
            if (scratch.seenKey[seenSlot] != seenKey || scratch.seenPrio[seenSlot] < prio) {
                if (report(u, a.tag, hash(u, r.b, end, nameForm, nameVal, scratch), diePos, prio, sink)) {
                    scratch.seenKey[seenSlot] = seenKey;
                    scratch.seenPrio[seenSlot] = (byte) prio;
                }
            }
        } else if (nameForm != 0) {
            report(u, a.tag, hash(u, r.b, end, nameForm, nameVal, scratch), diePos, prio, sink);
        } else if (specForm != 0) {
            report(u, a.tag, specHash(u, abbrevs, r.b, end, specForm, specVal, 3, scratch), diePos, prio, sink);
        }
        if (a.hasChildren && sib > diePos && sib <= end) {
            r.pos = (int) sib;
            return false;
        }
        if (after < 0) { // attributes of variable size and no usable sibling: walk them
            r.pos = start;
            DwarfFile.skipAttributes(r, u, a);
            after = r.pos;
        }
        r.pos = after;
        return a.hasChildren;
    }

    /** How complete a DIE is as the definition of its name (higher wins in the index). */
    private static int priority(Abbrev a, boolean decl) {
        switch (a.tag) {
            case DW.TAG_variable: return a.hasLocation ? 3 : decl ? 1 : 2;
            case DW.TAG_subprogram: return a.hasCode ? 3 : (a.hasInline || !decl) ? 2 : 1;
            case DW.TAG_structure_type: case DW.TAG_union_type: case DW.TAG_enumeration_type: case DW.TAG_class_type:
                return decl ? 1 : a.hasSize || a.hasChildren ? 3 : 2;
            default: return decl ? 1 : 2;
        }
    }

    private static boolean report(Unit u, int tag, long hash, int diePos, int prio, Sink sink) {
        if (hash == 0) return false;
        sink.name(tag, hash, DwarfFile.ref(u.inTypes, u.offset + diePos), prio);
        return true;
    }

    /** FNV-1a hash of a string attribute value (strp through the per-thread cache); 0 for unsupported forms. */
    private static long hash(Unit u, byte[] unit, int end, int form, long v, Scratch scratch) {
        if (form == DW.FORM_string) return ArrayReader.hashCString(unit, (int) v, end);
        if (form != DW.FORM_strp) return u.file.stringHash(u, form, v);
        int slot = (int) (v ^ (v >>> 16)) & (scratch.strOff.length - 1);
        if (scratch.strOff[slot] == v) return scratch.strHash[slot];
        long h = u.file.stringHash(u, form, v);
        scratch.strOff[slot] = v;
        scratch.strHash[slot] = h;
        return h;
    }

    /**
     * The name hash of the DIE a DW_AT_specification / abstract_origin points to, following up to
     * {@code hops} more. A reference into this unit is read from the unit copy with the unit's
     * abbreviations (building DIE objects would cache every unit's table for the whole session).
     */
    private static long specHash(Unit u, AbbrevTable abbrevs, byte[] unit, int end, int form, long v, int hops,
                                 Scratch scratch) {
        if (hops == 0) return 0;
        boolean local = form == DW.FORM_ref1 || form == DW.FORM_ref2 || form == DW.FORM_ref4 || form == DW.FORM_ref8
                || form == DW.FORM_ref_udata;
        if (!local || v < u.dieStart - u.offset || v >= end) return nameThrough(u.file, u.file.resolveRef(u, form, v), hops);
        ArrayReader r = new ArrayReader(unit, (int) v);
        long code = r.uleb();
        if (code == 0) return 0;
        Abbrev a = abbrevs.get(code);
        if (a == null) throw u.file.error(u.toString(), u.offset + v, "a defined abbreviation code", String.valueOf(code));
        if (a.fixedSize == -2) a.layout(u.offsetSize, u.addrSize, u.version);
        int start = r.pos;
        int[] offs = a.offsets, forms = a.forms;
        if (!a.scanFixed) {
            walk(r, u, a, scratch);
            offs = scratch.pos;
            forms = scratch.forms;
        }
        int i = a.nameIdx;
        if (i >= 0) {
            long h = hash(u, unit, end, forms[i], valueAt(r, start + offs[i], u, forms[i]), scratch);
            if (h != 0) return h;
        }
        i = a.specIdx;
        if (i < 0) return 0;
        return specHash(u, abbrevs, unit, end, forms[i], valueAt(r, start + offs[i], u, forms[i]), hops - 1, scratch);
    }

    /** Walks a DIE's attributes, noting each one's offset from the start and its form (after DW_FORM_indirect). */
    private static void walk(ArrayReader r, Unit u, Abbrev a, Scratch scratch) {
        int n = a.forms.length;
        if (scratch.pos.length < n) {
            scratch.pos = new int[n];
            scratch.forms = new int[n];
        }
        int start = r.pos;
        int[] forms = a.forms, sizes = a.sizes;
        for (int i = 0; i < n; i++) {
            int form = forms[i];
            int guard = 0;
            while (form == DW.FORM_indirect) {
                form = (int) r.uleb();
                if (++guard > 4) throw new IndexOutOfBoundsException("DW_FORM_indirect chain");
            }
            scratch.pos[i] = r.pos - start;
            scratch.forms[i] = form;
            if (form == forms[i] && sizes[i] >= 0) r.pos += sizes[i];
            else DwarfFile.skip(r, u, form);
        }
    }

    private static long valueAt(ArrayReader r, int p, Unit u, int form) {
        int save = r.pos;
        r.pos = p;
        long v = value(r, u, form);
        r.pos = save;
        return v;
    }

    /** The name hash of a DIE reached through DW_AT_specification / abstract_origin (following up to {@code hops}). */
    private static long nameThrough(DwarfFile f, long ref, int hops) {
        if (ref < 0 || hops == 0) return 0;
        Die d = f.die(ref);
        if (d == null) return 0;
        long h = d.stringHash(DW.AT_name);
        if (h != 0 || !d.has(DW.AT_name) && !d.has(DW.AT_specification) && !d.has(DW.AT_abstract_origin)) return h;
        long next = d.has(DW.AT_specification) ? d.reference(DW.AT_specification) : d.reference(DW.AT_abstract_origin);
        return nameThrough(f, next, hops - 1);
    }

    /** A constant, reference or string offset (a position for inline strings); 0 for other forms. */
    private static long value(ArrayReader r, Unit u, int form) {
        switch (Forms.fixedSize(form, u.offsetSize, u.addrSize, u.version)) {
            case 0: return form == DW.FORM_flag_present ? 1 : 0;
            case 1: return r.u8();
            case 2: return r.u16();
            case 3: return r.u24();
            case 4: return r.u32();
            case 8: return r.u64();
            case -1: break;
            default: return 0;
        }
        switch (form) {
            case DW.FORM_string: return r.pos; // the string's position (callers only hash it)
            case DW.FORM_sdata: return r.sleb();
            case DW.FORM_udata: case DW.FORM_ref_udata: case DW.FORM_strx: case DW.FORM_GNU_str_index: return r.uleb();
            default: return 0;
        }
    }
}
