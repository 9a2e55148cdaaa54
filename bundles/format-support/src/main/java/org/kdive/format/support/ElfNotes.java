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

    /**
     * Warnings about the per-CPU NT_PRSTATUS notes: a note that stands among them with their size but
     * another type or name (a damaged header: its CPU's registers are lost, silently otherwise), and
     * fewer notes than the {@code cpus} the dump's header counts (-1: unknown). The notes are in CPU
     * order, so a note's place among them names its CPU.
     */
    public static List<String> cpuNoteWarnings(Path file, List<DumpNote> notes, int cpus) {
        int size = DumpNote.prstatusSize(notes);
        List<String> out = new ArrayList<>();
        int cpu = 0;
        int intact = 0;
        for (DumpNote n : notes) {
            if (n.isPrstatus()) {
                cpu++;
                intact++;
            } else if (n.isDamagedPrstatus(size)) {
                out.add(String.format("%s: the ELF note at file offset 0x%x (name \"%s\", type 0x%x, %d bytes) stands"
                        + " where CPU %d's NT_PRSTATUS belongs: it is damaged, and CPU %d's registers at the crash are"
                        + " lost (backtraces of the task it ran start from that task's saved state)",
                        file, headerOffset(n), n.name(), n.type(), n.desc().length, cpu, cpu));
                cpu++;
            }
        }
        if (cpus > cpu) {
            out.add(String.format("%s: the header counts %d CPUs, the notes hold %d NT_PRSTATUS: no registers at the"
                    + " crash for CPU%s %s (offline then, or their notes are lost)", file, cpus, intact,
                    cpus - cpu > 1 ? "s" : "", cpus - cpu > 1 ? cpu + "-" + (cpus - 1) : Integer.toString(cpu)));
        }
        return out;
    }

    /** The CPUs the notes are for: the NT_PRSTATUS notes, damaged ones included. */
    public static int countCpuNotes(List<DumpNote> notes) {
        return DumpNote.cpuNotes(notes).size();
    }


    /** Where the note's header lies: its descriptor's offset less the header and padded name. */
    private static long headerOffset(DumpNote n) {
        return n.fileOffset() - 12 - align4(n.name().length() + 1);
    }

    private static long align4(long v) { return (v + 3) & ~3L; }
}
