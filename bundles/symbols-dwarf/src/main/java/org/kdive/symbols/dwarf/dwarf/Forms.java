package org.kdive.symbols.dwarf.dwarf;

/** Sizes of attribute forms. */
public final class Forms {
    private Forms() {
    }

    /** Size in bytes of a fixed-size form, -1 for variable-size forms (LEB128, strings, blocks, indirect). */
    public static int fixedSize(int form, int offsetSize, int addrSize, int version) {
        switch (form) {
            case DW.FORM_addr: return addrSize;
            case DW.FORM_data1: case DW.FORM_ref1: case DW.FORM_flag: case DW.FORM_strx1: case DW.FORM_addrx1: return 1;
            case DW.FORM_data2: case DW.FORM_ref2: case DW.FORM_strx2: case DW.FORM_addrx2: return 2;
            case DW.FORM_strx3: case DW.FORM_addrx3: return 3;
            case DW.FORM_data4: case DW.FORM_ref4: case DW.FORM_ref_sup4: case DW.FORM_strx4: case DW.FORM_addrx4: return 4;
            case DW.FORM_data8: case DW.FORM_ref8: case DW.FORM_ref_sig8: case DW.FORM_ref_sup8: return 8;
            case DW.FORM_data16: return 16;
            case DW.FORM_strp: case DW.FORM_sec_offset: case DW.FORM_line_strp: case DW.FORM_strp_sup:
            case DW.FORM_GNU_ref_alt: case DW.FORM_GNU_strp_alt:
                return offsetSize;
            case DW.FORM_ref_addr: return version <= 2 ? addrSize : offsetSize;
            case DW.FORM_flag_present: case DW.FORM_implicit_const: return 0;
            default: return -1;
        }
    }
}
