package org.kdive.api.dump;

import java.io.Closeable;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** An opened dump: physical memory plus the notes the capture kernel wrote. */
public interface Dump extends Closeable {
    /** The file(s) this dump was opened from (several for split dumps). */
    List<Path> files();

    DumpInfo info();

    PhysicalMemory memory();

    /** All ELF-style notes in file order: per-CPU PRSTATUS first as written, VMCOREINFO … */
    List<DumpNote> notes();

    /** The VMCOREINFO text, wherever the format keeps it. */
    Optional<VmcoreInfo> vmcoreinfo();

    /** Problems found while opening that did not stop it (e.g. truncated file). */
    List<String> warnings();

    @Override
    void close();
}
