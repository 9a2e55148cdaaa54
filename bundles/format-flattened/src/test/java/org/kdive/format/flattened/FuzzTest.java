package org.kdive.format.flattened;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.kdive.api.dump.DumpFormatException;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.test.Corpus;
import org.kdive.test.Fuzzing;

/** Seeded random mutations of real headers: only the typed exceptions escape, quickly. */
class FuzzTest {
    @Test
    void flattenedHeaderParserSurvivesMutations() {
        // headers, notes and the first pages
        byte[] seed = Fuzzing.head(Corpus.file("vmcore.flat"), 0x40000);
        FlattenedFuzz.fuzz(seed); // the seed itself opens
        Fuzzing.of("flattened", seed).mutation(Fuzzing.fieldEdits(0x1400)).rounds(3000)
                .allow(DumpFormatException.class, MemoryAccessException.class)
                .within(Duration.ofSeconds(60)).run(FlattenedFuzz::fuzz);
    }
}
