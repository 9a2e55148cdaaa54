package org.kdive.api.dump;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An ELF-style note of the dump (NT_PRSTATUS per CPU, VMCOREINFO, QEMU's notes …), wherever the
 * format keeps it. {@code desc} is the raw descriptor, little-endian as written.
 */
public record DumpNote(String name, int type, byte[] desc, long fileOffset) {
    public static final int NT_PRSTATUS = 1;
    public static final int NT_PRPSINFO = 3;
    public static final int NT_TASKSTRUCT = 4;
    public static final int NT_VMCOREINFO = 0; // with name "VMCOREINFO"

    /** An intact per-CPU register note: NT_PRSTATUS named CORE. */
    public boolean isPrstatus() {
        return type == NT_PRSTATUS && "CORE".equals(name);
    }

    /**
     * The per-CPU NT_PRSTATUS notes in CPU order, one entry per CPU: the notes come in CPU order, so a
     * damaged note (see {@link #isDamagedPrstatus}) keeps its place as a {@code null} entry, and the
     * CPUs after it keep their numbers.
     */
    public static List<DumpNote> cpuNotes(List<DumpNote> notes) {
        int size = prstatusSize(notes);
        List<DumpNote> out = new ArrayList<>();
        for (DumpNote n : notes) {
            if (n.isPrstatus()) out.add(n);
            else if (n.isDamagedPrstatus(size)) out.add(null);
        }
        return Collections.unmodifiableList(out);
    }

    /** The descriptor size of the intact NT_PRSTATUS notes, or -1 when there is none. */
    public static int prstatusSize(List<DumpNote> notes) {
        for (DumpNote n : notes) {
            if (n.isPrstatus()) return n.desc().length;
        }
        return -1;
    }

    /**
     * A note that is no NT_PRSTATUS but has its size (known from an intact one, else any size) and half
     * of its header: the name CORE with a type the kernel never writes, or the type with another name.
     */
    public boolean isDamagedPrstatus(int prstatusSize) {
        if (prstatusSize >= 0 && desc.length != prstatusSize) return false;
        boolean core = "CORE".equals(name);
        boolean knownCoreType = type >= NT_PRSTATUS && type <= NT_TASKSTRUCT;
        return core && !knownCoreType
                || !core && type == NT_PRSTATUS && !"VMCOREINFO".equals(name) && !"QEMU".equals(name);
    }
}
