package org.kdive.format.lkcd;

import org.kdive.format.support.DumpFuzz;

/**
 * Fuzz entry point (Jazzer/libFuzzer style) for the LKCD parser: opens the bytes and
 * reads a few pages. Only DumpFormatException and MemoryAccessException may escape.
 */
public final class LkcdFuzz {
    private LkcdFuzz() {
    }

    public static void fuzz(byte[] input) {
        DumpFuzz.open(input, "fuzz.lkcd", LkcdReader::open);
    }
}
