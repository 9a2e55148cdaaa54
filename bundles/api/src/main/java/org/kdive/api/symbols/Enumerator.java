package org.kdive.api.symbols;

public record Enumerator(String name, long value) {
}
