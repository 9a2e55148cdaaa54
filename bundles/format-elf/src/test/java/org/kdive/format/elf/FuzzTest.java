package org.kdive.format.elf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.DumpFormatException;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.format.support.ByteArraySource;
import org.kdive.test.Corpus;
import org.kdive.test.Fuzzing;

/**
 * Random mutations of the corpus ELF dump's headers and notes (a fresh random seed each run, named on
 * failure): only the typed exceptions escape, quickly, and edits of the notes leave memory as it was.
 */
class FuzzTest {
    /** The PT_NOTE of vmcore.elf-d31: NT_PRSTATUS of both CPUs, then VMCOREINFO. */
    private static final int NOTES = 0x388, NOTES_END = 0x1340;
    private static final byte[] SEED = Fuzzing.head(Corpus.file("vmcore.elf-d31"), 0x40000);

    @Test
    void headersAndNotesSurviveMutations() {
        ElfFuzz.fuzz(SEED); // the seed itself opens
        // three edits in four within the headers and the notes that follow them
        Fuzzing.of("elf", SEED).mutation(Fuzzing.fieldEdits(NOTES_END)).rounds(2000)
                .allow(DumpFormatException.class, MemoryAccessException.class)
                .within(Duration.ofSeconds(60)).run(ElfFuzz::fuzz);
    }

    /** Edits inside the notes only: the dump opens or says which note is bad, and its pages read as before. */
    @Test
    void noteEditsLeaveMemoryAsItWas() throws Exception {
        List<long[]> present;
        List<byte[]> pages = new java.util.ArrayList<>();
        try (Dump d = open(SEED)) {
            present = new java.util.ArrayList<>();
            for (long p = d.memory().nextPresent(0); p >= 0 && present.size() < 16; p = d.memory().nextPresent(p + 4096)) {
                present.add(new long[] {p});
                pages.add(d.memory().read(p, 4096));
            }
        }
        assertEquals(16, present.size());
        Fuzzing.of("notes", SEED).rounds(500).allow(DumpFormatException.class)
                .mutation((m, r) -> {
                    for (int i = 1 + r.nextInt(6); i > 0; i--) m[NOTES + r.nextInt(NOTES_END - NOTES)] = (byte) r.nextInt(256);
                    return m;
                })
                .run(m -> {
                    try (Dump d = open(m)) {
                        d.notes();
                        d.vmcoreinfo();
                        for (int i = 0; i < present.size(); i++) {
                            assertArrayEquals(pages.get(i), d.memory().read(present.get(i)[0], 4096), "a page of a dump whose notes changed");
                        }
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
    }

    private static Dump open(byte[] b) throws java.io.IOException {
        return ElfReader.open(new ByteArraySource(Path.of("fuzz.elf"), b));
    }
}
