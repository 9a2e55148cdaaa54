package org.kdive.api.dump;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.kdive.api.Plugin;

/**
 * A dump file format. The session offers each file to every format's {@link #probe} and opens
 * it with the one that answers highest; users never name the format.
 */
public interface DumpFormat extends Plugin {
    /** How many leading bytes {@link #probe} receives (fewer if the file is shorter). */
    int PROBE_SIZE = 64 * 1024;

    /**
     * 0 if the file is not in this format, else a confidence (100 = certain). Must not throw
     * for foreign or garbage input and must not read beyond {@code head}.
     */
    int probe(Path file, ByteBuffer head);

    /**
     * Opens the dump. Several files are given for split dumps, in any order.
     *
     * @throws DumpFormatException for malformed content (file, offset, expectation)
     */
    Dump open(List<Path> files) throws IOException;
}
