package org.kdive.symbols.dwarf;

import java.lang.ref.SoftReference;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.kdive.symbols.dwarf.elf.ElfSymbols;
import org.kdive.symbols.dwarf.index.SourceStamp;

/**
 * A vmlinux's symbol table kept between the sessions of one JVM: the kdive server opens the same
 * vmlinux for run after run, and reading and ordering its 150k symbols again cost 100-140 ms of
 * every served run (bench/compare.sh). Keyed on the file (path, device, inode, size, modification
 * and change times: any write changes them) and the KASLR offset the addresses carry. Held softly,
 * two files at most: the collector takes them back once the server idles with little free heap.
 */
final class VmlinuxSymbolsCache {
    private static final int ENTRIES = 2;
    private static final Map<Key, SoftReference<ElfSymbols>> TABLES = new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, SoftReference<ElfSymbols>> eldest) {
            return size() > ENTRIES;
        }
    };

    private VmlinuxSymbolsCache() {
    }

    /** The table for {@code file} at {@code bias}: kept, else read now (and kept when the file has a stamp). */
    static ElfSymbols get(Path file, long bias, Supplier<ElfSymbols> read) {
        SourceStamp stamp = file == null ? null : SourceStamp.of(file);
        if (stamp == null) return read.get();
        Key key = new Key(file.toAbsolutePath().normalize(), stamp, bias);
        synchronized (TABLES) {
            SoftReference<ElfSymbols> r = TABLES.get(key);
            ElfSymbols kept = r == null ? null : r.get();
            if (kept != null) return kept;
        }
        ElfSymbols table = read.get();
        synchronized (TABLES) {
            TABLES.put(key, new SoftReference<>(table));
        }
        return table;
    }

    // equals and hashCode written out: a record's bootstrap method handles cost ~30 ms on a cold JVM
    private static final class Key {
        private final Path path;
        private final SourceStamp stamp;
        private final long bias;

        Key(Path path, SourceStamp stamp, long bias) {
            this.path = path;
            this.stamp = stamp;
            this.bias = bias;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.bias == bias && k.path.equals(path) && k.stamp.equals(stamp);
        }

        @Override
        public int hashCode() {
            return path.hashCode() * 31 + stamp.hashCode() + Long.hashCode(bias);
        }
    }
}
