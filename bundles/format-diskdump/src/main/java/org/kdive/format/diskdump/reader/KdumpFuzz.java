package org.kdive.format.diskdump.reader;

import java.util.List;
import org.kdive.format.support.DumpFuzz;

/**
 * Fuzz entry point (Jazzer/libFuzzer style) for the kdump-compressed parser: opens the bytes and
 * reads a few pages. Only DumpFormatException and MemoryAccessException may escape.
 */
public final class KdumpFuzz {
    private KdumpFuzz() {
    }

    public static void fuzz(byte[] input) {
        DumpFuzz.open(input, "fuzz.kdump", source -> KdumpReader.open("kdump-compressed", List.of(source), List.of()));
    }
}
