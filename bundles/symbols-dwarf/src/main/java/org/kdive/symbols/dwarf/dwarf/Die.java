package org.kdive.symbols.dwarf.dwarf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A decoded debugging information entry: its attribute values, read eagerly (they are few). */
public final class Die {
    public final Unit unit;
    public final int offset;       // within the unit's section
    public final Abbrev abbrev;
    final long[] values;           // constants, offsets, indices, or a position for blocks and inline strings
    final int[] lens;              // block lengths
    final int[] forms;             // forms after DW_FORM_indirect
    public final int end;          // position after the attributes: the first child, if any

    Die(Unit unit, int offset, Abbrev abbrev, long[] values, int[] lens, int[] forms, int end) {
        this.unit = unit;
        this.offset = offset;
        this.abbrev = abbrev;
        this.values = values;
        this.lens = lens;
        this.forms = forms;
        this.end = end;
    }

    public int tag() { return abbrev.tag; }

    public boolean hasChildren() { return abbrev.hasChildren; }

    /** A reference to this DIE usable with {@link DwarfFile#die(long)}. */
    public long ref() { return DwarfFile.ref(unit.inTypes, offset); }

    public boolean has(int at) { return abbrev.indexOf(at) >= 0; }

    public int form(int at) {
        int i = abbrev.indexOf(at);
        return i < 0 ? 0 : forms[i];
    }

    public long udata(int at, long dflt) {
        int i = abbrev.indexOf(at);
        return i < 0 ? dflt : values[i];
    }

    /** A constant, sign-extended for fixed-size data forms (as for enumerators of a signed type). */
    public long sdata(int at, long dflt) {
        int i = abbrev.indexOf(at);
        if (i < 0) return dflt;
        long v = values[i];
        switch (forms[i]) {
            case DW.FORM_data1: return (byte) v;
            case DW.FORM_data2: return (short) v;
            case DW.FORM_data4: return (int) v;
            default: return v;
        }
    }

    public boolean flag(int at) {
        int i = abbrev.indexOf(at);
        return i >= 0 && values[i] != 0;
    }

    public String name() { return string(DW.AT_name); }

    public String string(int at) {
        int i = abbrev.indexOf(at);
        return i < 0 ? null : unit.file.string(unit, forms[i], values[i]);
    }

    /** Hash of a string attribute without building it; 0 when absent. */
    public long stringHash(int at) {
        int i = abbrev.indexOf(at);
        return i < 0 ? 0 : unit.file.stringHash(unit, forms[i], values[i]);
    }

    /** A reference attribute as a DIE reference for {@link DwarfFile#die(long)}; -1 when absent or unresolvable. */
    public long reference(int at) {
        int i = abbrev.indexOf(at);
        if (i < 0) return -1;
        return unit.file.resolveRef(unit, forms[i], values[i]);
    }

    /** An address attribute (DW_FORM_addr or addrx*). */
    public long address(int at) {
        int i = abbrev.indexOf(at);
        if (i < 0) return 0;
        return unit.file.address(unit, forms[i], values[i]);
    }

    /** Whether a constant attribute came as a block or expression (as data_member_location may). */
    public boolean isBlock(int at) {
        int f = form(at);
        return f == DW.FORM_exprloc || f == DW.FORM_block || f == DW.FORM_block1 || f == DW.FORM_block2
                || f == DW.FORM_block4;
    }

    public boolean isConstantForm(int at) {
        int f = form(at);
        return f == DW.FORM_data1 || f == DW.FORM_data2 || f == DW.FORM_data4 || f == DW.FORM_data8
                || f == DW.FORM_sdata || f == DW.FORM_udata || f == DW.FORM_implicit_const;
    }

    /** The bytes of a block or expression attribute; null when absent or not a block. */
    public ByteBuffer block(int at) {
        int i = abbrev.indexOf(at);
        if (i < 0 || !isBlock(at)) return null;
        ByteBuffer s = unit.section();
        return s.duplicate().position((int) values[i]).limit((int) values[i] + lens[i]).slice()
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public String toString() {
        return "DIE 0x" + Integer.toHexString(offset) + " tag 0x" + Integer.toHexString(tag());
    }
}
