package org.kdive.symbols.dwarf.dwarf;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/** The abbreviations at one .debug_abbrev offset, indexed by code. */
public final class AbbrevTable {
    private Abbrev[] dense = new Abbrev[64];
    private Map<Long, Abbrev> sparse;

    /** Parses the table at {@code offset}; throws IndexOutOfBoundsException on truncation. */
    static AbbrevTable parse(ArrayReader r) {
        AbbrevTable t = new AbbrevTable();
        int[] attrs = new int[16], forms = new int[16];
        long[] consts = new long[16];
        while (true) {
            long code = r.uleb();
            if (code == 0) break;
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
                if (n == attrs.length) {
                    if (n > 4096) throw new IndexOutOfBoundsException("abbreviation with more than 4096 attributes");
                    attrs = Arrays.copyOf(attrs, n * 2);
                    forms = Arrays.copyOf(forms, n * 2);
                    consts = Arrays.copyOf(consts, n * 2);
                }
                attrs[n] = at;
                forms[n] = form;
                consts[n] = c;
                n++;
            }
            t.put(code, new Abbrev(tag, children, Arrays.copyOf(attrs, n), Arrays.copyOf(forms, n),
                    anyConst ? Arrays.copyOf(consts, n) : null));
        }
        return t;
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
        if (code > 0 && code < dense.length) return dense[(int) code];
        return sparse == null ? null : sparse.get(code);
    }

    void layout(int offsetSize, int addrSize, int version) {
        for (Abbrev a : dense) if (a != null && a.fixedSize == -2) a.layout(offsetSize, addrSize, version);
        if (sparse != null) for (Abbrev a : sparse.values()) if (a.fixedSize == -2) a.layout(offsetSize, addrSize, version);
    }
}
