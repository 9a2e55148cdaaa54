package org.kdive.api.symbols;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;
import org.kdive.api.Plugin;

/** Reads one kind of debuginfo file (ELF+DWARF, BTF …). */
public interface DebugInfoProvider extends Plugin {
    /** Whether this provider reads the file, judging by its first bytes. */
    boolean accepts(Path file, ByteBuffer head);

    /** Opens the file; must be cheap (index lazily or from an on-disk cache). */
    DebugInfo open(Path file, LoadSpec spec) throws IOException;

    /**
     * Debuginfo the crashed kernel carries in its own memory (e.g. BTF), for a session that has no
     * vmlinux: one {@link DebugInfo} for the kernel ({@link DebugInfo#module()} null) that may also
     * answer for the modules' in-memory debuginfo. Empty when this provider reads nothing of the
     * kind from memory, or the kernel carries none (say why through {@link KernelMemory#warn}).
     * Must be cheap like {@link #open}: check a header now, parse on first use. Damage that leaves
     * nothing usable throws a {@link org.kdive.api.KdiveException} naming the address and offset.
     */
    default Optional<DebugInfo> openKernelMemory(KernelMemory kernel) throws IOException {
        return Optional.empty();
    }
}
