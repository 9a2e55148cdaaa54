package org.kdive.symbols.dwarf;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.kdive.symbols.dwarf.dwarf.Reader;

/** .debug_aranges: address range → unit offset, sorted for lookup. */
final class Aranges {
    private final long[] starts, ends, units;

    private Aranges(long[] starts, long[] ends, long[] units) {
        this.starts = starts;
        this.ends = ends;
        this.units = units;
    }

    static Aranges parse(ByteBuffer b) {
        List<long[]> rows = new ArrayList<>();
        Reader r = new Reader(b, 0);
        try {
            while (r.pos + 12 <= b.limit()) {
                int start = r.pos;
                long len = r.u32();
                int offSize = 4;
                if (len == 0xffffffffL) {
                    len = r.u64();
                    offSize = 8;
                }
                long end = r.pos + len;
                if (end > b.limit() || len < 4) break;
                r.u16(); // version
                long cu = r.uN(offSize);
                int addrSize = r.u8();
                r.u8(); // segment selector size
                if (addrSize != 4 && addrSize != 8) {
                    r.pos = (int) end;
                    continue;
                }
                int tuple = addrSize * 2;
                int rel = r.pos - start;
                r.pos += (tuple - rel % tuple) % tuple;
                while (r.pos + tuple <= end) {
                    long a = r.uN(addrSize), l = r.uN(addrSize);
                    if (a == 0 && l == 0) break;
                    if (l != 0) rows.add(new long[] {a, a + l, cu});
                }
                r.pos = (int) end;
            }
        } catch (IndexOutOfBoundsException e) {
            // keep what was read: a truncated table only loses its tail
        }
        rows.sort((x, y) -> Long.compareUnsigned(x[0], y[0]));
        long[] s = new long[rows.size()], e = new long[rows.size()], u = new long[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            s[i] = rows.get(i)[0];
            e[i] = rows.get(i)[1];
            u[i] = rows.get(i)[2];
        }
        return new Aranges(s, e, u);
    }

    boolean isEmpty() { return starts.length == 0; }

    /** Unit offset covering the address, or -1. */
    long unitOf(long address) {
        int lo = 0, hi = starts.length - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(starts[mid], address) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (found >= 0 && Long.compareUnsigned(address, ends[found]) < 0) return units[found];
        return -1;
    }

    /** Unit offsets of every range overlapping [start, end), in address order, without repeats. */
    List<Long> unitsIn(long start, long end) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < starts.length; i++) {
            if (Long.compareUnsigned(ends[i], start) > 0 && Long.compareUnsigned(starts[i], end) < 0 && !out.contains(units[i])) {
                out.add(units[i]);
            }
        }
        return out;
    }
}
