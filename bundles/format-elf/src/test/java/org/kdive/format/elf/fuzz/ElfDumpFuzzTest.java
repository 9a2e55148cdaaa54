package org.kdive.format.elf.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.kdive.api.dump.DumpFormatException;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.format.elf.ElfFuzz;

/**
 * Coverage-guided fuzzing (Jazzer) of the ELF core reader. Seeds (made by {@link FuzzSeeds}): the corpus
 * makedumpfile -E dump and a QEMU dump cut down to their headers, all their notes (PRSTATUS, VMCOREINFO, QEMU)
 * and a few real pages per segment. Only the typed errors may escape.
 */
class ElfDumpFuzzTest {
    @FuzzTest(maxDuration = "10m")
    void elf(byte[] input) {
        try {
            ElfFuzz.fuzz(input);
        } catch (DumpFormatException | MemoryAccessException e) {
            // the reader said what is wrong
        }
    }
}
