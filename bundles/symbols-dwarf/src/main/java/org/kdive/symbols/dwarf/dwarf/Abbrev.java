package org.kdive.symbols.dwarf.dwarf;

/** One abbreviation declaration: the shape of a DIE. */
public final class Abbrev {
    public final int tag;
    public final boolean hasChildren;
    public final int[] attrs;
    public final int[] forms;
    public final long[] consts; // DW_FORM_implicit_const values
    /** Sum of the attribute sizes when all are fixed for this unit's sizes, else -1. */
    int fixedSize = -2;
    /** Byte offset of DW_AT_sibling from the DIE's attribute start when everything before it is fixed, else -1. */
    int siblingAt = -2;
    /** DW_FORM of DW_AT_sibling, 0 when absent. */
    int siblingForm;
    /** Per attribute: fixed size, or -1 when variable. */
    int[] sizes;
    /** Per attribute: byte offset from the attribute start when every attribute before it is fixed, else -1. */
    int[] offsets;

    // For the index scan (see NameScanner), set by layout: attribute indices, -1 when absent ...
    int nameIdx = -1, specIdx = -1, declIdx = -1, sibIdx = -1;
    // ... whether those four sit at fixed offsets, and which attributes the entry's priority depends on
    boolean scanFixed, hasLocation, hasCode, hasInline, hasSize;
    /** Whether the index scan reports DIEs of this shape (set with the layout by the scan's thread). */
    boolean wanted;
    /** Whether {@code wanted} and the fast path below are set (a layout alone can come from another use). */
    boolean scanReady;
    /**
     * The index scan's fast path (set with {@code wanted}): offset of a 4-byte DW_FORM_strp name, or -1
     * when the DIE needs the general path; offset of a DW_FORM_ref4 sibling or -1; the entry's priority
     * when it does not depend on the DIE's values.
     */
    int fastName = -1, fastSib = -1, fastPrio;

    Abbrev(int tag, boolean hasChildren, int[] attrs, int[] forms, long[] consts) {
        this.tag = tag;
        this.hasChildren = hasChildren;
        this.attrs = attrs;
        this.forms = forms;
        this.consts = consts;
    }

    public int indexOf(int attr) {
        for (int i = 0; i < attrs.length; i++) if (attrs[i] == attr) return i;
        return -1;
    }

    /** Precomputes the fixed layout for a unit's offset/address sizes (all units sharing a table agree in practice). */
    void layout(int offsetSize, int addrSize, int version) {
        int size = 0, sib = -1;
        boolean fixed = true;
        int[] sz = new int[forms.length], at = new int[forms.length];
        for (int i = 0; i < forms.length; i++) {
            at[i] = fixed ? size : -1;
            if (attrs[i] == DW.AT_sibling) {
                siblingForm = forms[i];
                if (fixed) sib = size;
            }
            int s = Forms.fixedSize(forms[i], offsetSize, addrSize, version);
            sz[i] = s;
            if (s < 0) fixed = false;
            else size += s;
        }
        boolean needFixed = true;
        for (int i = 0; i < forms.length; i++) {
            switch (attrs[i]) {
                case DW.AT_name: nameIdx = i; break;
                case DW.AT_specification: specIdx = i; break; // preferred over the origin, as DwarfDebugInfo does
                case DW.AT_abstract_origin: if (specIdx < 0 || attrs[specIdx] != DW.AT_specification) specIdx = i; break;
                case DW.AT_declaration: declIdx = i; break;
                case DW.AT_sibling: sibIdx = i; break;
                case DW.AT_location: hasLocation = true; continue;
                case DW.AT_low_pc: case DW.AT_ranges: hasCode = true; continue;
                case DW.AT_inline: hasInline = true; continue;
                case DW.AT_byte_size: hasSize = true; continue;
                default: continue;
            }
            if (at[i] < 0) needFixed = false;
        }
        scanFixed = needFixed;
        offsets = at;
        sizes = sz;
        siblingAt = sib;
        fixedSize = fixed ? size : -1;
    }
}
