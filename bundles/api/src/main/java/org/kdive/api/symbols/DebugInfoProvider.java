package org.kdive.api.symbols;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.kdive.api.Plugin;

/** Reads one kind of debuginfo file (ELF+DWARF, BTF …). */
public interface DebugInfoProvider extends Plugin {
    /** Whether this provider reads the file, judging by its first bytes. */
    boolean accepts(Path file, ByteBuffer head);

    /** Opens the file; must be cheap (index lazily or from an on-disk cache). */
    DebugInfo open(Path file, LoadSpec spec) throws IOException;
}
