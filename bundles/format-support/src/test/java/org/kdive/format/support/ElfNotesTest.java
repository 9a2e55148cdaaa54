package org.kdive.format.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kdive.api.dump.DumpFormatException;
import org.kdive.api.dump.DumpNote;
import org.kdive.api.dump.VmcoreInfo;

/**
 * ElfNotes on the PT_NOTE of the corpus ELF dump. What the notes hold is known from readelf -n and the
 * corpus: two NT_PRSTATUS of 0x150 bytes (CPU 0 ran the idle task, CPU 1 PID 41 kworker/1:1H, the
 * panic task of console.log's "CPU: 1 PID: 41"), then VMCOREINFO of 0xcd5 bytes.
 */
class ElfNotesTest {
    private static final long[] SEGMENT = CorpusElf.noteSegment();
    private static final byte[] DATA = CorpusElf.read(SEGMENT[0], (int) SEGMENT[1]);

    @Test
    void theCorpusNotesParseWithTheirPlacesInTheFile() {
        assertEquals(0x388, SEGMENT[0]);
        assertEquals(0xfb8, SEGMENT[1]);
        List<DumpNote> notes = ElfNotes.parse(CorpusElf.FILE, DATA, SEGMENT[0]);
        assertEquals(3, notes.size(), notes.toString());
        // descriptor offsets: header 12 bytes + name "CORE\0" padded to 8; the next note follows the 0x150 bytes
        assertNote(notes.get(0), "CORE", DumpNote.NT_PRSTATUS, 0x150, 0x388 + 12 + 8);
        assertNote(notes.get(1), "CORE", DumpNote.NT_PRSTATUS, 0x150, 0x4ec + 12 + 8);
        assertNote(notes.get(2), "VMCOREINFO", 0, 0xcd5, 0x650 + 12 + 12);
        // the descriptors are the file's bytes at those offsets
        for (DumpNote n : notes) assertArrayEquals(CorpusElf.read(n.fileOffset(), n.desc().length), n.desc(), n.name());
        // elf_prstatus.pr_pid (offset 32): the idle task on CPU 0, the panic task on CPU 1
        assertEquals(0, Le.i32(notes.get(0).desc(), 32));
        assertEquals(41, Le.i32(notes.get(1).desc(), 32));
        assertEquals(2, ElfNotes.countCpuNotes(notes));
    }

    @Test
    void vmcoreinfoIsTheNotesText() {
        List<DumpNote> notes = ElfNotes.parse(CorpusElf.FILE, DATA, SEGMENT[0]);
        VmcoreInfo vi = ElfNotes.vmcoreinfo(notes).orElseThrow();
        assertEquals("6.1.0-50-cloud-amd64", vi.osRelease().orElseThrow());
        assertTrue(vi.text().startsWith("OSRELEASE=6.1.0-50-cloud-amd64\nBUILD-ID="), vi.text());
        assertTrue(vi.text().endsWith("CRASHTIME=1795729417\n"), "trailing NULs cut, the last line kept");
        assertEquals(0xcd5 - trailingNuls(notes.get(2).desc()), vi.text().length());
        // the kernel-text PT_LOAD of the same file starts at _stext
        assertEquals(0xffffffffbca00000L, vi.symbol("_stext").getAsLong());
        assertTrue(ElfNotes.vmcoreinfo(notes.subList(0, 2)).isEmpty());
    }

    @Test
    void zeroPaddingEndsTheList() {
        byte[] padded = Arrays.copyOf(DATA, DATA.length + 0x400); // kdump reserves note space per CPU
        assertEquals(ElfNotes.parse(CorpusElf.FILE, DATA, 0x388).size(), ElfNotes.parse(CorpusElf.FILE, padded, 0x388).size());
        byte[] onlyFirst = Arrays.copyOf(Arrays.copyOf(DATA, 0x4ec - 0x388), 0x4ec - 0x388 + 12);
        assertEquals(1, ElfNotes.parse(CorpusElf.FILE, onlyFirst, 0x388).size(), "an all-zero header after the first note ends the list");
    }

    @Test
    void aNoteRunningPastItsSegmentNamesFileAndOffset() {
        byte[] cut = Arrays.copyOf(DATA, 0x650 - 0x388 + 12 + 12 + 0x100); // VMCOREINFO's descriptor cut short
        DumpFormatException e = assertThrows(DumpFormatException.class, () -> ElfNotes.parse(CorpusElf.FILE, cut, 0x388));
        assertTrue(e.getMessage().contains(CorpusElf.FILE.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("0x650"), e.getMessage());
        assertTrue(e.getMessage().contains("namesz 11, descsz 3285 with " + (12 + 12 + 0x100) + " bytes left"), e.getMessage());
        // a size field near 4 GiB must not wrap around into a small one
        byte[] huge = DATA.clone();
        Le.put32(huge, 4, 0xfffffff0);
        e = assertThrows(DumpFormatException.class, () -> ElfNotes.parse(CorpusElf.FILE, huge, 0x388));
        assertTrue(e.getMessage().contains("descsz 4294967280"), e.getMessage());
    }

    @Test
    void cpuNoteWarnings() {
        List<DumpNote> notes = ElfNotes.parse(CorpusElf.FILE, DATA, SEGMENT[0]);
        assertEquals(List.of(), ElfNotes.cpuNoteWarnings(CorpusElf.FILE, notes, 2));
        assertEquals(List.of(), ElfNotes.cpuNoteWarnings(CorpusElf.FILE, notes, -1));
        assertEquals(List.of(CorpusElf.FILE + ": the header counts 4 CPUs, the notes hold 2 NT_PRSTATUS: no registers at the"
                + " crash for CPUs 2-3 (offline then, or their notes are lost)"), ElfNotes.cpuNoteWarnings(CorpusElf.FILE, notes, 4));
        assertTrue(ElfNotes.cpuNoteWarnings(CorpusElf.FILE, notes, 3).get(0).endsWith("for CPU 2 (offline then, or their notes are lost)"));

        // CPU 1's note with a type the kernel never writes: it keeps its place, and the warning names it
        byte[] damaged = DATA.clone();
        Le.put32(damaged, 0x4ec - 0x388 + 8, 7);
        List<DumpNote> d = ElfNotes.parse(CorpusElf.FILE, damaged, SEGMENT[0]);
        assertEquals(2, ElfNotes.countCpuNotes(d));
        assertNull(DumpNote.cpuNotes(d).get(1));
        List<String> w = ElfNotes.cpuNoteWarnings(CorpusElf.FILE, d, 2);
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).startsWith(CorpusElf.FILE + ": the ELF note at file offset 0x4ec (name \"CORE\", type 0x7, 336 bytes)"
                + " stands where CPU 1's NT_PRSTATUS belongs"), w.get(0));
        assertFalse(w.get(0).contains("header counts"), "the damaged note still counts as CPU 1's");
    }

    private static void assertNote(DumpNote n, String name, int type, int size, long descOffset) {
        assertEquals(name, n.name());
        assertEquals(type, n.type(), name);
        assertEquals(size, n.desc().length, name);
        assertEquals(descOffset, n.fileOffset(), name);
    }

    private static int trailingNuls(byte[] b) {
        int n = 0;
        while (n < b.length && b[b.length - 1 - n] == 0) n++;
        return n;
    }
}
