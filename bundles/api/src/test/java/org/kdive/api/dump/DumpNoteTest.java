package org.kdive.api.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kdive.api.CorpusFiles;
import org.kdive.test.Corpus;

/**
 * The per-CPU notes of the corpus ELF dump (readelf -n: CORE/NT_PRSTATUS 0x150 twice, VMCOREINFO), read
 * here with a loop of its own, and the same notes with one header damaged as a bad disk would.
 */
class DumpNoteTest {
    private static List<DumpNote> corpusNotes() {
        byte[] data = CorpusFiles.read(Corpus.file("vmcore.elf-d31"), 0x388, 0xfb8);
        ByteBuffer b = CorpusFiles.le(data);
        List<DumpNote> out = new ArrayList<>();
        for (int pos = 0; pos + 12 <= data.length;) {
            int namesz = b.getInt(pos), descsz = b.getInt(pos + 4), type = b.getInt(pos + 8);
            String name = new String(data, pos + 12, Math.max(0, namesz - 1), StandardCharsets.ISO_8859_1);
            int desc = pos + 12 + (namesz + 3 & ~3);
            out.add(new DumpNote(name, type, java.util.Arrays.copyOfRange(data, desc, desc + descsz), 0x388 + desc));
            pos = desc + (descsz + 3 & ~3);
        }
        return out;
    }

    @Test
    void twoCpusOfTheCorpus() {
        List<DumpNote> notes = corpusNotes();
        assertEquals(3, notes.size());
        assertEquals(0x150, DumpNote.prstatusSize(notes));
        List<DumpNote> cpus = DumpNote.cpuNotes(notes);
        assertEquals(2, cpus.size());
        assertSame(notes.get(0), cpus.get(0));
        assertSame(notes.get(1), cpus.get(1));
        assertTrue(notes.get(0).isPrstatus());
        assertFalse(notes.get(2).isPrstatus());
        assertFalse(notes.get(2).isDamagedPrstatus(0x150), "VMCOREINFO is no CPU note");
    }

    @Test
    void aDamagedHeaderKeepsItsCpusPlace() {
        List<DumpNote> notes = corpusNotes();
        DumpNote cpu0 = notes.get(0);
        // the type lost (CORE with a type the kernel never writes)
        List<DumpNote> typeLost = List.of(new DumpNote("CORE", 0x41, cpu0.desc(), cpu0.fileOffset()), notes.get(1), notes.get(2));
        assertEquals(2, DumpNote.cpuNotes(typeLost).size());
        assertNull(DumpNote.cpuNotes(typeLost).get(0));
        assertSame(notes.get(1), DumpNote.cpuNotes(typeLost).get(1), "CPU 1 stays CPU 1");
        // the name lost
        DumpNote nameLost = new DumpNote("C\u00cfRE", DumpNote.NT_PRSTATUS, notes.get(1).desc(), notes.get(1).fileOffset());
        assertTrue(nameLost.isDamagedPrstatus(0x150));
        assertFalse(nameLost.isDamagedPrstatus(0x1b0), "another size: not a CPU note of this dump");
        assertTrue(nameLost.isDamagedPrstatus(-1), "no intact note to take the size from");
        // notes other writers add are not damage: QEMU's, and CORE's own other types
        assertFalse(new DumpNote("QEMU", 1, cpu0.desc(), 0).isDamagedPrstatus(0x150));
        assertFalse(new DumpNote("CORE", DumpNote.NT_PRPSINFO, cpu0.desc(), 0).isDamagedPrstatus(0x150));
        assertEquals(-1, DumpNote.prstatusSize(List.of(notes.get(2))));
        assertEquals(List.of(), DumpNote.cpuNotes(List.of(notes.get(2))));
    }
}
