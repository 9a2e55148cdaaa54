package org.kdive.format.diskdump.fuzz;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.kdive.api.dump.Dump;
import org.kdive.format.diskdump.DiskdumpFormat;
import org.kdive.format.diskdump.fixture.KdumpWriter;
import org.kdive.test.Corpus;

/**
 * Writes the fuzz seeds: kdump files of the corpus dump's first 31 pages (real low-memory pages, some
 * zero) in each compression and header version, and a split pair. Small (~30 KiB) so that the fuzzer
 * mutates fast, yet every page decoder runs. Run from the module: {@code java -cp <test classpath>
 * org.kdive.format.diskdump.fuzz.FuzzSeeds src/test/resources}.
 */
public final class FuzzSeeds {
    private static final long MAPNR = 0x20;

    public static void main(String[] args) throws IOException {
        Path inputs = Path.of(args[0], "org/kdive/format/diskdump/fuzz/KdumpFuzzTestInputs");
        Path tmp = Files.createTempDirectory("kdump-seeds");
        try (Dump corpus = new DiskdumpFormat().open(List.of(Corpus.file("vmcore.kdump-zlib")))) {
            Path single = Files.createDirectories(inputs.resolve("kdump"));
            String[] names = {"zlib", "lzo", "snappy", "zstd", "none"};
            int[] flags = {KdumpWriter.ZLIB, KdumpWriter.LZO, KdumpWriter.SNAPPY, KdumpWriter.ZSTD, 0};
            for (int i = 0; i < names.length; i++) {
                // stored pages are whole: fewer of them
                new KdumpWriter(corpus, flags[i] == 0 ? 8 : MAPNR).compression(flags[i]).write(single.resolve("seed-" + names[i]));
            }
            for (int v : new int[] {1, 3, 5}) {
                new KdumpWriter(corpus, MAPNR).version(v).write(single.resolve("seed-zlib-v" + v));
            }
            Path a = tmp.resolve("a");
            Path b = tmp.resolve("b");
            new KdumpWriter(corpus, MAPNR).compression(KdumpWriter.ZSTD).writeSplit(List.of(a, b), new long[] {0, 0x11, MAPNR});
            byte[] x = Files.readAllBytes(a);
            byte[] y = Files.readAllBytes(b);
            ByteBuffer pair = ByteBuffer.allocate(4 + x.length + y.length).order(ByteOrder.LITTLE_ENDIAN);
            pair.putInt(x.length).put(x).put(y);
            Files.write(Files.createDirectories(inputs.resolve("split")).resolve("seed-zstd"), pair.array());
        } finally {
            for (String f : new String[] {"a", "b"}) Files.deleteIfExists(tmp.resolve(f));
            Files.delete(tmp);
        }
    }
}
