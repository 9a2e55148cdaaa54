package org.kdive.format.elf;

import org.kdive.format.support.DumpFuzz;

/**
 * Fuzz entry point (Jazzer/libFuzzer style) for the ELF vmcore parser: opens the bytes and
 * reads a few pages. Only DumpFormatException and MemoryAccessException may escape.
 */
public final class ElfFuzz {
    private ElfFuzz() {
    }

    public static void fuzz(byte[] input) {
        DumpFuzz.open(input, "fuzz.elf", ElfReader::open);
    }
}
