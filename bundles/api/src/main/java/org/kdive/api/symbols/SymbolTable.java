package org.kdive.api.symbols;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Symbols by name and by address. */
public interface SymbolTable {
    /** Every symbol with this exact name (several for static functions of the same name). */
    List<Symbol> byName(String name);

    /** The symbol with the highest address at or below {@code address}, if any is near. */
    Optional<Symbol> containing(long address);

    Stream<Symbol> all();

    default Optional<Symbol> first(String name) {
        List<Symbol> all = byName(name);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }
}
