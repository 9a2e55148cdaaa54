package org.kdive.symbols.dwarf;

import java.lang.ref.SoftReference;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.kdive.symbols.dwarf.elf.ElfFile;
import org.kdive.symbols.dwarf.elf.ElfSymbols;
import org.kdive.symbols.dwarf.elf.SymbolsCacheFile;
import org.kdive.symbols.dwarf.index.SourceStamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A vmlinux's symbol table kept between the sessions of one JVM: the kdive server opens the same
 * vmlinux for run after run, and reading and ordering its 150k symbols again cost 100-140 ms of
 * every served run (bench/compare.sh). Keyed on the file (path, device, inode, size, modification
 * and change times: any write changes them) and the KASLR offset the addresses carry. Held softly,
 * two files at most: the collector takes them back once the server idles with little free heap.
 * Between JVMs, the table is kept on disk ({@link SymbolsCacheFile}, by build-id): a run maps it
 * rather than reading .symtab, and a run that read .symtab writes it in the background.
 */
final class VmlinuxSymbolsCache {
    private static final Logger LOG = LoggerFactory.getLogger(VmlinuxSymbolsCache.class);
    private static final int ENTRIES = 2;
    private static final Map<Key, SoftReference<ElfSymbols>> TABLES = new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, SoftReference<ElfSymbols>> eldest) {
            return size() > ENTRIES;
        }
    };

    private VmlinuxSymbolsCache() {
    }

    /**
     * The table of {@code info}'s vmlinux at {@code bias}: kept, else from its cache file, else read now
     * (kept when the file has a stamp, and its cache file written by {@code info}'s saver thread).
     */
    static ElfSymbols get(DwarfDebugInfo info, long bias) {
        ElfFile elf = info.elf();
        Path file = elf.path();
        SourceStamp stamp = file == null ? null : SourceStamp.of(file);
        if (stamp == null) {
            ElfSymbols table = ElfSymbols.read(elf, null, info.addressing());
            SymbolsCacheFile.notCached(table);
            return table;
        }
        Key key = new Key(file.toAbsolutePath().normalize(), stamp, bias);
        synchronized (TABLES) {
            SoftReference<ElfSymbols> r = TABLES.get(key);
            ElfSymbols kept = r == null ? null : r.get();
            if (kept != null) return kept;
        }
        long t0 = System.nanoTime();
        String identity = info.buildId().orElse(null);
        ElfSymbols table = SymbolsCacheFile.load(elf, identity, stamp, bias);
        if (table != null) {
            LOG.debug("{}: {} symbols from the cache in {} us", file, table.size(), (System.nanoTime() - t0) / 1000);
        } else {
            table = ElfSymbols.read(elf, null, info.addressing());
            LOG.debug("{}: {} symbols read in {} us", file, table.size(), (System.nanoTime() - t0) / 1000);
            if (identity != null) info.saveSymbols(new Saver(table, elf, identity, stamp, bias));
            else SymbolsCacheFile.notCached(table);
        }
        synchronized (TABLES) {
            TABLES.put(key, new SoftReference<>(table));
        }
        return table;
    }

    /** Writes a freshly read table's cache file (a class, not a lambda: cheaper on a cold JVM). */
    static final class Saver implements Runnable {
        private final ElfSymbols table;
        private final ElfFile elf;
        private final String identity;
        private final SourceStamp stamp;
        private final long bias;

        Saver(ElfSymbols table, ElfFile elf, String identity, SourceStamp stamp, long bias) {
            this.table = table;
            this.elf = elf;
            this.identity = identity;
            this.stamp = stamp;
            this.bias = bias;
        }

        @Override
        public void run() {
            SymbolsCacheFile.save(table, elf, identity, stamp, bias);
        }
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
