package org.kdive.format.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** FileSource and ByteArraySource against RandomAccessFile on the corpus ELF dump (127 MB). */
class FileSourceTest {
    @Test
    void readsAreTheFilesBytes() throws Exception {
        long seed = new Random().nextLong();
        Random r = new Random(seed);
        try (FileSource s = new FileSource(CorpusElf.FILE); RandomAccessFile raf = new RandomAccessFile(CorpusElf.FILE.toFile(), "r")) {
            assertEquals(Files.size(CorpusElf.FILE), s.size());
            assertEquals(s.size(), s.storedBytes());
            for (int i = 0; i < 200; i++) {
                long pos = (long) (r.nextDouble() * s.size());
                int len = 1 + r.nextInt(20000);
                byte[] got = new byte[len + 3];
                int n = s.read(pos, got, 3, len);
                int want = (int) Math.min(len, s.size() - pos);
                assertEquals(want, n, "seed " + seed + ": read at 0x" + Long.toHexString(pos));
                byte[] expected = new byte[want];
                raf.seek(pos);
                raf.readFully(expected);
                assertArrayEquals(expected, java.util.Arrays.copyOfRange(got, 3, 3 + want), "seed " + seed + ": bytes at 0x" + Long.toHexString(pos));
            }
        }
    }

    @Test
    void theEndIsShortAndBeyondItNothing() throws Exception {
        try (FileSource s = new FileSource(CorpusElf.FILE)) {
            long end = s.size();
            byte[] b = new byte[100];
            assertEquals(10, s.read(end - 10, b, 0, 100));
            assertEquals(0, s.read(end, b, 0, 100));
            assertEquals(0, s.read(-1, b, 0, 100));
            assertEquals(0, s.read(0, b, 0, 0));
            EOFException e = assertThrows(EOFException.class, () -> s.readFully(end - 10, 100));
            assertEquals(CorpusElf.FILE + ": 100 bytes at offset 0x" + Long.toHexString(end - 10) + " wanted, only 10 present", e.getMessage());
            // the ELF header: the same bytes through both sources
            byte[] head = s.readFully(0, 64);
            ByteArraySource a = new ByteArraySource(CorpusElf.FILE, head);
            assertArrayEquals(head, a.readFully(0, 64));
            assertTrue(new String(head, 1, 3, java.nio.charset.StandardCharsets.US_ASCII).equals("ELF"));
            e = assertThrows(EOFException.class, () -> a.readFully(60, 8));
            assertTrue(e.getMessage().endsWith("8 bytes at offset 0x3c wanted, only 4 present"), e.getMessage());
        }
    }
}
