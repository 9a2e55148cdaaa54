package org.kdive.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.kdive.api.dump.VmcoreInfo;
import org.kdive.api.session.Memory;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.SymbolTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel's own compressed symbol table (kallsyms), found through the SYMBOL(kallsyms_*) lines
 * that VMCOREINFO carries since Linux 6.0: names and addresses before any vmlinux is at hand.
 * Decoded on first use; a table that cannot be read counts as empty (with a debug log), so the
 * session works as without it.
 */
final class KernelKallsyms implements SymbolTable {
    private static final Logger LOG = LoggerFactory.getLogger(KernelKallsyms.class);
    private static final int MAX_SYMBOLS = 4_000_000;
    private static final int MAX_NAMES_BYTES = 64 << 20;

    private final Memory memory;
    private final long numSyms, names, tokenTable, tokenIndex, offsets, relativeBase;
    private volatile Table table;

    private record Table(Symbol[] byAddress, long[] addresses, Map<String, List<Symbol>> byName) { }

    private KernelKallsyms(Memory memory, long[] at) {
        this.memory = memory;
        numSyms = at[0];
        names = at[1];
        tokenTable = at[2];
        tokenIndex = at[3];
        offsets = at[4];
        relativeBase = at[5];
    }

    /** The table, when VMCOREINFO says where all of its parts are (base-relative layout, x86_64 and others). */
    static Optional<KernelKallsyms> of(VmcoreInfo info, Memory memory) {
        String[] parts = {"kallsyms_num_syms", "kallsyms_names", "kallsyms_token_table", "kallsyms_token_index",
                "kallsyms_offsets", "kallsyms_relative_base"};
        long[] at = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            OptionalLong a = info.symbol(parts[i]);
            if (a.isEmpty()) return Optional.empty();
            at[i] = a.getAsLong();
        }
        return Optional.of(new KernelKallsyms(memory, at));
    }

    private Table table() {
        Table t = table;
        if (t == null) {
            synchronized (this) {
                t = table;
                if (t == null) {
                    try {
                        t = read();
                    } catch (RuntimeException e) {
                        LOG.debug("kernel kallsyms unreadable: {}", e.toString());
                        t = new Table(new Symbol[0], new long[0], Map.of());
                    }
                    table = t;
                }
            }
        }
        return t;
    }

    private Table read() {
        long t0 = System.nanoTime();
        long n = memory.u32(numSyms);
        if (n <= 0 || n > MAX_SYMBOLS) throw new IllegalStateException("kallsyms_num_syms " + n);
        int count = (int) n;
        byte[] offs = memory.read(offsets, count * 4);
        long base = memory.u64(relativeBase);
        byte[] tokIdx = memory.read(tokenIndex, 512);
        int maxTok = 0;
        for (int i = 0; i < 256; i++) maxTok = Math.max(maxTok, u16(tokIdx, i * 2));
        // the longest token is short; 256 bytes past the last start always covers its NUL
        byte[] tokens = memory.read(tokenTable, maxTok + 256);
        String[] tokenText = new String[256];
        for (int i = 0; i < 256; i++) {
            int s = u16(tokIdx, i * 2), e = s;
            while (e < tokens.length && tokens[e] != 0) e++;
            tokenText[i] = new String(tokens, s, e - s, java.nio.charset.StandardCharsets.ISO_8859_1);
        }
        // kallsyms_names ends where the markers begin, before the token table (the order the
        // kernel's build lays them out); read it in one piece when that bound is sane
        long span = tokenTable - names;
        if (span <= 0 || span > MAX_NAMES_BYTES) span = Math.min(MAX_NAMES_BYTES, (long) count * 64);
        byte[] nameBytes = memory.read(names, (int) span);
        // x86_64 (SMP) stores per-CPU symbols as absolute values and the rest as negative offsets
        // below the base; other architectures store every symbol as an unsigned offset above it
        boolean absolutePercpu = false;
        for (int i = 0; i < count && !absolutePercpu; i++) absolutePercpu = le32(offs, i * 4) < 0;
        List<Symbol> named = new ArrayList<>(count);
        StringBuilder sb = new StringBuilder(64);
        int pos = 0;
        for (int i = 0; i < count; i++) {
            if (pos >= nameBytes.length) throw new IllegalStateException("kallsyms_names ends at symbol " + i);
            int len = nameBytes[pos++] & 0xff;
            if ((len & 0x80) != 0) len = (len & 0x7f) | ((nameBytes[pos++] & 0xff) << 7); // "big" symbols, Linux 6.1+
            if (pos + len > nameBytes.length) throw new IllegalStateException("kallsyms_names entry " + i + " runs past its table");
            sb.setLength(0);
            for (int k = 0; k < len; k++) sb.append(tokenText[nameBytes[pos + k] & 0xff]);
            pos += len;
            if (sb.length() < 2) continue;
            char type = sb.charAt(0);
            int off = le32(offs, i * 4);
            long address = !absolutePercpu ? base + Integer.toUnsignedLong(off) : off >= 0 ? off : base - 1 - off;
            named.add(new Symbol(Symbol.crashName(sb.substring(1)), address, 0, type, null));
        }
        Symbol[] sorted = named.toArray(Symbol[]::new);
        Arrays.sort(sorted, (a, b) -> Long.compareUnsigned(a.address(), b.address()));
        // kallsyms has no sizes: as the kernel's own lookups do, a symbol reaches the next higher one
        // (the last has none). Absolute values are not objects, except x86_64's per-CPU variables,
        // which its kallsyms stores as absolute offsets between __per_cpu_start and __per_cpu_end.
        long pcStart = -1, pcEnd = -1;
        for (Symbol x : sorted) {
            if (x.name().equals("__per_cpu_start")) pcStart = x.address();
            if (x.name().equals("__per_cpu_end")) pcEnd = x.address();
        }
        for (int i = 0, j; i < sorted.length; i = j) {
            j = i + 1;
            while (j < sorted.length && sorted[j].address() == sorted[i].address()) j++;
            if (j >= sorted.length) break;
            long size = sorted[j].address() - sorted[i].address();
            for (int k = i; k < j; k++) {
                Symbol x = sorted[k];
                boolean perCpu = pcStart >= 0 && pcEnd > pcStart && x.address() >= pcStart && x.address() < pcEnd
                        && !x.name().startsWith("__per_cpu_");
                boolean kernel = x.type() != 'A' && x.type() != 'a' && Long.compareUnsigned(x.address(), 0xffff800000000000L) >= 0;
                if (perCpu || kernel) sorted[k] = new Symbol(x.name(), x.address(), size, x.type(), x.module());
            }
        }
        long[] addresses = new long[sorted.length];
        Map<String, List<Symbol>> byName = new HashMap<>(sorted.length * 4 / 3 + 16);
        for (int i = 0; i < sorted.length; i++) {
            addresses[i] = sorted[i].address();
            byName.computeIfAbsent(sorted[i].name(), k -> new ArrayList<>(1)).add(sorted[i]);
        }
        LOG.debug("kernel kallsyms: {} symbols in {} ms", sorted.length, (System.nanoTime() - t0) / 1_000_000);
        return new Table(sorted, addresses, byName);
    }

    private static int u16(byte[] b, int at) { return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8; }

    private static int le32(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    @Override
    public List<Symbol> byName(String name) {
        return table().byName().getOrDefault(name, List.of());
    }

    /** kallsyms has no sizes: a symbol covers the addresses up to the next one. */
    @Override
    public Optional<Symbol> containing(long address) {
        Table t = table();
        long[] a = t.addresses();
        int lo = 0, hi = a.length - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(a[mid], address) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (found < 0 || found == a.length - 1) return Optional.empty(); // past the last symbol: not "near"
        // of several names at one address, one with a size (an object, not a label like __per_cpu_start)
        for (int i = found; i >= 0 && a[i] == a[found]; i--) {
            if (t.byAddress()[i].size() > 0) return Optional.of(t.byAddress()[i]);
        }
        return Optional.of(t.byAddress()[found]);
    }

    @Override
    public Stream<Symbol> all() {
        return Arrays.stream(table().byAddress());
    }
}
