package org.kdive.format.flattened;

import org.kdive.format.support.DumpFuzz;

/**
 * Fuzz entry point (Jazzer/libFuzzer style) for the flattened-stream indexer and the kdump parser behind it: opens the bytes and
 * reads a few pages. Only DumpFormatException and MemoryAccessException may escape.
 */
public final class FlattenedFuzz {
    private FlattenedFuzz() {
    }

    public static void fuzz(byte[] input) {
        DumpFuzz.open(input, "fuzz.flat", FlattenedFormat::open);
    }
}
