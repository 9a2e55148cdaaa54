package org.kdive.api.symbols;

/** A global (or per-CPU) variable with its run-time address and type. */
public record Variable(String name, long address, Type type, String module) {
}
