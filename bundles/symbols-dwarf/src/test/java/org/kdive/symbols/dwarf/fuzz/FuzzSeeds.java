package org.kdive.symbols.dwarf.fuzz;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.kdive.symbols.dwarf.dwarf.DwarfFile;
import org.kdive.symbols.dwarf.dwarf.Reader;
import org.kdive.symbols.dwarf.index.Category;
import org.kdive.symbols.dwarf.index.NameIndex;
import org.kdive.test.Corpus;

/**
 * Writes the fuzz seeds: vqbug.ko.debug whole, and index images of 16 slots holding vqbug's names as a
 * build finds them and where its units start (the cache file layout of NameIndex version 6, written out here). Run from the module:
 * {@code java -cp <test classpath> org.kdive.symbols.dwarf.fuzz.FuzzSeeds src/test/resources}.
 */
public final class FuzzSeeds {
    static final String IDENTITY = "fuzz-vqbug";
    static final String[][] NAMES = {
        {"STRUCT", "vqb_vring_virtqueue"}, {"STRUCT", "vqb_virtqueue"}, {"FUNCTION", "vqb_virtqueue_add"},
        {"VARIABLE", "total_sg"}, {"BASE", "int"}, {"TYPEDEF", "u16"}, {"FUNCTION", "no_such_function"},
    };
    private static final int HEADER = 384, CAPACITY = 16;

    public static void main(String[] args) throws IOException {
        Path inputs = Path.of(args[0], "org/kdive/symbols/dwarf/fuzz/DebugInfoFuzzTestInputs");
        Files.createDirectories(inputs.resolve("module"));
        Files.copy(Corpus.file("vqbug.ko.debug"), inputs.resolve("module/seed-vqbug.ko.debug"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        DwarfFile d = DebugInfoFuzzTest.vqbug();
        NameIndex built = NameIndex.build(d);
        d.units();
        long[] starts = d.unitStarts();
        ByteBuffer b = ByteBuffer.allocate(HEADER + CAPACITY * 16 + 8 * starts.length + 8).order(ByteOrder.LITTLE_ENDIAN);
        byte[] id = IDENTITY.getBytes(StandardCharsets.UTF_8);
        b.putLong(0, 0x31584449_4556494bL).putInt(8, 6).putInt(12, CAPACITY).putLong(20, d.sections.info.limit());
        b.putInt(28, id.length).put(32, id);
        int count = 0;
        for (String[] n : NAMES) {
            long ref = built.lookup(Category.valueOf(n[0]), n[1]);
            if (ref < 0) continue;
            long key = Category.valueOf(n[0]).key(Reader.hash(n[1]));
            int i = (int) (key ^ (key >>> 32)) & (CAPACITY - 1);
            while (b.getLong(HEADER + i * 16) != 0) i = (i + 1) & (CAPACITY - 1);
            b.putLong(HEADER + i * 16, key).putLong(HEADER + i * 16 + 8, ref);
            count++;
        }
        b.putInt(16, count).putLong(96, NameIndex.contentChecksum(d)); // no stamps: the loader checksums vqbug's DWARF
        b.putInt(HEADER - 8, starts.length);
        for (int i = 0; i < starts.length; i++) b.putLong(HEADER + CAPACITY * 16 + 8 * i, starts[i]);
        Files.createDirectories(inputs.resolve("nameIndex"));
        for (int flag = 0; flag < 2; flag++) {
            CRC32C crc = new CRC32C();
            crc.update(b.duplicate().position(0).limit(b.capacity() - 8));
            b.putLong(b.capacity() - 8, flag == 0 ? crc.getValue() : 0);
            ByteBuffer out = ByteBuffer.allocate(1 + b.capacity());
            out.put((byte) (flag == 0 ? 0 : 1)).put(b.array());
            Files.write(inputs.resolve("nameIndex/seed-" + (flag == 0 ? "sealed" : "fixed-up")), out.array());
        }
    }
}
