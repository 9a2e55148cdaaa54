package org.kdive.format.lkcd.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.kdive.api.dump.DumpFormatException;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.format.lkcd.LkcdFuzz;

/**
 * Coverage-guided fuzzing (Jazzer) of the LKCD reader. Seeds: LkcdFixtureTest's v8 and v9 files (raw, RLE and
 * gzip pages of the corpus) cut to their first page records and closed with the end record. Only the typed
 * errors may escape.
 */
class LkcdFuzzTest {
    @FuzzTest(maxDuration = "10m")
    void lkcd(byte[] input) {
        try {
            LkcdFuzz.fuzz(input);
        } catch (DumpFormatException | MemoryAccessException e) {
            // the reader said what is wrong
        }
    }
}
