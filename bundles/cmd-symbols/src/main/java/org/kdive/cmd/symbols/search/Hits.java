package org.kdive.cmd.symbols.search;

/** Where matches go, in address order; false stops the search. */
public interface Hits {
    /** A value of the searched width at {@code address}; {@code index} is which searched value it matched. */
    boolean value(long address, long value, int index);

    /** A string match: the bytes shown from the match on (crash shows 56). */
    boolean string(long address, byte[] shown, int index);
}
