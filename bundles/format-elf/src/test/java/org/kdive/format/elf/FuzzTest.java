package org.kdive.format.elf;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.kdive.api.dump.DumpFormatException;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.test.Corpus;
import org.kdive.test.Fuzzing;

/** Seeded random mutations of real headers: only the typed exceptions escape, quickly. */
class FuzzTest {
    @Test
    void elfHeaderParserSurvivesMutations() {
        // headers, notes and the first pages
        byte[] seed = Fuzzing.head(Corpus.file("vmcore.elf-d31"), 0x40000);
        ElfFuzz.fuzz(seed); // the seed itself opens
        Fuzzing.of("elf", seed).mutation(Fuzzing.fieldEdits(0x400)).rounds(3000).randomSeed(31)
                .allow(DumpFormatException.class, MemoryAccessException.class)
                .within(Duration.ofSeconds(60)).run(ElfFuzz::fuzz);
    }
}
