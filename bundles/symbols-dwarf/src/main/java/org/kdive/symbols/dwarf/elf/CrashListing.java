package org.kdive.symbols.dwarf.elf;

import java.util.Arrays;
import org.kdive.api.symbols.Symbol;

/**
 * A linked kernel's symbols in the order crash keeps its kernel symbol table (symbols.c symtab_init,
 * store_symbols), which sym -l lists and sym NAME, -p and -n walk:
 * <ul>
 * <li>every .symtab entry, section symbols under their section's name and repeated identical entries
 * (.LC0 several times at one address) included;
 * <li>sorted by the file's value, then by the ELF name as strcmp orders it (before .isra./.part./
 * .llvm. are cut), entries equal in both in .symtab order.
 * </ul>
 * Which of them crash then keeps is the machine's rule (x86_64 drops what lies below _text but the
 * per-CPU symbols): that is {@code KernelArch.kernelSymbolTable}'s, applied by the command on this
 * order. Built from what reading .symtab collected, on first use of the listing: naming an address
 * and finding a name do not need it.
 */
final class CrashListing {
    private final Symbol[] entries;  // in .symtab order
    private final long[] values;     // the file's value of each
    private final String[] elfNames; // the ELF name where crash's name cut it; null if none was cut
    private final int[] refs;        // each entry's place in ElfSymbols: symbol i as i, section symbol j as ~j

    private CrashListing(Symbol[] entries, long[] values, String[] elfNames, int[] refs) {
        this.entries = entries;
        this.values = values;
        this.elfNames = elfNames;
        this.refs = refs;
    }

    /** Whether crash builds its table this way from this file: a linked kernel (modules: see ElfSymbols). */
    static boolean applies(ElfFile elf, String module) {
        return module == null && !elf.isRelocatable();
    }

    /** crash's table, in its order. */
    Symbol[] symbols() {
        int[] order = order();
        Symbol[] out = new Symbol[order.length];
        for (int k = 0; k < order.length; k++) out[k] = entries[order[k]];
        return out;
    }

    /** The entries' places in ElfSymbols (symbol i as i, section symbol j as ~j), in crash's order. */
    int[] refsInOrder() {
        int[] order = order();
        int[] out = new int[order.length];
        for (int k = 0; k < order.length; k++) out[k] = refs[order[k]];
        return out;
    }

    /** Entry indices in crash's order. */
    private int[] order() {
        int n = entries.length;
        int[] order = byValue(n);
        for (int start = 0; start < n; ) { // runs of one value: by ELF name
            int end = start + 1;
            while (end < n && values[order[end]] == values[order[start]]) end++;
            if (end - start > 1) sortByName(order, start, end);
            start = end;
        }
        return order;
    }

    /** Entry indices by unsigned value, .symtab order among equal values: one primitive sort of (rank, index). */
    private int[] byValue(int n) {
        long[] ranks = ElfSymbols.unsignedRanks(values);
        int idxBits = 32 - Integer.numberOfLeadingZeros(Math.max(n, 1));
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) keys[i] = (ranks[i] << idxBits) | i;
        return ElfSymbols.sortedIndices(keys, idxBits);
    }

    /** Stable by ELF name (strcmp: kernel names are ASCII, where String order is byte order). */
    private void sortByName(int[] order, int from, int to) {
        if (to - from <= 16) {
            for (int k = from + 1; k < to; k++) {
                int x = order[k];
                int j = k - 1;
                while (j >= from && elfName(order[j]).compareTo(elfName(x)) > 0) {
                    order[j + 1] = order[j];
                    j--;
                }
                order[j + 1] = x;
            }
            return;
        }
        Integer[] run = new Integer[to - from]; // 9000+ __kstrtabns_* share one address
        for (int k = from; k < to; k++) run[k - from] = order[k];
        Arrays.sort(run, (a, b) -> elfName(a).compareTo(elfName(b))); // a stable sort
        for (int k = from; k < to; k++) order[k] = run[k - from];
    }

    private String elfName(int i) {
        String e = elfNames == null ? null : elfNames[i];
        return e != null ? e : entries[i].name();
    }

    /** Collects the entries while .symtab is read. */
    static final class Builder {
        private Symbol[] entries;
        private long[] values;
        private String[] elfNames;
        private int[] refs;
        private int count;

        Builder(int capacity) {
            entries = new Symbol[capacity];
            values = new long[capacity];
            refs = new int[capacity];
        }

        /**
         * The next .symtab entry crash may list; elfName when crash's name cut the ELF one; ref its place
         * in ElfSymbols (symbol i as i, section symbol j as ~j).
         */
        void add(Symbol s, long value, String elfName, int ref) {
            char t = s.type();
            if (t == 'U' || t == 'w' || t == 'v') return; // undefined: they name no address in this kernel
            if (count == entries.length) {
                entries = Arrays.copyOf(entries, count * 2 + 16);
                values = Arrays.copyOf(values, count * 2 + 16);
                refs = Arrays.copyOf(refs, count * 2 + 16);
                if (elfNames != null) elfNames = Arrays.copyOf(elfNames, count * 2 + 16);
            }
            if (elfName != null) {
                if (elfNames == null) elfNames = new String[entries.length];
                elfNames[count] = elfName;
            }
            entries[count] = s;
            refs[count] = ref;
            values[count++] = value;
        }

        CrashListing build() {
            return new CrashListing(Arrays.copyOf(entries, count), Arrays.copyOf(values, count),
                    elfNames == null ? null : Arrays.copyOf(elfNames, count), Arrays.copyOf(refs, count));
        }
    }
}
