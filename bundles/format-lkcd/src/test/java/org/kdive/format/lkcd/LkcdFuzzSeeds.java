package org.kdive.format.lkcd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the seeds of fuzz.LkcdFuzzTest: {@link LkcdFixtureTest}'s files cut after their first {@value #RECORDS}
 * page records and closed with the end record. Run from the module: {@code java -cp <test classpath>
 * org.kdive.format.lkcd.LkcdFuzzSeeds src/test/resources}.
 */
public final class LkcdFuzzSeeds {
    private static final int RECORDS = 12;

    public static void main(String[] args) throws Exception {
        Path out = Files.createDirectories(Path.of(args[0], "org/kdive/format/lkcd/fuzz/LkcdFuzzTestInputs/lkcd"));
        LkcdFixtureTest.open();
        try {
            int[][] kinds = {{9, LkcdReader.COMPRESS_RLE}, {9, LkcdReader.COMPRESS_GZIP}, {9, LkcdReader.COMPRESS_NONE},
                {8, LkcdReader.COMPRESS_GZIP}};
            for (int[] k : kinds) {
                String name = "seed-v" + k[0] + "-" + new String[] {"none", "rle", "gzip"}[k[1]];
                Files.write(out.resolve(name), cut(LkcdFixtureTest.write(k[0], k[1], false), k[0]));
            }
        } finally {
            LkcdFixtureTest.close();
        }
    }

    /** The file up to the end of its first page records, then an end record. */
    static byte[] cut(byte[] all, int version) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int at = (int) (version == 9 ? b.getLong(734) : LkcdReader.FIRST_PAGE);
        for (int i = 0; i < RECORDS; i++) at += 16 + b.getInt(at + 8);
        byte[] out = java.util.Arrays.copyOf(all, at + 16);
        System.arraycopy(LkcdFixtureTest.record(0, 0, LkcdReader.DH_END), 0, out, at, 16);
        return out;
    }
}
