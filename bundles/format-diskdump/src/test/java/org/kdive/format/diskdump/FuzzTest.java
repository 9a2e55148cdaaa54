package org.kdive.format.diskdump;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.kdive.api.dump.DumpFormatException;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.format.diskdump.reader.KdumpFuzz;
import org.kdive.test.Corpus;
import org.kdive.test.Fuzzing;

/** Seeded random mutations of real headers: only the typed exceptions escape, quickly. */
class FuzzTest {
    @Test
    void kdumpHeaderParserSurvivesMutations() {
        // header, sub-header, both bitmaps, the first descriptors and pages
        byte[] seed = Fuzzing.head(Corpus.file("vmcore.kdump-zlib"), 0x40000);
        KdumpFuzz.fuzz(seed); // the seed itself opens
        Fuzzing.of("kdump", seed).mutation(Fuzzing.fieldEdits(0x1100)).rounds(3000).randomSeed(31)
                .allow(DumpFormatException.class, MemoryAccessException.class)
                .within(Duration.ofSeconds(60)).run(KdumpFuzz::fuzz);
    }
}
