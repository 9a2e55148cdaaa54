package org.kdive.format.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Paths;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.api.dump.PhysicalMemory;

/**
 * What every format's fuzz entry point does with the bytes: open them as a dump and touch what a
 * session touches first. Only DumpFormatException and MemoryAccessException may escape.
 */
public final class DumpFuzz {
    /** How a format opens a single source. */
    @FunctionalInterface
    public interface Opener {
        Dump open(Source source) throws IOException;
    }

    private DumpFuzz() {
    }

    /** Opens {@code input} (named {@code name} in errors) with {@code opener} and exercises the dump. */
    public static void open(byte[] input, String name, Opener opener) {
        try (Dump d = opener.open(new ByteArraySource(Paths.get(name), input))) {
            exercise(d);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Touches what a session touches first: info, notes, the first 32 present pages and an absent one. */
    public static void exercise(Dump d) {
        d.info();
        d.notes();
        d.vmcoreinfo();
        PhysicalMemory m = d.memory();
        long p = m.nextPresent(0);
        for (int i = 0; i < 32 && p >= 0; i++) { // (fuzz seeds hold a few dozen pages: every one decoded)
            try {
                m.read(p, 64);
            } catch (MemoryAccessException e) {
                // a corrupt page is reported, not fatal
            }
            p = m.nextPresent(p + m.pageSize());
        }
        try {
            m.read(m.limit() / 2, 16);
        } catch (MemoryAccessException e) {
            // fine: excluded or absent
        }
    }
}
