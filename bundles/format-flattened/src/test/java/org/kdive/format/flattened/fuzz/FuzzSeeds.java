package org.kdive.format.flattened.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Writes the fuzz seeds: format-diskdump's kdump seeds (zlib, zstd) as flattened streams — a 4096-byte header
 * ("makedumpfile", type 1, version 1, big-endian), records of (offset, size, data) of at most 4 KiB, the end
 * record (-1, -1) — once in file order and once shuffled (records may come in any order). Run from the module:
 * {@code java -cp <test classpath> org.kdive.format.flattened.fuzz.FuzzSeeds src/test/resources ../format-diskdump/src/test/resources}.
 */
public final class FuzzSeeds {
    public static void main(String[] args) throws IOException {
        Path out = Files.createDirectories(Path.of(args[0], "org/kdive/format/flattened/fuzz/FlattenedFuzzTestInputs/flattened"));
        Path kdump = Path.of(args[1], "org/kdive/format/diskdump/fuzz/KdumpFuzzTestInputs/kdump");
        Files.write(out.resolve("seed-zlib"), flatten(Files.readAllBytes(kdump.resolve("seed-zlib")), false));
        Files.write(out.resolve("seed-zstd-shuffled"), flatten(Files.readAllBytes(kdump.resolve("seed-zstd")), true));
    }

    static byte[] flatten(byte[] file, boolean shuffle) throws IOException {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        byte[] h = new byte[4096];
        System.arraycopy("makedumpfile".getBytes(StandardCharsets.US_ASCII), 0, h, 0, 12);
        ByteBuffer.wrap(h).putLong(16, 1).putLong(24, 1);
        o.write(h);
        List<int[]> recs = new ArrayList<>();
        for (int at = 0; at < file.length; at += 4096) recs.add(new int[] {at, Math.min(4096, file.length - at)});
        if (shuffle) Collections.shuffle(recs, new Random(1));
        for (int[] r : recs) {
            o.write(ByteBuffer.allocate(16).putLong(r[0]).putLong(r[1]).array());
            o.write(file, r[0], r[1]);
        }
        o.write(ByteBuffer.allocate(16).putLong(-1).putLong(-1).array());
        return o.toByteArray();
    }
}
