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
    /** This build's hints file (see {@link KallsymsHints}), or null: none kept. */
    private final java.nio.file.Path hintsFile;
    /** Whether what is read now may be kept: the dump is not damaged. */
    private final java.util.function.BooleanSupplier cacheable;
    private volatile KallsymsHints hints;
    private volatile Tokens tokens;
    private volatile Decoded decoded;
    private volatile Table table;
    /** Name lookups answered from the decoded names so far; after a few, the table pays for itself. */
    private int scans;
    private static final int MAX_SCANS = 8;

    private record Table(Symbol[] byAddress, long[] addresses, Map<String, List<Symbol>> byName) { }

    private KernelKallsyms(Memory memory, long[] at, java.nio.file.Path hintsFile, java.util.function.BooleanSupplier cacheable) {
        this.memory = memory;
        this.hintsFile = hintsFile;
        this.cacheable = cacheable;
        numSyms = at[0];
        names = at[1];
        tokenTable = at[2];
        tokenIndex = at[3];
        offsets = at[4];
        relativeBase = at[5];
    }

    /** The table, when VMCOREINFO says where all of its parts are (base-relative layout, x86_64 and others). */
    static Optional<KernelKallsyms> of(VmcoreInfo info, Memory memory) {
        return of(info, memory, null, () -> false);
    }

    /**
     * The table, keeping where looked-up names are in a hints file in {@code indexDir} named after
     * the kernel's build id (none without one, or without {@code indexDir}), written only while
     * {@code cacheable} says the dump is sound.
     */
    static Optional<KernelKallsyms> of(VmcoreInfo info, Memory memory, java.nio.file.Path indexDir,
            java.util.function.BooleanSupplier cacheable) {
        String[] parts = {"kallsyms_num_syms", "kallsyms_names", "kallsyms_token_table", "kallsyms_token_index",
                "kallsyms_offsets", "kallsyms_relative_base"};
        long[] at = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            OptionalLong a = info.symbol(parts[i]);
            if (a.isEmpty()) return Optional.empty();
            at[i] = a.getAsLong();
        }
        java.nio.file.Path file = null;
        Optional<String> id = info.buildId();
        if (indexDir != null && id.isPresent() && id.get().matches("[0-9a-f]{8,128}")) file = indexDir.resolve(id.get() + ".kallsyms");
        return Optional.of(new KernelKallsyms(memory, at, file, cacheable));
    }

    private Table table() {
        Table t = table;
        if (t == null) {
            synchronized (this) {
                t = table;
                if (t == null) {
                    try {
                        t = build(decoded());
                        decoded = null; // the table has it all now
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

    /**
     * The names as the kernel keeps them, each a run of token numbers ({@code count[i]} of them from
     * {@code names[first[i]]}), with each symbol's address: what looking up a few names needs (each
     * compared token by token, most ruled out by their first) and what the table expands. The type
     * letter leads each expanded name.
     */
    private record Decoded(byte[] names, int[] first, int[] count, Tokens tk, long[] address, boolean absolutePercpu) {
        /** Expands symbol i's name, type letter first, into {@code buf[0]} (see {@link Tokens#expand}); its length. */
        int expand(int i, byte[][] buf) {
            return tk.expand(names, first[i], count[i], buf);
        }

        /** The length of symbol i's expanded name, type letter included. */
        int length(int i) {
            int n = 0;
            for (int p = first[i], e = p + count[i]; p < e; p++) n += tk.length()[names[p] & 0xff];
            return n;
        }

        /**
         * The length of symbol i's name after its type letter when that name starts with {@code want},
         * else -1; a name that differs is left at its first differing byte.
         */
        int startsWith(int i, byte[] want) {
            int n = -1; // position in the name after the type letter
            for (int p = first[i], e = p + count[i]; p < e; p++) {
                int t = names[p] & 0xff, s = tk.start()[t], l = tk.length()[t];
                for (int k = 0; k < l; k++, n++) {
                    if (n >= 0 && n < want.length && tk.tokens()[s + k] != want[n]) return -1;
                }
            }
            return n >= want.length ? n : -1;
        }
    }

    private Decoded decoded() {
        Decoded d = decoded;
        if (d == null) {
            synchronized (this) {
                d = decoded;
                if (d == null) decoded = d = decode();
            }
        }
        return d;
    }

    private Decoded decode() {
        long t0 = System.nanoTime();
        long n = memory.u32(numSyms);
        if (n <= 0 || n > MAX_SYMBOLS) throw new IllegalStateException("kallsyms_num_syms " + n);
        int count = (int) n;
        byte[] offs = memory.read(offsets, count * 4);
        long base = memory.u64(relativeBase);
        Tokens tk = tokens();
        // kallsyms_names ends where the markers begin, before the token table (the order the
        // kernel's build lays them out); read it in one piece when that bound is sane
        long span = tokenTable - names;
        if (span <= 0 || span > MAX_NAMES_BYTES) span = Math.min(MAX_NAMES_BYTES, (long) count * 64);
        byte[] nameBytes = memory.read(names, (int) span);
        // any negative offset says per-CPU symbols are absolute (x86_64 SMP, see address())
        boolean absolutePercpu = false;
        for (int i = 0; i < count && !absolutePercpu; i++) absolutePercpu = le32(offs, i * 4) < 0;
        int[] first = new int[count], tokenCount = new int[count];
        long[] address = new long[count];
        int pos = 0;
        for (int i = 0; i < count; i++) {
            if (pos >= nameBytes.length) throw new IllegalStateException("kallsyms_names ends at symbol " + i);
            int len = nameBytes[pos++] & 0xff;
            if ((len & 0x80) != 0) len = (len & 0x7f) | ((nameBytes[pos++] & 0xff) << 7); // "big" symbols, Linux 6.1+
            if (pos + len > nameBytes.length) throw new IllegalStateException("kallsyms_names entry " + i + " runs past its table");
            first[i] = pos;
            tokenCount[i] = len;
            pos += len;
            address[i] = address(le32(offs, i * 4), base, absolutePercpu);
        }
        LOG.debug("kernel kallsyms: {} names read in {} ms", count, (System.nanoTime() - t0) / 1_000_000);
        return new Decoded(nameBytes, first, tokenCount, tk, address, absolutePercpu);
    }

    /**
     * A symbol's address from its kallsyms_offsets entry: x86_64 (SMP) stores per-CPU symbols as
     * absolute values and the rest as negative offsets below the base; other architectures store
     * every symbol as an unsigned offset above it.
     */
    private static long address(int off, long base, boolean absolutePercpu) {
        return !absolutePercpu ? base + Integer.toUnsignedLong(off) : off >= 0 ? off : base - 1 - off;
    }

    /** The token table: each of the 256 tokens' place and length. */
    private record Tokens(byte[] tokens, int[] start, int[] length) {
        /**
         * Expands the {@code count} token numbers at {@code names[from]} into {@code buf[0]} (replaced
         * by a larger array when they do not fit); the expanded length.
         */
        int expand(byte[] names, int from, int count, byte[][] buf) {
            int n = 0;
            for (int p = from, e = from + count; p < e; p++) {
                int t = names[p] & 0xff;
                if (n + length[t] > buf[0].length) buf[0] = Arrays.copyOf(buf[0], Math.max(buf[0].length * 2, n + length[t]));
                System.arraycopy(tokens, start[t], buf[0], n, length[t]);
                n += length[t];
            }
            return n;
        }
    }

    /** The token table, read once. */
    private Tokens tokens() {
        Tokens t = tokens;
        if (t == null) tokens = t = readTokens();
        return t;
    }

    private Tokens readTokens() {
        byte[] tokIdx = memory.read(tokenIndex, 512);
        int maxTok = 0;
        for (int i = 0; i < 256; i++) maxTok = Math.max(maxTok, u16(tokIdx, i * 2));
        // the longest token is short; 256 bytes past the last start always covers its NUL
        byte[] tokens = memory.read(tokenTable, maxTok + 256);
        int[] tokStart = new int[256], tokLen = new int[256];
        for (int i = 0; i < 256; i++) {
            int s = u16(tokIdx, i * 2), e = s;
            while (e < tokens.length && tokens[e] != 0) e++;
            tokStart[i] = Math.min(s, tokens.length);
            tokLen[i] = Math.max(0, e - s);
        }
        return new Tokens(tokens, tokStart, tokLen);
    }

    private Table build(Decoded d) {
        long t0 = System.nanoTime();
        int count = d.address().length;
        List<Symbol> named = new ArrayList<>(count);
        byte[][] buf = {new byte[256]};
        for (int i = 0; i < count; i++) {
            int len = d.expand(i, buf);
            if (len < 2) continue;
            char type = (char) (buf[0][0] & 0xff);
            String name = new String(buf[0], 1, len - 1, java.nio.charset.StandardCharsets.ISO_8859_1);
            named.add(new Symbol(Symbol.crashName(name), d.address()[i], 0, type, null));
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
                if (sized(x.name(), x.address(), x.type(), pcStart, pcEnd)) sorted[k] = new Symbol(x.name(), x.address(), size, x.type(), x.module());
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

    /** Whether a symbol reaches the next one: kernel objects and code, and x86_64's per-CPU variables. */
    private static boolean sized(String name, long address, char type, long pcStart, long pcEnd) {
        boolean perCpu = pcStart >= 0 && pcEnd > pcStart && address >= pcStart && address < pcEnd && !name.startsWith("__per_cpu_");
        boolean kernel = type != 'A' && type != 'a' && Long.compareUnsigned(address, 0xffff800000000000L) >= 0;
        return perCpu || kernel;
    }

    /**
     * One name looked up in the decoded names, giving what the table would: a session that asks
     * for a name or two (dumpinfo's panic_cpu) does not pay for the table's 100k strings and maps.
     */
    private List<Symbol> scan(Decoded d, String name, List<KallsymsHints.Hit> found) {
        byte[] want = name.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        if (!new String(want, java.nio.charset.StandardCharsets.ISO_8859_1).equals(name)) return List.of();
        long[] address = d.address();
        long pcStart = -1, pcEnd = -1;
        boolean pcStartSeen = false, pcEndSeen = false;
        boolean exactMatches = Symbol.crashName(name).equals(name);
        List<Integer> hits = new ArrayList<>(2);
        byte[][] buf = {new byte[256]};
        for (int i = 0; i < address.length; i++) {
            // the table takes the highest address of each marker name (the last in address order)
            if (d.startsWith(i, PER_CPU_START) == PER_CPU_START.length
                    && (!pcStartSeen || Long.compareUnsigned(address[i], pcStart) >= 0)) {
                pcStart = address[i];
                pcStartSeen = true;
            }
            if (d.startsWith(i, PER_CPU_END) == PER_CPU_END.length
                    && (!pcEndSeen || Long.compareUnsigned(address[i], pcEnd) >= 0)) {
                pcEnd = address[i];
                pcEndSeen = true;
            }
            int len = d.startsWith(i, want);
            if (len < 0) continue;
            if (len == want.length) {
                if (exactMatches) hits.add(i);
            } else {
                int n = d.expand(i, buf);
                if (Symbol.crashName(new String(buf[0], 1, n - 1, java.nio.charset.StandardCharsets.ISO_8859_1)).equals(name)) hits.add(i);
            }
        }
        if (hits.isEmpty()) return List.of();
        List<Symbol> out = new ArrayList<>(hits.size());
        for (int h : hits) {
            long a = address[h], next = 0;
            boolean higher = false;
            for (int i = 0; i < address.length; i++) {
                if (Long.compareUnsigned(address[i], a) <= 0 || (higher && Long.compareUnsigned(address[i], next) >= 0)) continue;
                if (d.length(i) < 2) continue; // (as the table: names without a letter after the type are left out)
                next = address[i];
                higher = true;
            }
            d.expand(h, buf);
            char type = (char) (buf[0][0] & 0xff);
            long size = higher && sized(name, a, type, pcStart, pcEnd) ? next - a : 0;
            out.add(new Symbol(name, a, size, type, null));
            found.add(new KallsymsHints.Hit(h, d.first()[h], d.count()[h], size));
        }
        out.sort((x, y) -> Long.compareUnsigned(x.address(), y.address())); // stable, as the table's
        return out;
    }

    private static final byte[] PER_CPU_START = "__per_cpu_start".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    private static final byte[] PER_CPU_END = "__per_cpu_end".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

    private static int u16(byte[] b, int at) { return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8; }

    private static int le32(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    @Override
    public List<Symbol> byName(String name) {
        Table t = table;
        if (t == null) {
            List<Symbol> hinted = hinted(name);
            if (hinted != null) return hinted;
        }
        if (t == null && scans < MAX_SCANS) {
            scans++;
            Decoded d;
            try {
                d = decoded();
            } catch (RuntimeException e) {
                return byName(table(), name); // unreadable: the (empty) table says so
            }
            List<KallsymsHints.Hit> found = new ArrayList<>(2);
            List<Symbol> out = scan(d, name, found);
            KallsymsHints h = hints();
            if (h != null && !found.isEmpty() && cacheable.getAsBoolean()) h.put(name, found, d.absolutePercpu());
            return out;
        }
        return byName(t == null ? table() : t, name);
    }

    /** Whether the names have been decoded (a scan or the table): for tests of the hints. */
    boolean namesDecoded() {
        return decoded != null || table != null;
    }

    private KallsymsHints hints() {
        KallsymsHints h = hints;
        if (h == null && hintsFile != null) {
            synchronized (this) {
                if (hints == null) hints = KallsymsHints.load(hintsFile, memory.u32(numSyms));
                h = hints;
            }
        }
        return h;
    }

    /**
     * The name's symbols where the hints place them, each checked in the dump: the entry's length
     * and tokens spell the name, and its number is in the table; null when there is no hint or one
     * does not hold (then the names are scanned).
     */
    private List<Symbol> hinted(String name) {
        try {
            KallsymsHints h = hints();
            List<KallsymsHints.Hit> hits = h == null ? null : h.get(name);
            if (hits == null) return null;
            long n = memory.u32(numSyms);
            long base = memory.u64(relativeBase);
            Tokens tk = tokens();
            List<Symbol> out = new ArrayList<>(hits.size());
            for (KallsymsHints.Hit x : hits) {
                int lenBytes = x.count() >= 0x80 ? 2 : 1; // a length of 128 tokens or more takes two bytes (6.1+)
                if (x.index() < 0 || x.index() >= n || x.count() <= 0 || x.first() < lenBytes) return null;
                byte[] e = memory.read(names + x.first() - lenBytes, lenBytes + x.count());
                int len = e[0] & 0xff;
                if (lenBytes == 2 ? (len & 0x80) == 0 : (len & 0x80) != 0) return null;
                if (lenBytes == 2) len = (len & 0x7f) | (e[1] & 0xff) << 7;
                if (len != x.count()) return null;
                byte[][] buf = {new byte[256]};
                int spelled = tk.expand(e, lenBytes, x.count(), buf);
                if (spelled < 2 || !Symbol.crashName(new String(buf[0], 1, spelled - 1, java.nio.charset.StandardCharsets.ISO_8859_1)).equals(name)) {
                    return null;
                }
                long a = address(le32(memory.read(offsets + 4L * x.index(), 4), 0), base, h.absolutePercpu());
                out.add(new Symbol(name, a, x.size(), (char) (buf[0][0] & 0xff), null));
            }
            out.sort((p, q) -> Long.compareUnsigned(p.address(), q.address()));
            return out;
        } catch (RuntimeException e) {
            LOG.debug("kallsyms hint for {} not used: {}", name, e.toString());
            return null;
        }
    }

    private static List<Symbol> byName(Table t, String name) {
        return t.byName().getOrDefault(name, List.of());
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
