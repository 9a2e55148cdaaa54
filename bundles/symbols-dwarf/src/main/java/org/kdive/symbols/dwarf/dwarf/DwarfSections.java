package org.kdive.symbols.dwarf.dwarf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The DWARF sections of one object (already relocated for .ko files); absent ones are empty. */
public final class DwarfSections {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
    public final ByteBuffer info, abbrev, str, lineStr, strOffsets, addr, rnglists, loclists, ranges, loc, line,
            types, aranges;

    public DwarfSections(ByteBuffer info, ByteBuffer abbrev, ByteBuffer str, ByteBuffer lineStr, ByteBuffer strOffsets,
                         ByteBuffer addr, ByteBuffer rnglists, ByteBuffer loclists, ByteBuffer ranges, ByteBuffer loc,
                         ByteBuffer line, ByteBuffer types, ByteBuffer aranges) {
        this.info = orEmpty(info);
        this.abbrev = orEmpty(abbrev);
        this.str = orEmpty(str);
        this.lineStr = orEmpty(lineStr);
        this.strOffsets = orEmpty(strOffsets);
        this.addr = orEmpty(addr);
        this.rnglists = orEmpty(rnglists);
        this.loclists = orEmpty(loclists);
        this.ranges = orEmpty(ranges);
        this.loc = orEmpty(loc);
        this.line = orEmpty(line);
        this.types = orEmpty(types);
        this.aranges = orEmpty(aranges);
    }

    private static ByteBuffer orEmpty(ByteBuffer b) { return b == null ? EMPTY : b; }

    /** A section by its ELF name (".debug_info" …), or null when this holder does not keep it. */
    public static int slot(String name) {
        switch (name) {
            case ".debug_info": return 0;
            case ".debug_abbrev": return 1;
            case ".debug_str": return 2;
            case ".debug_line_str": return 3;
            case ".debug_str_offsets": return 4;
            case ".debug_addr": return 5;
            case ".debug_rnglists": return 6;
            case ".debug_loclists": return 7;
            case ".debug_ranges": return 8;
            case ".debug_loc": return 9;
            case ".debug_line": return 10;
            case ".debug_types": return 11;
            case ".debug_aranges": return 12;
            default: return -1;
        }
    }

    public static final String[] NAMES = {".debug_info", ".debug_abbrev", ".debug_str", ".debug_line_str",
        ".debug_str_offsets", ".debug_addr", ".debug_rnglists", ".debug_loclists", ".debug_ranges", ".debug_loc",
        ".debug_line", ".debug_types", ".debug_aranges"};

    public static DwarfSections of(ByteBuffer[] s) {
        return new DwarfSections(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10], s[11], s[12]);
    }
}
