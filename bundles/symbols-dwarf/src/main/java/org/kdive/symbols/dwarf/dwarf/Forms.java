package org.kdive.symbols.dwarf.dwarf;

/** Sizes of attribute forms. */
public final class Forms {
    private Forms() {
    }

    private static final int ADDR = -2, OFFSET = -3, REF_ADDR = -4;
    /** Sizes of the standard forms (0x00-0x2c), looked up rather than switched on: this runs for every attribute met. */
    private static final byte[] STANDARD = new byte[0x2d];

    static {
        for (int f = 0; f < STANDARD.length; f++) {
            int s = slowFixedSize(f, OFFSET, ADDR, 3);
            STANDARD[f] = (byte) (f == DW.FORM_ref_addr ? REF_ADDR : s);
        }
    }

    /** Size in bytes of a fixed-size form, -1 for variable-size forms (LEB128, strings, blocks, indirect). */
    public static int fixedSize(int form, int offsetSize, int addrSize, int version) {
        if (form < 0 || form >= STANDARD.length) return slowFixedSize(form, offsetSize, addrSize, version);
        int s = STANDARD[form];
        switch (s) {
            case ADDR: return addrSize;
            case OFFSET: return offsetSize;
            case REF_ADDR: return version <= 2 ? addrSize : offsetSize;
            default: return s;
        }
    }

    private static int slowFixedSize(int form, int offsetSize, int addrSize, int version) {
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
