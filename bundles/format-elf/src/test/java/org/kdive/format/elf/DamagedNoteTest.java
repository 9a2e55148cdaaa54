package org.kdive.format.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.DumpNote;
import org.kdive.test.Corpus;

/** Issue 14 §5: a damaged NT_PRSTATUS note in an ELF dump: the warning names the CPU whose registers are lost. */
class DamagedNoteTest {
    @TempDir
    Path dir;

    @Test
    void aNoteTypeChangedNamesItsCpu() throws IOException {
        Path original = Corpus.file("vmcore.elf-d31");
        byte[] head = org.kdive.test.Fuzzing.head(original, 0x2000);
        int cpu1Type;
        try (Dump d = new ElfFormat().open(List.of(original))) {
            assertEquals(List.of(), d.warnings());
            DumpNote cpu1 = d.notes().get(1);
            assertEquals(DumpNote.NT_PRSTATUS, cpu1.type());
            cpu1Type = (int) cpu1.fileOffset() - 4 - 8;
        }
        assertEquals(0x4f4, cpu1Type, "the second note of the PT_NOTE at 0x388");
        assertEquals(1, head[cpu1Type]);
        head[cpu1Type] = (byte) 0xd8;
        // headers and notes, then a hole as long as the rest: opening reads no page
        Path copy = dir.resolve("vmcore.elf");
        try (RandomAccessFile f = new RandomAccessFile(copy.toFile(), "rw")) {
            f.write(head);
            f.setLength(Files.size(original));
        }
        try (Dump d = new ElfFormat().open(List.of(copy))) {
            assertEquals(List.of(copy + ": the ELF note at file offset 0x4ec (name \"CORE\", type 0xd8, 336 bytes)"
                    + " stands where CPU 1's NT_PRSTATUS belongs: it is damaged, and CPU 1's registers at the crash"
                    + " are lost (backtraces of the task it ran start from that task's saved state)"), d.warnings());
            assertEquals(2, d.info().cpus(), "the damaged note still stands for its CPU");
        }
    }
}
