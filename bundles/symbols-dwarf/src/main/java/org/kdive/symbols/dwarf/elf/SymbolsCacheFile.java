package org.kdive.symbols.dwarf.elf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.kdive.symbols.dwarf.index.NameIndex;
import org.kdive.symbols.dwarf.index.SourceStamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A linked kernel's symbol table cached on disk beside its name index (same folder, same build-id
 * naming, ".sym"): reading and ordering 150k symbols costs ~100 ms of every run, mapping the file a
 * few. Trusted only for the very file it was read from (its source stamp) and the same .symtab
 * sizes; written whole (temporary file, then rename) after a clean read, never after damage. A file
 * that does not match or is damaged is ignored, and replaced by the next clean read.
 */
public final class SymbolsCacheFile {
    private static final Logger LOG = LoggerFactory.getLogger(SymbolsCacheFile.class);
    static final String EXT = ".sym";

    private SymbolsCacheFile() {
    }

    /** Where the table of this identity is cached. */
    public static Path file(String identity) {
        return NameIndex.cacheDir().resolve(NameIndex.fileName(identity, EXT));
    }

    /** The cached table of {@code elf} at this shift; null when there is none that matches. */
    public static ElfSymbols load(ElfFile elf, String identity, SourceStamp stamp, long bias) {
        if (identity == null || stamp == null) return null;
        long[] sizes = symtabSizes(elf);
        if (sizes == null) return null;
        Path file = file(identity);
        if (!Files.isRegularFile(file)) return null;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ElfSymbols t = size > Integer.MAX_VALUE ? null : SymbolsImage.decode(
                    ch.map(FileChannel.MapMode.READ_ONLY, 0, size), identity, stamp, sizes[0], sizes[1], bias);
            if (t == null) LOG.info("symbol cache {} does not match {}: reading its symbols again", file, elf.path());
            return t;
        } catch (IOException | RuntimeException | InternalError e) { // InternalError: a mapped file cut short
            LOG.info("symbol cache {} unreadable ({}): reading the symbols again", file, e.toString());
            return null;
        }
    }

    /**
     * Writes the cache file of a table freshly read from {@code elf} at this shift, when it was read
     * cleanly and the file is still the one it was read from. Failures are logged, never thrown.
     */
    public static void save(ElfSymbols table, ElfFile elf, String identity, SourceStamp stamp, long bias) {
        ElfSymbols.Cacheable c = table.cacheable();
        long[] sizes = symtabSizes(elf);
        if (c == null || identity == null || stamp == null || sizes == null || sizes[0] != c.symtabSize()) {
            table.cached();
            return;
        }
        Path file = file(identity);
        long t0 = System.nanoTime();
        try {
            ByteBuffer b = SymbolsImage.encode(table, c, bias, identity, stamp);
            if (b == null) {
                LOG.info("{}: symbol addresses do not follow the load shift: not caching them", elf.path());
            } else if (!stamp.equals(SourceStamp.of(elf.path()))) {
                LOG.info("{} changed while its symbols were read: not caching them", elf.path());
            } else {
                NameIndex.write(file, b);
                LOG.debug("{}: symbols cached at {} in {} us", elf.path(), file, (System.nanoTime() - t0) / 1000);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot cache the symbols at {}: {}", file, e.toString());
        } finally {
            table.cached();
        }
    }

    /** Drops what caching a table needed, for a table that is not to be cached (no build-id, no stamp). */
    public static void notCached(ElfSymbols table) {
        table.cached();
    }

    private static long[] symtabSizes(ElfFile elf) {
        Optional<ElfSection> tab = elf.section(".symtab");
        if (tab.isEmpty() || tab.get().isNoBits()) return null;
        return new long[] {tab.get().size(), elf.section(tab.get().link()).size()};
    }
}
