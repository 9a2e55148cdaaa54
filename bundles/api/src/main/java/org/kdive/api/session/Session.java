package org.kdive.api.session;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.kdive.api.arch.KernelArch;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.VmcoreInfo;
import org.kdive.api.symbols.DebugInfo;
import org.kdive.api.symbols.LoadSpec;
import org.kdive.api.symbols.SymbolTable;

/** The open dump and its kernel: what every command works on. Thread-safe. */
public interface Session {
    Dump dump();

    /** VMCOREINFO of the dump, or an empty one. */
    VmcoreInfo vmcoreinfo();

    /** The architecture bound to this dump. */
    KernelArch arch();

    /** Kernel virtual memory. */
    Memory memory();

    Symbols symbols();

    /** vmlinux debuginfo, if one was given or fetched. */
    Optional<DebugInfo> vmlinux();

    /** Module debuginfo loaded so far. */
    List<DebugInfo> modules();

    /** Opens a debuginfo file with whichever provider accepts it and adds it to {@link #symbols()}. */
    DebugInfo loadDebugInfo(Path file, LoadSpec spec) throws IOException;

    /**
     * Drops the debuginfo loaded for a module (crash's {@code mod -d}): its symbols, types and lines
     * leave {@link #symbols()}; symbols added with {@link #addSymbols} (the module's kallsyms) stay.
     *
     * @return whether debuginfo of that module was loaded
     */
    default boolean unloadDebugInfo(String module) {
        throw new UnsupportedOperationException("this session cannot unload module debuginfo");
    }

    /** Adds symbols found elsewhere (e.g. a module's kallsyms read from the dump). */
    void addSymbols(String source, SymbolTable table);

    /**
     * Per-session state that bundles compute once (task list, module list …), keyed by a
     * name the bundle owns. The value is computed at most once per session.
     */
    <T> T cached(String key, Supplier<T> compute);

    /** Warnings gathered while opening (format, debuginfo mismatches …). */
    List<String> warnings();
}
