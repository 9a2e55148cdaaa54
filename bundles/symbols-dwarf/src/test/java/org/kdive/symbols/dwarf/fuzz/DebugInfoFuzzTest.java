package org.kdive.symbols.dwarf.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.kdive.api.dump.DumpFormatException;
import org.kdive.api.symbols.LoadSpec;
import org.kdive.symbols.dwarf.DwarfDebugInfo;
import org.kdive.symbols.dwarf.Fuzz;
import org.kdive.symbols.dwarf.dwarf.Die;
import org.kdive.symbols.dwarf.dwarf.DwarfFile;
import org.kdive.symbols.dwarf.elf.ElfFile;
import org.kdive.symbols.dwarf.index.Category;
import org.kdive.symbols.dwarf.index.NameIndex;
import org.kdive.test.Corpus;

/**
 * Coverage-guided fuzzing (Jazzer) of the ELF/DWARF reader on a module's debuginfo (seeds: vqbug.ko.debug and
 * parts of it) and of the name-index cache loader (seeds: small index images for vqbug's DWARF, made by
 * {@link FuzzSeeds}). Only DumpFormatException, the typed error of bad input, may escape.
 */
class DebugInfoFuzzTest {
    private static DwarfFile vqbug;

    /** The DWARF of the corpus module, which the index images refer to. */
    static synchronized DwarfFile vqbug() {
        if (vqbug == null) {
            try {
                // relocated as the module loaded in the corpus dump, as kdive reads it
                vqbug = new DwarfDebugInfo(ElfFile.open(Corpus.file("vqbug.ko.debug")),
                        LoadSpec.module("vqbug", java.util.Map.of(".text", 0xffffffffc0619000L))).dwarf();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return vqbug;
    }

    /** The unmutated index seed loads, and answers as the index it was made from. */
    @org.junit.jupiter.api.Test
    void theIndexSeedIsOneTheLoaderTakes() throws IOException {
        byte[] seed = java.nio.file.Files.readAllBytes(Path.of("src/test/resources/org/kdive/symbols/dwarf/fuzz/"
                + "DebugInfoFuzzTestInputs/nameIndex/seed-sealed"));
        DwarfFile d = vqbug();
        NameIndex idx = NameIndex.fromImage(ByteBuffer.wrap(seed, 1, seed.length - 1).slice(), Path.of("seed"),
                FuzzSeeds.IDENTITY, d.sections.info.limit(), d, null);
        org.junit.jupiter.api.Assertions.assertNotNull(idx);
        NameIndex built = NameIndex.build(d);
        for (String[] n : FuzzSeeds.NAMES) {
            Category c = Category.valueOf(n[0]);
            org.junit.jupiter.api.Assertions.assertEquals(built.lookup(c, n[1]), idx.lookup(c, n[1]), n[1]);
        }
        org.junit.jupiter.api.Assertions.assertTrue(idx.lookup(Category.FUNCTION, "vqb_virtqueue_add") >= 0);
        d.units();
        org.junit.jupiter.api.Assertions.assertArrayEquals(d.unitStarts(), idx.unitStarts());
    }

    @FuzzTest(maxDuration = "10m")
    void module(byte[] input) {
        try {
            Fuzz.elf(input);
        } catch (DumpFormatException e) {
            // the reader said what is wrong
        }
    }

    /**
     * An index cache file: {@code [flag][image]}; with flag bit 0 set the image's checksum is made right, so
     * that mutations reach what lies behind it (a cache file damaged in place, with a valid checksum).
     */
    @FuzzTest(maxDuration = "10m")
    void nameIndex(byte[] input) {
        if (input.length < 1) return;
        ByteBuffer b = ByteBuffer.wrap(java.util.Arrays.copyOfRange(input, 1, input.length)).order(ByteOrder.LITTLE_ENDIAN);
        if ((input[0] & 1) != 0 && b.capacity() >= 8) {
            CRC32C crc = new CRC32C();
            crc.update(b.duplicate().position(0).limit(b.capacity() - 8));
            b.putLong(b.capacity() - 8, crc.getValue());
        }
        DwarfFile shared = vqbug();
        NameIndex idx = NameIndex.fromImage(b, Path.of("fuzz.idx"), FuzzSeeds.IDENTITY, shared.sections.info.limit(), shared, null);
        if (idx == null) return;
        // the units found through the image's unit starts, as a run that loads it does
        DwarfFile d = new DwarfFile(shared.path, shared.sections);
        long[] starts = idx.unitStarts();
        if (starts != null) d.adoptUnitStarts(starts);
        for (String[] n : FuzzSeeds.NAMES) {
            long ref = idx.lookup(Category.valueOf(n[0]), n[1]);
            if (ref < 0) continue;
            try {
                Die die = d.die(ref);
                if (die != null) die.name();
            } catch (DumpFormatException e) {
                // a reference into nowhere: told, not followed
            }
        }
    }
}
