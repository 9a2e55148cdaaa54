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

    private static final int SEEN_BITS = 18;

    private NameScanner() {
    }

    /**
     * Per-thread buffers: a heap copy of the unit (faster to read than the mapping), the names already
     * reported (sized for vmlinux's ~120k distinct names) and the thread's shared declarations.
     */
    public static final class Scratch {
        byte[] unit = new byte[1 << 20];
        /** Names already reported: (strp offset, tag) and priority packed in one int (see {@link #seenEntry}). */
        final int[] seen = new int[1 << SEEN_BITS];
        int[] pos = new int[64], forms = new int[64];
        /** Declarations shared by this thread's abbreviation tables (laid out and marked for {@link #wanted}). */
        AbbrevTable.Interner interner;
        DwarfFile internerFile;
        java.util.function.IntPredicate internerWanted;

        public Scratch() {
        }
    }

    /** Scans a unit; a malformed unit raises a format error naming it. */
    public static void scan(Unit u, Sink sink, java.util.function.IntPredicate wanted, Scratch scratch) {
        if (u.unitType == DW.UT_skeleton || u.unitType == DW.UT_partial) return;
        // this thread's own table, even when the unit has one cached: declarations are decoded, laid
        // out and marked wanted or not on first use, and shared with the thread's other tables through
        // its interner (they carry the layout and the wanted mark: one interner per file and predicate)
        if (scratch.internerFile != u.file || scratch.internerWanted != wanted) {
            scratch.interner = u.file.abbrevInterner();
            scratch.internerFile = u.file;
            scratch.internerWanted = wanted;
        }
        scratch.interner.forShape(u.offsetSize, u.addrSize, u.version);
        AbbrevTable abbrevs = u.file.parseAbbrevs(u, true, scratch.interner);
        int base = (int) u.offset;
        int end = (int) (u.end - u.offset);
        if (scratch.unit.length < end) scratch.unit = new byte[Math.max(end, scratch.unit.length * 2)];
        u.section().get(base, scratch.unit, 0, end);
        // positions below are relative to the unit start, as unit-relative references are; the
        // scratch array may be longer than the unit: reads past its end are caught after each DIE
        byte[] b = scratch.unit;
        ArrayReader r = new ArrayReader(b, u.dieStart - base);
        int pos = r.pos;
        int depth = 0;
        int enumPos = -1; // the top-level enumeration type whose constants are being read
        DwarfFile f = u.file;
        try {
            // the common cases are written out here rather than called: the batch launcher runs C1
            // only, which inlines little, and this loop runs 3.6 million times on vmlinux
            while (pos < end) {
                int diePos = pos;
                long code = b[pos];
                if (code >= 0) {
                    pos++;
                } else {
                    r.pos = pos;
                    code = r.uleb();
                    pos = r.pos;
                }
                if (code == 0) {
                    if (--depth <= 0) break;
                    continue;
                }
                Abbrev[] dense = abbrevs.dense;
                Abbrev a = code < dense.length ? dense[(int) code] : null;
                if (a == null) {
                    a = abbrevs.get(code);
                    if (a == null) throw f.error(u.toString(), base + diePos, "a defined abbreviation code", String.valueOf(code));
                }
                if (!a.scanReady) { // only the abbreviations met are laid out
                    if (a.fixedSize == -2) a.layout(u.offsetSize, u.addrSize, u.version);
                    a.wanted = wanted.test(a.tag);
                    if (a.wanted) prepareFast(a, u.offsetSize);
                    a.scanReady = true;
                }
                boolean descend;
                if (depth == 1) {
                    enumPos = -1;
                    if (a.tag == DW.TAG_enumeration_type && a.hasChildren) {
                        // its constants are global names too: report the type, then read its children
                        r.pos = pos;
                        named(u, abbrevs, a, r, diePos, diePos, end, sink, scratch);
                        r.pos = pos;
                        DwarfFile.skipAttributes(r, u, a);
                        pos = r.pos;
                        enumPos = diePos;
                        depth++;
                        if (pos > end) throw new IndexOutOfBoundsException("DIE beyond unit");
                        continue;
                    }
                } else if (depth == 2 && enumPos >= 0 && a.tag == DW.TAG_enumerator && a.wanted) {
                    r.pos = pos;
                    descend = named(u, abbrevs, a, r, diePos, enumPos, end, sink, scratch);
                    pos = r.pos;
                    if (descend) depth++;
                    if (pos < 0 || pos > end) throw new IndexOutOfBoundsException("DIE beyond unit");
                    continue;
                }
                if (depth == 1 && !a.wanted && a.siblingForm == DW.FORM_ref4 && a.siblingAt >= 0 && a.hasChildren) {
                    long target = Integer.toUnsignedLong(ArrayReader.int32(b, pos + a.siblingAt));
                    if (target > diePos && target <= end) {
                        pos = (int) target;
                        continue;
                    }
                }
                if (!a.hasChildren && a.fixedSize >= 0 && !(depth == 1 && a.wanted)) {
                    pos += a.fixedSize;
                    descend = false;
                } else {
                    r.pos = pos;
                    descend = depth == 1 && a.wanted ? named(u, abbrevs, a, r, diePos, diePos, end, sink, scratch)
                            : skip(u, a, r, diePos, end, depth);
                    pos = r.pos;
                }
                if (descend) depth++;
                if (pos < 0 || pos > end) throw new IndexOutOfBoundsException("DIE beyond unit");
            }
        } catch (IndexOutOfBoundsException e) {
            throw f.error(u.toString(), base + pos, "complete DIEs", "truncated data");
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

    /**
     * Reports a top-level DIE (or an enumerator, as the DIE at {@code reportPos}: its enumeration type)
     * and moves past it; true when it has children without a usable sibling (descend).
     */
    private static boolean named(Unit u, AbbrevTable abbrevs, Abbrev a, ArrayReader r, int diePos, int reportPos, int end,
                                 Sink sink, Scratch scratch) {
        if (a.fastName >= 0) return namedFast(u, a, r, diePos, reportPos, end, sink, scratch);
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
        if (nameForm == DW.FORM_strp) {
            reportStrp(u, a.tag, nameVal, reportPos, prio, r.b, end, sink, scratch);
        } else if (nameForm != 0) {
            report(u, a.tag, hash(u, r.b, end, nameForm, nameVal, scratch), reportPos, prio, sink);
        } else if (specForm != 0) {
            report(u, a.tag, specHash(u, abbrevs, r.b, end, specForm, specVal, 3, scratch), reportPos, prio, sink);
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

    /**
     * The usual named top-level DIE (vmlinux: 4 in 5 of 1.7 million): a strp name at a fixed offset, a
     * fixed declaration flag and a ref4 sibling or a fixed size. Read with no per-attribute calls.
     */
    private static boolean namedFast(Unit u, Abbrev a, ArrayReader r, int diePos, int reportPos, int end, Sink sink,
                                     Scratch scratch) {
        int start = r.pos;
        byte[] b = r.b;
        long nameVal = Integer.toUnsignedLong(ArrayReader.int32(b, start + a.fastName));
        reportStrp(u, a.tag, nameVal, reportPos, a.fastPrio, b, end, sink, scratch);
        if (a.fastSib >= 0) {
            long sib = Integer.toUnsignedLong(ArrayReader.int32(b, start + a.fastSib));
            if (sib > diePos && sib <= end) {
                r.pos = (int) sib;
                return false;
            }
        }
        if (a.fixedSize >= 0) r.pos = start + a.fixedSize;
        else DwarfFile.skipAttributes(r, u, a);
        return a.hasChildren;
    }

    /**
     * Reports a strp-named DIE unless this thread already did at this priority or higher: the same
     * header type appears in thousands of units, and this check is the whole cost of all but the first.
     */
    private static void reportStrp(Unit u, int tag, long nameVal, int diePos, int prio, byte[] unit, int end, Sink sink,
                                   Scratch scratch) {
        int key = seenEntry(nameVal, tag, 0);
        if (key == 0) { // not representable: report every time (correct, only slower)
            report(u, tag, hash(u, unit, end, DW.FORM_strp, nameVal, scratch), diePos, prio, sink);
            return;
        }
        int[] seen = scratch.seen;
        int slot = (key ^ (key >>> 13)) * 0x9E3779B1 >>> (32 - SEEN_BITS);
        int e = seen[slot];
        if ((e & ~3) == key && (e & 3) >= prio) return;
        if (report(u, tag, hash(u, unit, end, DW.FORM_strp, nameVal, scratch), diePos, prio, sink)) {
            seen[slot] = key | prio;
        }
    }

    /** strp offset (24 bits), tag (6 bits) and priority (2 bits) in an int; 0 when they do not fit. */
    private static int seenEntry(long nameVal, int tag, int prio) {
        if (nameVal >= 1 << 24 || nameVal < 0 || tag >= 64 || tag <= 0) return 0;
        return (int) nameVal << 8 | tag << 2 | prio;
    }

    /** Sets up {@link #namedFast} for a shape when it applies. */
    private static void prepareFast(Abbrev a, int offsetSize) {
        a.fastName = -1;
        if (!a.scanFixed || a.nameIdx < 0 || offsetSize != 4 || a.forms[a.nameIdx] != DW.FORM_strp) return;
        if (a.tag >= 64 || a.tag <= 0) return;
        boolean decl;
        if (a.declIdx < 0) decl = false;
        else if (a.forms[a.declIdx] == DW.FORM_flag_present) decl = true;
        else if (a.forms[a.declIdx] == DW.FORM_implicit_const && a.consts != null) decl = a.consts[a.declIdx] != 0;
        else return;
        int sib = -1;
        if (a.hasChildren && a.sibIdx >= 0) {
            if (a.forms[a.sibIdx] != DW.FORM_ref4) return;
            sib = a.offsets[a.sibIdx];
        }
        a.fastSib = sib;
        a.fastPrio = priority(a, decl);
        a.fastName = a.offsets[a.nameIdx];
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

    /** FNV-1a hash of a string attribute value; 0 for unsupported forms. */
    private static long hash(Unit u, byte[] unit, int end, int form, long v, Scratch scratch) {
        if (form == DW.FORM_string) return ArrayReader.hashCString(unit, (int) v, end);
        return u.file.stringHash(u, form, v);
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
