package org.kdive.format.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.kdive.test.Corpus;

/**
 * The corpus ELF dump (makedumpfile -E -d 31) read with plain NIO, independently of the code under
 * test: where its PT_NOTE segment lies. (readelf -lW vmcore.elf-d31: NOTE at 0x388, 0xfb8 bytes.)
 */
final class CorpusElf {
    static final Path FILE = Corpus.file("vmcore.elf-d31");

    private CorpusElf() {
    }

    /** {offset, size} of the first PT_NOTE, from the program headers. */
    static long[] noteSegment() {
        try (FileChannel ch = FileChannel.open(FILE, StandardOpenOption.READ)) {
            ByteBuffer eh = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(eh, 0);
            long phoff = eh.getLong(0x20);
            int phentsize = eh.getShort(0x36) & 0xffff, phnum = eh.getShort(0x38) & 0xffff;
            ByteBuffer ph = ByteBuffer.allocate(phentsize * phnum).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(ph, phoff);
            for (int i = 0; i < phnum; i++) {
                if (ph.getInt(i * phentsize) == 4) return new long[] {ph.getLong(i * phentsize + 8), ph.getLong(i * phentsize + 32)};
            }
            throw new IllegalStateException(FILE + " has no PT_NOTE");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] read(long offset, int len) {
        try (FileChannel ch = FileChannel.open(FILE, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(len);
            while (b.hasRemaining() && ch.read(b, offset + b.position()) > 0) {
                // fill
            }
            return b.array();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
