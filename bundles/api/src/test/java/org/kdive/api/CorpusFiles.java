package org.kdive.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.kdive.test.Corpus;

/** Bytes of the corpus dumps, read with plain NIO (the API has no reader of its own). */
public final class CorpusFiles {
    private CorpusFiles() {
    }

    public static byte[] read(Path file, long offset, int len) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(len);
            while (b.hasRemaining() && ch.read(b, offset + b.position()) > 0) {
                // fill
            }
            return b.array();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The VMCOREINFO text a dump file carries: from "OSRELEASE=" (the kernel writes it first) to the
     * first NUL, found in the file's first {@code within} bytes.
     */
    public static String vmcoreinfo(String corpusFile, int within) {
        byte[] head = read(Corpus.file(corpusFile), 0, within);
        String s = new String(head, StandardCharsets.ISO_8859_1);
        int at = s.indexOf("OSRELEASE=");
        if (at < 0) throw new IllegalStateException(corpusFile + ": no VMCOREINFO in its first " + within + " bytes");
        return s.substring(at, s.indexOf('\0', at));
    }

    /** Little-endian view of bytes. */
    public static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }
}
