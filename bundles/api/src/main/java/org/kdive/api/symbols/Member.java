package org.kdive.api.symbols;

/**
 * A struct or union member.
 *
 * @param offset    byte offset from the start of the enclosing type
 * @param bitOffset for bitfields: bit offset within the storage at {@code offset}, else 0
 * @param bitSize   for bitfields: width in bits, else 0
 */
public record Member(String name, long offset, int bitOffset, int bitSize, Type type) {
    public boolean isBitfield() { return bitSize > 0; }
}
