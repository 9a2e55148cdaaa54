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
    private Abbrev[] dense = new Abbrev[64];
    private Map<Long, Abbrev> sparse;
    private byte[] src;   // lazy tables: the .debug_abbrev bytes
    private int[] declAt; // lazy tables: per dense code, 1 + the declaration's position (0: none)
    private Scratch scratch;

    /** Parses the table at the reader's position; throws IndexOutOfBoundsException on truncation. */
    static AbbrevTable parse(ArrayReader r) {
        return parse(r, false);
    }

    /** As {@link #parse(ArrayReader)}; a lazy table is for one thread only. */
    static AbbrevTable parse(ArrayReader r, boolean lazy) {
        AbbrevTable t = new AbbrevTable();
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
        r.pos++;      // children
        for (int n = 0; ; n++) {
            int at = (int) r.uleb(), form = (int) r.uleb();
            if (form == DW.FORM_implicit_const) r.sleb();
            if (at == 0 && form == 0) return;
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
        Abbrev a = declaration(r, scratch);
        put(code, a);
        return a;
    }

    void layout(int offsetSize, int addrSize, int version) {
        for (Abbrev a : dense) if (a != null && a.fixedSize == -2) a.layout(offsetSize, addrSize, version);
        if (sparse != null) for (Abbrev a : sparse.values()) if (a.fixedSize == -2) a.layout(offsetSize, addrSize, version);
    }
}
