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

    /** Per-thread buffers: a heap copy of the unit (faster to read than the mapping) and a string-hash cache. */
    public static final class Scratch {
        byte[] unit = new byte[1 << 20];
        final long[] strOff = new long[1 << 16];
        final long[] strHash = new long[1 << 16];
        final long[] seenKey = new long[1 << 16];
        final byte[] seenPrio = new byte[1 << 16];

        public Scratch() {
            java.util.Arrays.fill(strOff, -1);
        }
    }

    /** Scans a unit; a malformed unit raises a format error naming it. */
    public static void scan(Unit u, Sink sink, java.util.function.IntPredicate wanted, Scratch scratch) {
        if (u.unitType == DW.UT_skeleton || u.unitType == DW.UT_partial) return;
        AbbrevTable abbrevs = u.abbrevs();
        int base = (int) u.offset;
        int end = (int) (u.end - u.offset);
        if (scratch.unit.length < end) scratch.unit = new byte[Math.max(end, scratch.unit.length * 2)];
        u.section().get(base, scratch.unit, 0, end);
        // positions below are relative to the unit start, as unit-relative references are
        java.nio.ByteBuffer copy = java.nio.ByteBuffer.wrap(scratch.unit, 0, end).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        Reader r = new Reader(copy, u.dieStart - base);
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
                if (depth == 1 && wanted.test(a.tag)) {
                    named(u, a, r, diePos, sink, scratch);
                    continue;
                }
                if (a.hasChildren && depth >= 1) {
                    int sib = a.siblingAt;
                    if (sib >= 0 && a.siblingForm == DW.FORM_ref4) {
                        long target = Integer.toUnsignedLong(copy.getInt(r.pos + sib));
                        if (target > diePos && target <= end) {
                            r.pos = (int) target;
                            continue;
                        }
                    }
                    long target = skipCapturingSibling(r, u, a);
                    if (target > diePos && target <= end) {
                        r.pos = (int) target;
                    } else {
                        depth++;
                    }
                    continue;
                }
                DwarfFile.skipAttributes(r, u, a);
                if (a.hasChildren) depth++;
            }
        } catch (IndexOutOfBoundsException e) {
            throw f.error(u.toString(), base + r.pos, "complete DIEs", "truncated data");
        }
    }

    public static void scan(Unit u, Sink sink, java.util.function.IntPredicate wanted) {
        scan(u, sink, wanted, new Scratch());
    }

    private static long skipCapturingSibling(Reader r, Unit u, Abbrev a) {
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

    private static void named(Unit u, Abbrev a, Reader r, int diePos, Sink sink, Scratch scratch) {
        DwarfFile f = u.file;
        int[] forms = a.forms, attrs = a.attrs;
        int nameForm = 0, specForm = 0;
        long nameVal = 0, specVal = 0, sib = -1;
        boolean decl = false, location = false, code = false, inline = false, size = false;
        for (int i = 0; i < forms.length; i++) {
            int at = attrs[i];
            int form = forms[i];
            if (form == DW.FORM_indirect) form = (int) r.uleb();
            switch (at) {
                case DW.AT_name:
                    nameForm = form;
                    nameVal = value(r, u, form);
                    break;
                case DW.AT_specification: case DW.AT_abstract_origin:
                    specForm = form;
                    specVal = value(r, u, form);
                    break;
                case DW.AT_declaration:
                    decl = form == DW.FORM_flag_present || (form == DW.FORM_implicit_const ? a.consts[i] != 0 : value(r, u, form) != 0);
                    break;
                case DW.AT_sibling:
                    if (form != DW.FORM_ref_addr && form != DW.FORM_ref_sig8) sib = value(r, u, form);
                    else DwarfFile.skip(r, u, form);
                    break;
                case DW.AT_location: location = true; DwarfFile.skip(r, u, form); break;
                case DW.AT_low_pc: case DW.AT_ranges: code = true; DwarfFile.skip(r, u, form); break;
                case DW.AT_inline: inline = true; DwarfFile.skip(r, u, form); break;
                case DW.AT_byte_size: size = true; DwarfFile.skip(r, u, form); break;
                default: {
                    int sz = a.sizes[i];
                    if (sz >= 0 && form == forms[i]) r.pos += sz;
                    else DwarfFile.skip(r, u, form);
                }
            }
        }
        int after = r.pos;
        int prio;
        switch (a.tag) {
            case DW.TAG_variable: prio = location ? 3 : decl ? 1 : 2; break;
            case DW.TAG_subprogram: prio = code ? 3 : (inline || !decl) ? 2 : 1; break;
            case DW.TAG_structure_type: case DW.TAG_union_type: case DW.TAG_enumeration_type: case DW.TAG_class_type:
                prio = decl ? 1 : size || a.hasChildren ? 3 : 2;
                break;
            default: prio = decl ? 1 : 2;
        }
        // the same header type appears in thousands of units: once seen at this priority, skip it cheaply
        boolean repeat = false;
        int seenSlot = 0;
        long seenKey = 0;
        if (nameForm == DW.FORM_strp) {
            seenKey = (nameVal << 8) | (a.tag & 0xff);
            seenSlot = (int) (seenKey ^ (seenKey >>> 17) ^ (seenKey >>> 31)) & (scratch.seenKey.length - 1);
            repeat = scratch.seenKey[seenSlot] == seenKey && scratch.seenPrio[seenSlot] >= prio;
        }
        long hash = 0;
        if (repeat) {
            hash = 0;
        } else if (nameForm == DW.FORM_string) {
            hash = Reader.hashCString(r.buf, (int) nameVal);
        } else if (nameForm == DW.FORM_strp) {
            int slot = (int) (nameVal ^ (nameVal >>> 16)) & (scratch.strOff.length - 1);
            if (scratch.strOff[slot] == nameVal) {
                hash = scratch.strHash[slot];
            } else {
                hash = f.stringHash(u, nameForm, nameVal);
                scratch.strOff[slot] = nameVal;
                scratch.strHash[slot] = hash;
            }
        } else if (nameForm != 0) {
            hash = f.stringHash(u, nameForm, nameVal);
        } else if (specForm != 0) {
            hash = nameThrough(f, f.resolveRef(u, specForm, specVal), 3);
        }
        if (hash != 0) {
            if (nameForm == DW.FORM_strp) {
                scratch.seenKey[seenSlot] = seenKey;
                scratch.seenPrio[seenSlot] = (byte) prio;
            }
            sink.name(a.tag, hash, DwarfFile.ref(u.inTypes, u.offset + diePos), prio);
        }
        if (a.hasChildren) {
            if (sib > diePos && sib <= r.buf.limit()) {
                r.pos = (int) sib;
            } else {
                Die d = f.die(u, (int) u.offset + diePos);
                r.pos = d == null ? after : f.next(d) - (int) u.offset;
            }
        }
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

    private static long value(Reader r, Unit u, int form) {
        switch (form) {
            case DW.FORM_data1: case DW.FORM_ref1: case DW.FORM_flag: case DW.FORM_strx1: return r.u8();
            case DW.FORM_data2: case DW.FORM_ref2: case DW.FORM_strx2: return r.u16();
            case DW.FORM_strx3: return r.u24();
            case DW.FORM_data4: case DW.FORM_ref4: case DW.FORM_strx4: return r.u32();
            case DW.FORM_data8: case DW.FORM_ref8: case DW.FORM_ref_sig8: return r.u64();
            case DW.FORM_udata: case DW.FORM_ref_udata: case DW.FORM_strx: case DW.FORM_GNU_str_index: return r.uleb();
            case DW.FORM_sdata: return r.sleb();
            case DW.FORM_strp: case DW.FORM_line_strp: case DW.FORM_sec_offset: return r.uN(u.offsetSize);
            case DW.FORM_ref_addr: return r.uN(u.version <= 2 ? u.addrSize : u.offsetSize);
            case DW.FORM_string: {
                int p = r.pos;
                r.skipCString();
                return p;
            }
            case DW.FORM_flag_present: return 1;
            default:
                DwarfFile.skip(r, u, form);
                return 0;
        }
    }
}
