package org.kdive.format.support;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.kdive.api.dump.DumpFormatException;
import org.kdive.api.dump.DumpNote;
import org.kdive.api.dump.VmcoreInfo;

/** ELF note parsing (Elf64_Nhdr: namesz, descsz, type; name and desc padded to 4 bytes). */
public final class ElfNotes {
    private ElfNotes() {
    }

    /**
     * Parses the notes in {@code data}, which was read at {@code fileOffset} of {@code file}.
     * Zero padding at the end (kdump reserves note space per CPU) ends the list.
     */
    public static List<DumpNote> parse(Path file, byte[] data, long fileOffset) {
        List<DumpNote> notes = new ArrayList<>();
        int pos = 0;
        while (pos + 12 <= data.length) {
            long namesz = Le.u32(data, pos);
            long descsz = Le.u32(data, pos + 4);
            int type = Le.i32(data, pos + 8);
            if (namesz == 0 && descsz == 0 && type == 0) break;
            long nameEnd = pos + 12L + align4(namesz);
            long descEnd = nameEnd + align4(descsz);
            if (nameEnd + descsz > data.length) {
                throw new DumpFormatException(file, fileOffset + pos, "an ELF note that fits in its segment",
                        "namesz " + namesz + ", descsz " + descsz + " with " + (data.length - pos) + " bytes left");
            }
            int nlen = (int) namesz;
            while (nlen > 0 && data[pos + 12 + nlen - 1] == 0) nlen--;
            String name = new String(data, pos + 12, nlen, StandardCharsets.ISO_8859_1);
            byte[] desc = java.util.Arrays.copyOfRange(data, (int) nameEnd, (int) (nameEnd + descsz));
            notes.add(new DumpNote(name, type, desc, fileOffset + nameEnd));
            pos = (int) Math.min(descEnd, data.length);
        }
        return notes;
    }

    public static Optional<VmcoreInfo> vmcoreinfo(List<DumpNote> notes) {
        for (DumpNote n : notes) {
            if (n.name().equals("VMCOREINFO")) return Optional.of(VmcoreInfo.parse(text(n.desc())));
        }
        return Optional.empty();
    }

    /** The text of a VMCOREINFO blob, without trailing NULs. */
    public static String text(byte[] b) {
        int n = b.length;
        while (n > 0 && b[n - 1] == 0) n--;
        return new String(b, 0, n, StandardCharsets.ISO_8859_1);
    }

    public static int countPrstatus(List<DumpNote> notes) {
        int n = 0;
        for (DumpNote note : notes) {
            if (note.type() == DumpNote.NT_PRSTATUS && note.name().equals("CORE")) n++;
        }
        return n;
    }

    private static long align4(long v) { return (v + 3) & ~3L; }
}
