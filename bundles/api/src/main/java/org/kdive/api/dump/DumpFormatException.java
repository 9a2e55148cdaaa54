package org.kdive.api.dump;

import java.nio.file.Path;
import org.kdive.api.KdiveException;

/** A file is not what its format promises: names the file, the offset and what was expected. */
public class DumpFormatException extends KdiveException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;
    private final long offset;
    private final String expected;

    public DumpFormatException(Path file, long offset, String expected, String found) {
        super(String.format("%s: at offset 0x%x: expected %s%s", file, offset, expected,
                found == null || found.isEmpty() ? "" : ", found " + found));
        this.file = file;
        this.offset = offset;
        this.expected = expected;
    }

    public Path file() { return file; }

    public long offset() { return offset; }

    public String expected() { return expected; }
}
