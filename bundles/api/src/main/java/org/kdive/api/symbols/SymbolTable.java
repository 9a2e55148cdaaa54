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

    /**
     * Every symbol starting exactly at {@code address}, in the order crash's symbol table keeps them:
     * the file's symbol-table order, its section symbols (named after their section: ".data") first.
     * crash's {@code rd -s} names an address after the first. By default the symbols {@link #all()}
     * lists at that address, in its order.
     */
    default List<Symbol> at(long address) {
        return all().filter(s -> s.address() == address).toList();
    }

    default Optional<Symbol> first(String name) {
        List<Symbol> all = byName(name);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }
}
