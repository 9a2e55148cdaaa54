package org.kdive.arch.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdive.api.arch.KernelArch;
import org.kdive.api.arch.Registers;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.DumpNote;
import org.kdive.format.diskdump.DiskdumpFormat;
import org.kdive.test.Corpus;

/**
 * A damaged NT_PRSTATUS note (its type byte overwritten) keeps its CPU's place: the registers of the
 * CPUs after it stay theirs. The notes come in CPU order and carry no CPU number, so skipping the
 * damaged one used to show CPU 1's registers as CPU 0's.
 */
class DamagedCpuNoteTest {
    @Test
    void cpu0sDamagedNoteLeavesCpu1sRegistersAtCpu1(@TempDir Path tmp) throws Exception {
        Path src = Corpus.file("vmcore.kdump-zlib");
        List<Registers> intact;
        long typeByte;
        try (Dump d = new DiskdumpFormat().open(List.of(src))) {
            intact = new X86Architecture().attach(d, d.vmcoreinfo().orElseThrow()).cpuRegisters();
            List<DumpNote> cpus = DumpNote.cpuNotes(d.notes());
            assertEquals(2, cpus.size());
            // a "CORE" note's header: namesz, descsz, type, then the name padded to 8 bytes
            typeByte = cpus.get(0).fileOffset() - 8 - 4;
        }
        assertEquals(2, intact.size());
        assertFalse(intact.get(0).isEmpty());
        Path copy = tmp.resolve("damaged.kdump");
        Files.copy(src, copy);
        try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {(byte) 0xd8}), typeByte);
        }
        try (Dump d = new DiskdumpFormat().open(List.of(copy))) {
            assertTrue(d.warnings().stream().anyMatch(w -> w.contains("CPU 0's registers")), d.warnings().toString());
            KernelArch arch = new X86Architecture().attach(d, d.vmcoreinfo().orElseThrow());
            List<Registers> regs = arch.cpuRegisters();
            assertEquals(2, regs.size());
            assertTrue(regs.get(0).isEmpty());
            assertEquals(intact.get(1), regs.get(1));
            assertEquals(List.of(), arch.unwindCpu(null, 0), "no registers, no frames");
        }
    }
}
