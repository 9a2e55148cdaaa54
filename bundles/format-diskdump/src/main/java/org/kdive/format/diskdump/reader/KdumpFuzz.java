package org.kdive.format.diskdump.reader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Paths;
import java.util.List;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.api.dump.PhysicalMemory;
import org.kdive.format.support.ByteArraySource;

/**
 * Fuzz entry point (Jazzer/libFuzzer style) for the kdump-compressed parser: opens the bytes and
 * reads a few pages. Only DumpFormatException and MemoryAccessException may escape.
 */
public final class KdumpFuzz {
    private KdumpFuzz() {
    }

    public static void fuzz(byte[] input) {
        try (Dump d = KdumpReader.open("kdump-compressed", List.of(new ByteArraySource(Paths.get("fuzz.kdump"), input)), List.of())) {
            exercise(d);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Touches what a session touches first: info, notes, a few present and absent pages. */
    public static void exercise(Dump d) {
        d.info();
        d.notes();
        d.vmcoreinfo();
        PhysicalMemory m = d.memory();
        long p = m.nextPresent(0);
        for (int i = 0; i < 8 && p >= 0; i++) {
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
