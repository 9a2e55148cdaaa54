package org.kdive.api.symbols;

import java.nio.file.Path;
import java.util.List;
import org.kdive.api.dump.VmcoreInfo;
import org.kdive.api.session.Memory;

/**
 * What a {@link DebugInfoProvider} may read when the debuginfo comes from the crashed kernel's own
 * memory (BTF between {@code __start_BTF} and {@code __stop_BTF}, module BTF) instead of a file:
 * see {@link DebugInfoProvider#openKernelMemory(KernelMemory)}.
 */
public interface KernelMemory {
    /** The crashed kernel's virtual memory. */
    Memory memory();

    /** The kernel's own symbols (kallsyms read from the dump); may be empty. */
    SymbolTable symbols();

    /** VMCOREINFO of the dump, or an empty one. */
    VmcoreInfo vmcoreinfo();

    /** The dump's file(s), to name where the debuginfo was read from. */
    List<Path> dumpFiles();

    /** A problem that leaves the rest usable (a damaged module table …): shown to the user once. */
    void warn(String message);
}
