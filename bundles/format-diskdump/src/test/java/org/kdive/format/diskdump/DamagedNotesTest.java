package org.kdive.format.diskdump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.DumpNote;
import org.kdive.test.Corpus;

/** Issue 14 §5: a damaged NT_PRSTATUS note loses its CPU's registers; the dump says which CPU. */
class DamagedNotesTest {
    /** The type field of the second NT_PRSTATUS note (CPU 1) in the corpus kdump files. */
    private static final int CPU1_TYPE = 0x11d4;

    @TempDir
    Path dir;

    @Test
    void theIssuesNoteTypeNamesCpuOne() throws IOException {
        byte[] b = Files.readAllBytes(Corpus.file("vmcore.kdump-zlib"));
        try (Dump d = open(b)) {
            assertEquals(List.of(), d.warnings(), "the corpus dump itself");
            DumpNote cpu1 = d.notes().get(1);
            assertEquals(DumpNote.NT_PRSTATUS, cpu1.type());
            assertEquals(CPU1_TYPE + 4 + 8, cpu1.fileOffset(), "type, name CORE padded, then the registers");
        }
        assertEquals(1, b[CPU1_TYPE]);
        b[CPU1_TYPE] = (byte) 0xd8;
        try (Dump d = open(b)) {
            assertEquals(List.of(String.format("%s: the ELF note at file offset 0x11cc (name \"CORE\", type 0xd8, 336 bytes)"
                    + " stands where CPU 1's NT_PRSTATUS belongs: it is damaged, and CPU 1's registers at the crash are"
                    + " lost (backtraces of the task it ran start from that task's saved state)", dir.resolve("vmcore.kdump"))),
                    d.warnings());
            assertEquals(2, d.info().cpus());
        }
    }

    @Test
    void aNoteHeaderZeroedEndsTheNotesAndTheHeaderCountsTheCpuLost() throws IOException {
        byte[] b = Files.readAllBytes(Corpus.file("vmcore.kdump-zlib"));
        for (int i = CPU1_TYPE - 8; i < CPU1_TYPE + 4; i++) b[i] = 0;
        try (Dump d = open(b)) {
            assertEquals(1, d.warnings().size(), d.warnings().toString());
            assertTrue(d.warnings().get(0).endsWith("the header counts 2 CPUs, the notes hold 1 NT_PRSTATUS: no registers"
                    + " at the crash for CPU 1 (offline then, or their notes are lost)"), d.warnings().get(0));
            assertTrue(d.vmcoreinfo().isPresent(), "VMCOREINFO has its own copy in the header");
        }
    }

    private Dump open(byte[] image) throws IOException {
        Path f = dir.resolve("vmcore.kdump");
        Files.write(f, image);
        return new DiskdumpFormat().open(List.of(f));
    }
}
