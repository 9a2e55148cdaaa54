package org.kdive.symbols.dwarf.dwarf;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The abbreviations at one .debug_abbrev offset, indexed by code. A lazy table (the index scan's,
 * used by one thread) only notes where each declaration is and decodes it on first use: the scan
 * skips nested DIEs, so about half of vmlinux's 300k declarations are never needed.
 */
public final class AbbrevTable {
    private static final int MAX_ATTRIBUTES = 4096;
    Abbrev[] dense = new Abbrev[64]; // by code; read directly by the index scan
    private Map<Long, Abbrev> sparse;
    private byte[] src;   // lazy tables: the .debug_abbrev bytes
    private int[] declAt; // lazy tables: per dense code, 1 + the declaration's position (0: none)
    private Scratch scratch;
    private Interner interner; // lazy tables of one thread: declarations shared with its other tables

    /** Parses the table at the reader's position; throws IndexOutOfBoundsException on truncation. */
    static AbbrevTable parse(ArrayReader r) {
        return parse(r, false);
    }

    /** As {@link #parse(ArrayReader)}; a lazy table is for one thread only. */
    static AbbrevTable parse(ArrayReader r, boolean lazy) {
        return parse(r, lazy, null);
    }

    /** A lazy table whose declarations come from (and go to) a thread's interner when non-null. */
    static AbbrevTable parse(ArrayReader r, boolean lazy, Interner interner) {
        AbbrevTable t = new AbbrevTable();
        t.interner = lazy && interner != null && interner.src == r.b ? interner : null;
        Scratch s = new Scratch();
        if (lazy) {
            t.src = r.b;
            t.declAt = new int[64];
        }
        while (true) {
            int at = r.pos;
            long code = r.uleb();
            if (code == 0) break;
            if (lazy && code > 0 && code < 1 << 16) {
                skipDeclaration(r);
                int c = (int) code;
                if (c >= t.declAt.length) t.declAt = Arrays.copyOf(t.declAt, Math.max(c + 1, t.declAt.length * 2));
                t.declAt[c] = at + 1;
            } else {
                t.put(code, declaration(r, s));
            }
        }
        return t;
    }

    /** Growable buffers for one declaration's attributes. */
    private static final class Scratch {
        int[] attrs = new int[16], forms = new int[16];
        long[] consts = new long[16];
    }

    private static Abbrev declaration(ArrayReader r, Scratch s) {
        int tag = (int) r.uleb();
        boolean children = r.u8() != 0;
        int n = 0;
        boolean anyConst = false;
        while (true) {
            int at = (int) r.uleb(), form = (int) r.uleb();
            long c = 0;
            if (form == DW.FORM_implicit_const) {
                c = r.sleb();
                anyConst = true;
            }
            if (at == 0 && form == 0) break;
            if (n == s.attrs.length) {
                if (n > MAX_ATTRIBUTES) throw new IndexOutOfBoundsException("abbreviation with more than 4096 attributes");
                s.attrs = Arrays.copyOf(s.attrs, n * 2);
                s.forms = Arrays.copyOf(s.forms, n * 2);
                s.consts = Arrays.copyOf(s.consts, n * 2);
            }
            s.attrs[n] = at;
            s.forms[n] = form;
            s.consts[n] = c;
            n++;
        }
        return new Abbrev(tag, children, Arrays.copyOf(s.attrs, n), Arrays.copyOf(s.forms, n),
                anyConst ? Arrays.copyOf(s.consts, n) : null);
    }

    /** Steps over a declaration after its code, with the same checks as {@link #declaration}. */
    private static void skipDeclaration(ArrayReader r) {
        r.skipUleb(); // tag
        byte[] b = r.b;
        int p = r.pos + 1; // after the children flag
        // every declaration of every table is stepped over (vmlinux: 300k, 2M attributes): one-byte
        // attribute and form codes, nearly all of them, are read here without calls
        for (int n = 0; ; n++) {
            int at = b[p], form = b[p + 1];
            if (at >= 0 && form >= 0 && form != DW.FORM_implicit_const) {
                p += 2;
            } else {
                r.pos = p;
                at = (int) r.uleb();
                form = (int) r.uleb();
                if (form == DW.FORM_implicit_const) r.sleb();
                p = r.pos;
            }
            if (at == 0 && form == 0) {
                r.pos = p;
                return;
            }
            if (n > 2 * MAX_ATTRIBUTES) throw new IndexOutOfBoundsException("abbreviation with more than 4096 attributes");
        }
    }

    private void put(long code, Abbrev a) {
        if (code > 0 && code < 1 << 16) {
            if (code >= dense.length) dense = Arrays.copyOf(dense, Math.max((int) code + 1, dense.length * 2));
            dense[(int) code] = a;
        } else {
            if (sparse == null) sparse = new HashMap<>();
            sparse.put(code, a);
        }
    }

    /** null when the code is not defined. */
    public Abbrev get(long code) {
        if (code > 0 && code < dense.length) {
            Abbrev a = dense[(int) code];
            if (a != null || declAt == null) return a;
        }
        if (declAt != null && code > 0 && code < declAt.length && declAt[(int) code] != 0) return decode((int) code);
        return sparse == null ? null : sparse.get(code);
    }

    private Abbrev decode(int code) {
        ArrayReader r = new ArrayReader(src, declAt[code] - 1);
        r.skipUleb(); // the code
        if (scratch == null) scratch = new Scratch();
        Abbrev a;
        if (interner != null) {
            int from = r.pos;
            skipDeclaration(r);
            a = interner.get(from, r.pos);
            if (a == null) {
                int to = r.pos;
                r.pos = from;
                a = declaration(r, scratch);
                interner.put(from, to, a);
            }
        } else {
            a = declaration(r, scratch);
        }
        put(code, a);
        return a;
    }

    /**
     * Declarations by content, for one thread's lazy tables over one .debug_abbrev copy and units of
     * one shape (offset size, address size, version): vmlinux's 2,000 tables mostly repeat the same few
     * hundred declarations under other codes, so each is decoded and laid out once, not per table.
     * Shared Abbrev objects are laid out for that shape only: a unit of another shape empties it.
     */
    public static final class Interner {
        private final byte[] src;
        private int shape = -1;
        private int[] from = new int[1024], to = new int[1024];
        private long[] hashes = new long[1024];
        private Abbrev[] vals = new Abbrev[1024];
        private int count;

        public Interner(byte[] abbrevBytes) {
            this.src = abbrevBytes;
        }

        /** Readies it for a unit's shape (forgetting declarations laid out for another). */
        void forShape(int offsetSize, int addrSize, int version) {
            int s = offsetSize << 16 | addrSize << 8 | version;
            if (s == shape) return;
            shape = s;
            java.util.Arrays.fill(vals, null);
            java.util.Arrays.fill(hashes, 0);
            count = 0;
        }

        Abbrev get(int f, int t) {
            long h = hash(f, t);
            int mask = vals.length - 1;
            for (int i = (int) (h ^ h >>> 29) & mask; vals[i] != null; i = (i + 1) & mask) {
                if (hashes[i] == h && Arrays.equals(src, from[i], to[i], src, f, t)) return vals[i];
            }
            return null;
        }

        void put(int f, int t, Abbrev a) {
            if ((count + 1) * 2 > vals.length) grow();
            long h = hash(f, t);
            int mask = vals.length - 1;
            int i = (int) (h ^ h >>> 29) & mask;
            while (vals[i] != null) i = (i + 1) & mask;
            from[i] = f;
            to[i] = t;
            hashes[i] = h;
            vals[i] = a;
            count++;
        }

        private void grow() {
            int[] of = from, ot = to;
            long[] oh = hashes;
            Abbrev[] ov = vals;
            int n = ov.length * 2;
            from = new int[n];
            to = new int[n];
            hashes = new long[n];
            vals = new Abbrev[n];
            int mask = n - 1;
            for (int j = 0; j < ov.length; j++) {
                if (ov[j] == null) continue;
                int i = (int) (oh[j] ^ oh[j] >>> 29) & mask;
                while (vals[i] != null) i = (i + 1) & mask;
                from[i] = of[j];
                to[i] = ot[j];
                hashes[i] = oh[j];
                vals[i] = ov[j];
            }
        }

        private long hash(int f, int t) {
            long h = 0xcbf29ce484222325L;
            for (int i = f; i < t; i++) h = (h ^ (src[i] & 0xff)) * 0x100000001b3L;
            return h;
        }
    }

    void layout(int offsetSize, int addrSize, int version) {
        for (Abbrev a : dense) if (a != null && a.fixedSize == -2) a.layout(offsetSize, addrSize, version);
        if (sparse != null) for (Abbrev a : sparse.values()) if (a.fixedSize == -2) a.layout(offsetSize, addrSize, version);
    }
}
