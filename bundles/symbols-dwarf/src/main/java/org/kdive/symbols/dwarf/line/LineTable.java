package org.kdive.symbols.dwarf.line;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.kdive.api.dump.DumpFormatException;
import org.kdive.symbols.dwarf.dwarf.DW;
import org.kdive.symbols.dwarf.dwarf.Reader;

/**
 * One unit's line program (DWARF 2–5), run to completion into rows sorted by address.
 * File names are joined with their directory, and relative directories with the unit's
 * comp_dir only when the directory entry itself is relative to it (as gdb shows them).
 */
public final class LineTable {
    /** Rows: address, file index, line, flags (bit 0 end_sequence, bit 1 is_stmt). */
    private final long[] addrs;
    private final int[] files, lines;
    private final byte[] flags;
    private final String[] fileNames;

    private LineTable(long[] addrs, int[] files, int[] lines, byte[] flags, String[] fileNames) {
        this.addrs = addrs;
        this.files = files;
        this.lines = lines;
        this.flags = flags;
        this.fileNames = fileNames;
    }

    public int rows() { return addrs.length; }

    public long address(int i) { return addrs[i]; }

    public int line(int i) { return lines[i]; }

    public boolean endSequence(int i) { return (flags[i] & 1) != 0; }

    public boolean isStmt(int i) { return (flags[i] & 2) != 0; }

    public String file(int i) {
        int f = files[i];
        return f >= 0 && f < fileNames.length && fileNames[f] != null ? fileNames[f] : "??";
    }

    /** The row describing {@code address}: the last row at or below it in a sequence that covers it; -1 if none. */
    public int find(long address) {
        int lo = 0, hi = addrs.length - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(addrs[mid], address) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (found < 0 || endSequence(found)) return -1;
        return preferred(found);
    }

    /**
     * Among the rows at row {@code last}'s address (it being the last of them), the last is_stmt row,
     * as gdb picks (non-statement rows come from inlining views), else {@code last}.
     */
    public int preferred(int last) {
        long a = addrs[last];
        for (int i = last; i >= 0 && addrs[i] == a; i--) {
            if (isStmt(i) && !endSequence(i)) return i;
        }
        return last;
    }

    /** Index of the first row with address >= {@code address}. */
    public int lowerBound(long address) {
        int lo = 0, hi = addrs.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(addrs[mid], address) < 0) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /**
     * Parses the line program at {@code offset} of .debug_line.
     *
     * @param compDir  the unit's DW_AT_comp_dir (directory 0 before DWARF 5)
     * @param unitName the unit's DW_AT_name (file 0 before DWARF 5)
     */
    public static LineTable parse(Path path, ByteBuffer line, ByteBuffer str, ByteBuffer lineStr, long offset,
                                  String compDir, String unitName, int addrSize) {
        try {
            return parse0(line, str, lineStr, offset, compDir, unitName, addrSize);
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw new DumpFormatException(path, offset, "a complete line program (.debug_line)", "truncated data");
        }
    }

    private static LineTable parse0(ByteBuffer line, ByteBuffer str, ByteBuffer lineStr, long offset, String compDir,
                                    String unitName, int addrSize) {
        if (offset < 0 || offset >= line.limit()) throw new IndexOutOfBoundsException();
        Reader r = new Reader(line, (int) offset);
        long len = r.u32();
        int offSize = 4;
        if (len == 0xffffffffL) {
            len = r.u64();
            offSize = 8;
        }
        long end = r.pos + len;
        if (end > line.limit() || len < 0) throw new IndexOutOfBoundsException();
        int version = r.u16();
        if (version < 2 || version > 5) throw new IllegalArgumentException("line version " + version);
        if (version >= 5) {
            addrSize = r.u8();
            r.u8(); // segment selector size
        }
        long headerLen = r.uN(offSize);
        if (headerLen < 0 || headerLen > end - r.pos) throw new IndexOutOfBoundsException();
        int progStart = (int) (r.pos + headerLen);
        int minInst = r.u8();
        int maxOps = version >= 4 ? r.u8() : 1;
        boolean defaultStmt = r.u8() != 0;
        int lineBase = (byte) r.u8();
        int lineRange = r.u8();
        int opcodeBase = r.u8();
        if (lineRange == 0) throw new IllegalArgumentException("line_range 0");
        int[] opLens = new int[Math.max(opcodeBase, 1)];
        for (int i = 1; i < opcodeBase; i++) opLens[i] = r.u8();
        List<String> dirs = new ArrayList<>();
        List<String> files = new ArrayList<>();
        if (version >= 5) {
            int[][] dirFormat = entryFormat(r);
            long ndirs = r.uleb();
            for (long i = 0; i < ndirs; i++) {
                if (i > 1 << 20) throw new IllegalArgumentException("too many directories");
                dirs.add(entry(r, dirFormat, str, lineStr, offSize, null)[0]);
            }
            int[][] fileFormat = entryFormat(r);
            long nfiles = r.uleb();
            for (long i = 0; i < nfiles; i++) {
                if (i > 1 << 22) throw new IllegalArgumentException("too many files");
                String[] e = entry(r, fileFormat, str, lineStr, offSize, dirs);
                files.add(e[0]);
            }
        } else {
            dirs.add(compDir);
            while (true) {
                String d = r.cString();
                if (d.isEmpty()) break;
                dirs.add(d);
            }
            files.add(unitName);
            while (true) {
                String name = r.cString();
                if (name.isEmpty()) break;
                long dir = r.uleb();
                r.uleb();
                r.uleb();
                files.add(joinDir(name, dir, dirs));
            }
        }
        if (version >= 5 && !dirs.isEmpty() && dirs.get(0) == null) dirs.set(0, compDir);

        // the state machine
        List<long[]> rows = new ArrayList<>();
        r.pos = progStart;
        long address = 0;
        int file = 1, lineNo = 1, opIndex = 0;
        boolean isStmt = defaultStmt, endSeq;
        int lastFile = -1, seqStart = 0, lastLine = 0;
        long discriminator = 0;
        boolean lineHasDiscriminator = false;
        long lastAddress = -1;
        boolean stmtAtAddress = false; // an is_stmt row was seen at lastAddress
        while (r.pos < end) {
            int op = r.u8();
            endSeq = false;
            boolean emit = false;
            if (op >= opcodeBase) {
                int adj = op - opcodeBase;
                address += (long) minInst * ((opIndex + adj / lineRange) / maxOps);
                opIndex = (opIndex + adj / lineRange) % maxOps;
                int delta = lineBase + adj % lineRange;
                lineNo += delta;
                if (delta != 0) lineHasDiscriminator = discriminator != 0;
                emit = true;
            } else if (op == 0) {
                long elen = r.uleb();
                // compared before adding: a damaged length near 2^63 would wrap the sum backwards and loop for ever
                if (elen <= 0 || elen > end - r.pos) throw new IndexOutOfBoundsException();
                int next = (int) (r.pos + elen);
                int sub = r.u8();
                switch (sub) {
                    case 1: endSeq = true; emit = true; break;
                    case 2: address = r.uN(Math.min(8, (int) elen - 1)); opIndex = 0; break;
                    case 3: files.add(r.cString()); break; // DW_LNE_define_file (old)
                    case 4: discriminator = r.uleb(); lineHasDiscriminator |= discriminator != 0; break;
                    default: break;                         // discriminator and vendor ops
                }
                r.pos = next;
            } else {
                switch (op) {
                    case 1: emit = true; break;                                   // copy
                    case 2: {                                                     // advance_pc
                        long adv = r.uleb();
                        address += minInst * ((opIndex + adv) / maxOps);
                        opIndex = (int) ((opIndex + adv) % maxOps);
                        break;
                    }
                    case 3: {                                                    // advance_line
                        int delta = (int) r.sleb();
                        lineNo += delta;
                        if (delta != 0) lineHasDiscriminator = discriminator != 0;
                        break;
                    }
                    case 4: file = (int) r.uleb(); break;                       // set_file
                    case 5: r.uleb(); break;                                    // set_column
                    case 6: isStmt = !isStmt; break;                            // negate_stmt
                    case 7: break;                                              // basic_block
                    case 8: {                                                   // const_add_pc
                        int adj = 255 - opcodeBase;
                        address += (long) minInst * ((opIndex + adj / lineRange) / maxOps);
                        opIndex = (opIndex + adj / lineRange) % maxOps;
                        break;
                    }
                    case 9: address += r.u16(); opIndex = 0; break;             // fixed_advance_pc
                    case 10: case 11: break;                                    // prologue_end, epilogue_begin
                    case 12: r.uleb(); break;                                   // set_isa
                    default:
                        for (int i = 0; i < opLens[op]; i++) r.uleb();
                }
            }
            if (emit) {
                // gdb's view of the table (what crash prints): a non-statement row that switches files at
                // the same address as a statement row is dropped; switching files (or ending the sequence)
                // at an address drops the earlier rows at that address. Without a statement row there, the
                // non-statement row stays (schedule+67 on the corpus: current.h 15 after blkdev.h 1025, both
                // non-statement, crash 8.0.2's `dis -l schedule`).
                // Repeats of a line that carries discriminators collapse into its first row.
                boolean ignore = !endSeq && file != lastFile && lastFile >= 0 && !isStmt && address == lastAddress && stmtAtAddress;
                if (!ignore && (endSeq || (file != lastFile && lastFile >= 0))) {
                    while (rows.size() > seqStart && rows.get(rows.size() - 1)[0] == address) rows.remove(rows.size() - 1);
                }
                if (endSeq) {
                    rows.add(new long[] {address, file, lineNo, 1, rows.size()});
                } else if (!ignore) {
                    if (file != lastFile || lineNo != lastLine || !lineHasDiscriminator) {
                        rows.add(new long[] {address, file, lineNo, isStmt ? 2 : 0, rows.size()});
                    }
                    lastFile = file;
                    lastLine = lineNo;
                }
                if (address != lastAddress) stmtAtAddress = false;
                stmtAtAddress |= isStmt;
                lastAddress = address;
                discriminator = 0;
                if (rows.size() > 50_000_000) throw new IllegalArgumentException("line program too long");
                if (endSeq) {
                    address = 0;
                    file = 1;
                    lineNo = 1;
                    opIndex = 0;
                    isStmt = defaultStmt;
                    stmtAtAddress = false;
                    lastFile = -1;
                    seqStart = rows.size();
                }
            }
        }
        // stable sort by address; sequences (and their end rows) keep program order at equal addresses
        rows.sort((a, b) -> {
            int c = Long.compareUnsigned(a[0], b[0]);
            if (c != 0) return c;
            // an end_sequence row at the same address as the next sequence's start goes first
            int ea = (int) (a[3] & 1), eb = (int) (b[3] & 1);
            if (ea != eb) return eb - ea;
            return Long.compare(a[4], b[4]);
        });
        int n = rows.size();
        long[] addrs = new long[n];
        int[] fs = new int[n], ls = new int[n];
        byte[] fl = new byte[n];
        for (int i = 0; i < n; i++) {
            long[] row = rows.get(i);
            addrs[i] = row[0];
            fs[i] = (int) row[1];
            ls[i] = (int) row[2];
            fl[i] = (byte) row[3];
        }
        if (version < 5) {
            // DWARF 2-4 file indices start at 1; slot 0 holds the unit name
        }
        return new LineTable(addrs, fs, ls, fl, files.toArray(String[]::new));
    }

    private static final int LNCT_path = 1, LNCT_directory_index = 2;

    private static int[][] entryFormat(Reader r) {
        int n = r.u8();
        int[][] f = new int[n][2];
        for (int i = 0; i < n; i++) {
            f[i][0] = (int) r.uleb();
            f[i][1] = (int) r.uleb();
        }
        return f;
    }

    private static String[] entry(Reader r, int[][] format, ByteBuffer str, ByteBuffer lineStr, int offSize,
                                  List<String> dirs) {
        String path = null;
        long dir = 0;
        for (int[] f : format) {
            int form = f[1];
            long v = 0;
            String s = null;
            switch (form) {
                case DW.FORM_string: s = r.cString(); break;
                case DW.FORM_line_strp: s = Reader.string(lineStr, r.uN(offSize)); break;
                case DW.FORM_strp: s = Reader.string(str, r.uN(offSize)); break;
                case DW.FORM_udata: v = r.uleb(); break;
                case DW.FORM_data1: v = r.u8(); break;
                case DW.FORM_data2: v = r.u16(); break;
                case DW.FORM_data4: v = r.u32(); break;
                case DW.FORM_data8: v = r.u64(); break;
                case DW.FORM_data16: r.pos += 16; break;
                case DW.FORM_block: { int n = (int) r.uleb(); r.pos += n; break; }
                default: throw new IllegalArgumentException("line entry form 0x" + Integer.toHexString(form));
            }
            if (f[0] == LNCT_path) path = s;
            else if (f[0] == LNCT_directory_index) dir = v;
        }
        if (dirs == null) return new String[] {path};
        return new String[] {joinDir(path, dir, dirs)};
    }

    private static String joinDir(String name, long dir, List<String> dirs) {
        if (name == null) return null;
        if (name.startsWith("/") || dir < 0 || dir >= dirs.size()) return name;
        String d = dirs.get((int) dir);
        if (d == null || d.isEmpty()) return name;
        if (dir != 0 && !d.startsWith("/") && dirs.get(0) != null && !dirs.get(0).isEmpty()) {
            d = dirs.get(0) + "/" + d;
        }
        return d.endsWith("/") ? d + name : d + "/" + name;
    }


    /** For tests: the file table. */
    public List<String> fileNames() { return Arrays.asList(fileNames); }
}
