package org.kdive.symbols.dwarf.elf;

import java.util.Arrays;
import org.kdive.api.symbols.Symbol;

/**
 * An x86_64 vmlinux's symbols as crash keeps its kernel symbol table (symbols.c symtab_init,
 * store_symbols; x86_64.c x86_64_verify_symbol), which sym -l lists and sym NAME, -p and -n walk:
 * <ul>
 * <li>every .symtab entry, section symbols under their section's name and repeated identical entries
 * (.LC0 several times at one address) included;
 * <li>sorted by the file's value, then by the ELF name as strcmp orders it (before .isra./.part./
 * .llvm. are cut), entries equal in both in .symtab order;
 * <li>of the entries before the first _text or _stext in that order, only __per_cpu_start and, after
 * it, the per-CPU section's own (per_cpu*, __per_cpu_end, and d, D or V ones): the absolute
 * assembler constants (a, A) and the section symbols at 0 are left out;
 * <li>an absolute symbol whose value lies from .text's start to the end of the last section after
 * it is a kernel address and moves with KASLR (init_per_cpu__gdt_page: the kernel's relocation
 * tool relocates it too); other absolute values stay.
 * </ul>
 * Built from what reading .symtab collected, on first use of the listing: naming an address and
 * finding a name do not need it.
 */
final class CrashListing {
    private static final int EM_X86_64 = 62;

    private final Symbol[] entries;  // in .symtab order
    private final long[] values;     // the file's value of each
    private final String[] elfNames; // the ELF name where crash's name cut it; null if none was cut

    private CrashListing(Symbol[] entries, long[] values, String[] elfNames) {
        this.entries = entries;
        this.values = values;
        this.elfNames = elfNames;
    }

    /** Whether crash builds its table this way from this file: a linked x86_64 kernel. */
    static boolean applies(ElfFile elf, String module) {
        return module == null && !elf.isRelocatable() && elf.machine() == EM_X86_64;
    }

    /** crash's table, in its order. */
    Symbol[] symbols() {
        int n = entries.length;
        int[] order = byValue(n);
        for (int start = 0; start < n; ) { // runs of one value: by ELF name
            int end = start + 1;
            while (end < n && values[order[end]] == values[order[start]]) end++;
            if (end - start > 1) sortByName(order, start, end);
            start = end;
        }
        Symbol[] out = new Symbol[n];
        int count = 0;
        boolean started = false, perCpu = false;
        for (int i : order) {
            Symbol s = entries[i];
            if (!started) { // x86_64_verify_symbol until the kernel's text starts
                String name = s.name();
                char t = s.type();
                if (name.equals("_text") || name.equals("_stext")) {
                    started = true;
                } else if (name.equals("__per_cpu_start")) {
                    perCpu = true;
                } else if (!perCpu || !(name.startsWith("per_cpu") || name.equals("__per_cpu_end") || t == 'V' || t == 'd' || t == 'D')) {
                    continue;
                }
            }
            out[count++] = s;
        }
        return Arrays.copyOf(out, count);
    }

    /** Entry indices by unsigned value, .symtab order among equal values: one primitive sort of (rank, index). */
    private int[] byValue(int n) {
        long[] flipped = new long[n];
        for (int i = 0; i < n; i++) flipped[i] = values[i] ^ Long.MIN_VALUE;
        long[] distinct = flipped.clone();
        Arrays.sort(distinct);
        int d = 0;
        for (int k = 0; k < n; k++) if (k == 0 || distinct[k] != distinct[d - 1]) distinct[d++] = distinct[k];
        int idxBits = 32 - Integer.numberOfLeadingZeros(Math.max(n, 1));
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) keys[i] = ((long) Arrays.binarySearch(distinct, 0, d, flipped[i]) << idxBits) | i;
        Arrays.sort(keys);
        int[] order = new int[n];
        long mask = (1L << idxBits) - 1;
        for (int k = 0; k < n; k++) order[k] = (int) (keys[k] & mask);
        return order;
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
        private int count;
        private final long textStart, sectionsEnd, bias;

        Builder(ElfFile elf, ElfSymbols.SectionAddressing relocate, int capacity) {
            entries = new Symbol[capacity];
            values = new long[capacity];
            // crash relocates a value from .text's start to the end of the sections after it
            long start = 0, end = 0, shift = 0;
            boolean afterText = false;
            for (ElfSection s : elf.sections()) {
                if (s.name().equals(".text")) {
                    afterText = true;
                    start = s.addr();
                    long a = relocate.symbolAddress(s, s.addr());
                    if (a != Long.MIN_VALUE) shift = a - s.addr();
                }
                if (afterText && Long.compareUnsigned(s.addr() + s.size(), end) > 0) end = s.addr() + s.size();
            }
            textStart = start;
            sectionsEnd = end;
            bias = shift;
        }

        /** The run-time address of an absolute symbol of this value. */
        long absolute(long value) {
            boolean kernelAddress = textStart != 0 && Long.compareUnsigned(value, textStart) >= 0
                    && Long.compareUnsigned(value, sectionsEnd) <= 0;
            return kernelAddress ? value + bias : value;
        }

        /** The next .symtab entry crash may list; elfName when crash's name cut the ELF one. */
        void add(Symbol s, long value, String elfName) {
            char t = s.type();
            if (t == 'U' || t == 'w' || t == 'v') return; // undefined: crash sorts them first, before _text
            if (count == entries.length) {
                entries = Arrays.copyOf(entries, count * 2 + 16);
                values = Arrays.copyOf(values, count * 2 + 16);
                if (elfNames != null) elfNames = Arrays.copyOf(elfNames, count * 2 + 16);
            }
            if (elfName != null) {
                if (elfNames == null) elfNames = new String[entries.length];
                elfNames[count] = elfName;
            }
            entries[count] = s;
            values[count++] = value;
        }

        CrashListing build() {
            return new CrashListing(Arrays.copyOf(entries, count), Arrays.copyOf(values, count),
                    elfNames == null ? null : Arrays.copyOf(elfNames, count));
        }
    }
}
