package org.kdive.symbols.dwarf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdive.api.symbols.LoadSpec;
import org.kdive.api.symbols.Symbol;
import org.kdive.symbols.dwarf.elf.ElfFile;
import org.kdive.symbols.dwarf.elf.ElfSymbols;
import org.kdive.symbols.dwarf.elf.SymbolsCacheFile;
import org.kdive.symbols.dwarf.index.NameIndex;
import org.kdive.symbols.dwarf.index.SourceStamp;

/**
 * The vmlinux symbol table's cache file: a table loaded from it answers as a fresh read of .symtab
 * does, at the shift it was written at and at another; a damaged file is ignored and replaced.
 */
class SymbolsCacheTest {
    @TempDir
    Path dir;

    private static final String NAME = NameIndex.fileName(Fresh.ID, ".sym");

    /** One fresh read of the corpus vmlinux at the dump's shift, and its cache file's bytes. */
    private static final class Fresh {
        static final ElfFile ELF = Shared.vmlinux().elf();
        static final String ID = Shared.vmlinux().buildId().orElseThrow();
        static final SourceStamp STAMP = SourceStamp.of(ELF.path());
        static final ElfSymbols TABLE = ElfSymbols.read(ELF, null, Shared.vmlinux().addressing());
        static final List<Symbol> ALL = TABLE.all().collect(Collectors.toList());
        static final byte[] FILE = written();

        private static byte[] written() {
            try {
                Path d = Files.createTempDirectory("kdive-symbols-cache");
                try {
                    return withCacheDir(d, () -> {
                        SymbolsCacheFile.save(TABLE, ELF, ID, STAMP, Shared.KASLR);
                        return Files.readAllBytes(SymbolsCacheFile.file(ID));
                    });
                } finally {
                    try (Stream<Path> s = Files.list(d)) {
                        for (Path p : s.collect(Collectors.toList())) Files.delete(p);
                    }
                    Files.delete(d);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Test
    void cachedTableAnswersAsAFreshRead() throws IOException {
        Files.write(dir.resolve(NAME), Fresh.FILE);
        ElfSymbols cached = load(Shared.KASLR);
        assertNotNull(cached, "the file just written loads");
        assertTrue(cached.fromCache());
        assertFalse(Fresh.TABLE.fromCache());
        assertSameAnswers(Fresh.TABLE, Fresh.ALL, cached);
    }

    /**
     * Values are stored shift-free: the file of one boot serves another. The last shift carries the
     * kernel's text past 2^64 part way, which reorders the moving symbols: the stored order is then
     * not used, and the answers are still a fresh read's.
     */
    @Test
    void cachedTableAnswersAtAnotherShift() throws IOException {
        Files.write(dir.resolve(NAME), Fresh.FILE);
        for (long bias : new long[] {0, Shared.KASLR + 0x2400000L, 0x7f000000L}) {
            DwarfDebugInfo other = new DwarfDebugInfo(Fresh.ELF, LoadSpec.vmlinux(bias));
            ElfSymbols fresh = ElfSymbols.read(Fresh.ELF, null, other.addressing());
            ElfSymbols cached = load(bias);
            assertNotNull(cached, "bias " + Long.toHexString(bias));
            assertSameAnswers(fresh, fresh.all().collect(Collectors.toList()), cached);
        }
    }

    @Test
    void damagedFilesAreIgnoredAndReplaced() throws IOException {
        Path file = dir.resolve(NAME);
        Map<String, byte[]> damaged = new HashMap<>();
        damaged.put("empty", new byte[0]);
        damaged.put("header only", Arrays.copyOf(Fresh.FILE, 100));
        damaged.put("truncated", Arrays.copyOf(Fresh.FILE, Fresh.FILE.length - 4096));
        damaged.put("bad magic", patched(b -> b.putLong(0, 0x1234), false));
        damaged.put("other version", patched(b -> b.putInt(8, b.getInt(8) + 1), true));
        damaged.put("flipped count", patched(b -> b.putInt(12, b.getInt(12) ^ 0x100), false));
        damaged.put("flipped count, resealed", patched(b -> b.putInt(12, b.getInt(12) ^ 0x100), true));
        damaged.put("swapped counts, resealed", patched(b -> {
            int order = b.getInt(24), listing = b.getInt(28); // same file size, other arrays
            b.putInt(24, listing).putInt(28, order);
        }, true));
        damaged.put("flipped byte in names", patched(b -> {
            int at = b.capacity() - 100;
            b.put(at, (byte) (b.get(at) ^ 0x20));
        }, false));
        damaged.put("other stamp", patched(b -> b.putLong(64 + 8, b.getLong(64 + 8) + 1), true));
        for (Map.Entry<String, byte[]> e : damaged.entrySet()) {
            Files.write(file, e.getValue());
            assertNull(load(Shared.KASLR), e.getKey());
        }
        // a run meeting a damaged file reads .symtab and writes a sound file over it
        Files.write(file, damaged.get("truncated"));
        DwarfDebugInfo run = new DwarfDebugInfo(Fresh.ELF, LoadSpec.vmlinux(Shared.KASLR + 0x4000000L));
        String old = System.getProperty("kdive.index.dir");
        System.setProperty("kdive.index.dir", dir.toString());
        try {
            assertEquals(Fresh.TABLE.size(), ((ElfSymbols) run.symbols()).size());
            assertFalse(((ElfSymbols) run.symbols()).fromCache());
            run.awaitSymbolsSaved(60_000);
        } finally {
            if (old == null) System.clearProperty("kdive.index.dir");
            else System.setProperty("kdive.index.dir", old);
        }
        assertTrue(Arrays.equals(Fresh.FILE, Files.readAllBytes(file)), "rewritten whole, as at any other shift");
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(NAME), s.map(p -> p.getFileName().toString()).collect(Collectors.toList()),
                    "no temporary file left");
        }
        assertNotNull(load(Shared.KASLR));
    }

    // ---- helpers ----

    private static void assertSameAnswers(ElfSymbols fresh, List<Symbol> freshAll, ElfSymbols cached) {
        assertEquals(fresh.size(), cached.size());
        List<Symbol> all = cached.all().collect(Collectors.toList());
        assertEquals(freshAll.size(), all.size());
        int first = 0;
        while (first < all.size() && freshAll.get(first).equals(all.get(first))) first++;
        int at = first;
        assertEquals(all.size(), at, () -> "all() differs at " + at + ": " + freshAll.get(at) + " / " + all.get(at));
        assertEquals(fresh.sorted().collect(Collectors.toList()), cached.sorted().collect(Collectors.toList()));
        // names: a spread, every repeated one (their order), and some absent
        Map<String, Integer> counts = new HashMap<>();
        for (Symbol s : freshAll) counts.merge(s.name(), 1, Integer::sum);
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < freshAll.size(); i += 37) names.add(freshAll.get(i).name());
        counts.forEach((n, c) -> {
            if (c > 1) names.add(n);
        });
        names.addAll(List.of("machine_kexec", "init_task", "jiffies", "no_such_symbol_anywhere", "", "_text"));
        assertTrue(names.size() > 4000, "names checked: " + names.size());
        for (String n : names) assertEquals(fresh.byName(n), cached.byName(n), n);
        // addresses: on, inside, between and around symbols, and outside every range
        List<Symbol> sorted = fresh.sorted().collect(Collectors.toList());
        List<Long> addresses = new java.util.ArrayList<>(List.of(0L, 1L, -1L, 0x1000L, 0xffffffff80000000L,
                0xffffffffc0000000L, Long.MIN_VALUE, Long.MAX_VALUE));
        for (int i = 0; i < sorted.size(); i += 11) {
            Symbol s = sorted.get(i);
            for (long d : new long[] {-1, 0, 1, s.size() - 1, s.size(), s.size() + 0x10, 0x100000}) addresses.add(s.address() + d);
        }
        for (long a : addresses) assertEquals(fresh.containing(a), cached.containing(a), Long.toHexString(a));
        // at() lists every symbol at an address (9000+ __kstrtabns_* share one)
        for (long a : new java.util.TreeSet<>(addresses)) assertEquals(fresh.at(a), cached.at(a), Long.toHexString(a));
    }

    private ElfSymbols load(long bias) {
        try {
            return withCacheDir(dir, () -> SymbolsCacheFile.load(Fresh.ELF, Fresh.ID, Fresh.STAMP, bias));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The written file with a change made; resealed: its checksum made to match again. */
    private static byte[] patched(java.util.function.Consumer<ByteBuffer> change, boolean reseal) {
        byte[] copy = Fresh.FILE.clone();
        ByteBuffer b = ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
        change.accept(b);
        if (reseal) {
            CRC32C crc = new CRC32C();
            crc.update(copy, 0, copy.length - 8);
            b.putLong(copy.length - 8, crc.getValue());
        }
        return copy;
    }

    private interface IoSupplier<T> {
        T get() throws IOException;
    }

    private static <T> T withCacheDir(Path d, IoSupplier<T> f) throws IOException {
        String old = System.getProperty("kdive.index.dir");
        System.setProperty("kdive.index.dir", d.toString());
        try {
            return f.get();
        } finally {
            if (old == null) System.clearProperty("kdive.index.dir");
            else System.setProperty("kdive.index.dir", old);
        }
    }
}
