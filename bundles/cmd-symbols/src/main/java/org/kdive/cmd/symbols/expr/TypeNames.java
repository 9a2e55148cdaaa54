package org.kdive.cmd.symbols.expr;

import java.util.Optional;
import org.kdive.api.symbols.Type;

/** What the parser needs to tell type names from other names. */
public interface TypeNames {
    /** "struct x", "union x", "enum x", or a typedef name. */
    Optional<Type> lookup(String cSpelling);

    /** Whether {@code name} is a typedef (and not also a variable, which wins as in C scope). */
    boolean isTypedef(String name);

    /** Whether {@code name} is a loaded module (for module:symbol). */
    boolean isModule(String name);
}
