package org.kdive.api.kernel;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.DebugInfo;

/**
 * The crashed kernel's module list and loading of module debuginfo as `mod -s` does it (section
 * addresses from the dump, build-id check). Published as an OSGi service by kdive-cmd-symbols;
 * modules loaded here show up in `mod` like those loaded with `mod -s`.
 */
public interface Modules {
    /** The loaded modules, by load address; their kallsyms symbols are added to the session's symbols (as `mod` does). */
    List<LoadedModule> modules(Session session);

    /** The module's GNU build-id as the dump records it, if the kernel kept the notes. */
    Optional<String> buildId(Session session, String module);

    /** The debuginfo already loaded for the module, if any. */
    Optional<DebugInfo> loaded(Session session, String module);

    /**
     * Loads {@code file} as the module's debuginfo at the module's run-time section addresses.
     *
     * @throws org.kdive.api.command.CommandException when the module is not loaded, the build-id
     *         differs, or the file cannot be read
     */
    DebugInfo load(Session session, String module, Path file);
}
