package org.kdive.format.diskdump.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.DumpFormatException;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.format.diskdump.reader.KdumpFuzz;
import org.kdive.format.diskdump.reader.KdumpReader;
import org.kdive.format.support.ByteArraySource;
import org.kdive.format.support.DumpFuzz;

/**
 * Coverage-guided fuzzing (Jazzer) of the kdump-compressed reader, single files and split sets. `mvn test`
 * replays the seeds and findings in src/test/resources/…/KdumpFuzzTestInputs/<method>/ (small kdump files of a
 * few real pages in each compression, made by {@link FuzzSeeds}); bench/fuzz.sh fuzzes with JAZZER_FUZZ=1.
 * Only the typed errors may escape.
 */
class KdumpFuzzTest {
    @FuzzTest(maxDuration = "10m")
    void kdump(byte[] input) {
        try {
            KdumpFuzz.fuzz(input);
        } catch (DumpFormatException | MemoryAccessException e) {
            // the reader said what is wrong
        }
    }

    /** Two files of a split dump: {@code [u32 length of the first][first][second]}. */
    @FuzzTest(maxDuration = "10m")
    void split(byte[] input) {
        if (input.length < 4) return;
        int n = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        if (n < 0 || n > input.length - 4) return;
        byte[] a = java.util.Arrays.copyOfRange(input, 4, 4 + n);
        byte[] b = java.util.Arrays.copyOfRange(input, 4 + n, input.length);
        List<ByteArraySource> files = List.of(new ByteArraySource(Path.of("fuzz.1"), a), new ByteArraySource(Path.of("fuzz.2"), b));
        try (Dump d = KdumpReader.open("kdump-compressed", files, List.of())) {
            DumpFuzz.exercise(d);
        } catch (DumpFormatException | MemoryAccessException e) {
            // the reader said what is wrong
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e); // no I/O on bytes in memory
        }
    }
}
