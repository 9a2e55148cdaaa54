package org.kdive.api.session;

import java.util.List;
import java.util.Optional;
import org.kdive.api.symbols.SourceLine;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.SymbolTable;
import org.kdive.api.symbols.Type;
import org.kdive.api.symbols.Variable;

/**
 * The session's one view of names: vmlinux, module debuginfo loaded with `mod -s`, and module
 * symbols read from the dump (kallsyms), searched in that order. Names may be qualified as
 * "module:symbol".
 */
public interface Symbols extends SymbolTable {
    /** A type by C spelling, from vmlinux first, then modules. */
    Optional<Type> type(String cName);

    Optional<Variable> variable(String name);

    /** The enumeration type that declares the constant {@code name} (an enumerator), if any. */
    default Optional<Type> enumeratorType(String name) { return Optional.empty(); }

    Optional<Type> function(String name);

    Optional<SourceLine> line(long address);

    List<SourceLine> lines(long start, long end);

    /** "name+off" as crash prints it (decimal offset), or null when no symbol is near. */
    String describe(long address);

    /** Resolves a name or "module:name" to one address; lists the candidates when ambiguous. */
    long address(String name);
}
