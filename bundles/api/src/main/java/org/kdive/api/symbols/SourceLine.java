package org.kdive.api.symbols;

/** A line-table row: the code at {@code address} comes from {@code file}:{@code line}. */
public record SourceLine(long address, String file, int line) {
}
