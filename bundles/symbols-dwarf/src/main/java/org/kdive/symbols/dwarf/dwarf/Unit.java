package org.kdive.symbols.dwarf.dwarf;

import java.nio.ByteBuffer;

/** A unit header of .debug_info or .debug_types, plus the bases its root DIE sets (read on demand). */
public final class Unit {
    public final DwarfFile file;
    public final boolean inTypes;     // .debug_types (DWARF 4) rather than .debug_info
    public final long offset;         // of the header within its section
    public final long end;            // one past the unit
    public final int version, unitType, addrSize, offsetSize;
    public final long abbrevOffset;
    public final int dieStart;        // first DIE
    public final long signature;      // type units
    public final long typeOffset;     // type units: section offset of the type DIE

    private volatile AbbrevTable abbrevs;
    private volatile boolean rootRead, basesRead;
    private boolean reading;
    long strOffsetsBase = -1, addrBase = 8, rnglistsBase = 0, loclistsBase = 0, lowPc = 0, stmtList = -1;
    String compDir, name;

    Unit(DwarfFile file, boolean inTypes, long offset, long end, int version, int unitType, int addrSize,
         int offsetSize, long abbrevOffset, int dieStart, long signature, long typeOffset) {
        this.file = file;
        this.inTypes = inTypes;
        this.offset = offset;
        this.end = end;
        this.version = version;
        this.unitType = unitType;
        this.addrSize = addrSize;
        this.offsetSize = offsetSize;
        this.abbrevOffset = abbrevOffset;
        this.dieStart = dieStart;
        this.signature = signature;
        this.typeOffset = typeOffset;
    }

    public ByteBuffer section() { return inTypes ? file.sections.types : file.sections.info; }

    public boolean isTypeUnit() { return unitType == DW.UT_type || unitType == DW.UT_split_type; }

    public AbbrevTable abbrevs() {
        AbbrevTable t = abbrevs;
        if (t == null) {
            t = file.abbrevTable(this);
            abbrevs = t;
        }
        return t;
    }

    /** Reads the root DIE for the bases (str_offsets, addr, rnglists, loclists), comp_dir, name, stmt_list. */
    public void readRoot() {
        if (rootRead) return;
        synchronized (this) {
            if (rootRead || reading) return; // reading: re-entered while decoding the root itself
            reading = true;
            try {
                Die root = file.die(this, dieStart);
                if (root != null) {
                    if (root.has(DW.AT_str_offsets_base)) strOffsetsBase = root.udata(DW.AT_str_offsets_base, 0);
                    if (root.has(DW.AT_addr_base)) addrBase = root.udata(DW.AT_addr_base, 8);
                    else if (root.has(DW.AT_GNU_addr_base)) addrBase = root.udata(DW.AT_GNU_addr_base, 0);
                    if (root.has(DW.AT_rnglists_base)) rnglistsBase = root.udata(DW.AT_rnglists_base, 0);
                    if (root.has(DW.AT_loclists_base)) loclistsBase = root.udata(DW.AT_loclists_base, 0);
                    basesRead = true;
                    lowPc = root.has(DW.AT_low_pc) ? root.address(DW.AT_low_pc) : 0;
                    if (root.has(DW.AT_stmt_list)) stmtList = root.udata(DW.AT_stmt_list, -1);
                    compDir = root.string(DW.AT_comp_dir);
                    name = root.string(DW.AT_name);
                }
            } finally {
                basesRead = true;
                rootRead = true;
                reading = false;
            }
        }
    }

    void ensureBases() {
        if (!basesRead) readRoot();
    }

    public String compDir() {
        readRoot();
        return compDir;
    }

    public String name() {
        readRoot();
        return name;
    }

    public long stmtList() {
        readRoot();
        return stmtList;
    }

    public long lowPc() {
        readRoot();
        return lowPc;
    }

    long strOffsetsBase() {
        ensureBases();
        return strOffsetsBase >= 0 ? strOffsetsBase : (version >= 5 ? 8 : 0);
    }

    public boolean contains(long sectionOffset) { return sectionOffset >= offset && sectionOffset < end; }

    @Override
    public String toString() {
        return (inTypes ? ".debug_types" : ".debug_info") + " unit at 0x" + Long.toHexString(offset);
    }
}
