package org.kdive.api.session;

import java.util.List;
import java.util.stream.Collectors;
import org.kdive.api.KdiveException;
import org.kdive.api.symbols.Symbol;

/** Several symbols share a name; the message lists them and how to pick one. */
public class AmbiguousSymbolException extends KdiveException {
    private static final long serialVersionUID = 1L;
    private final transient List<Symbol> candidates;

    public AmbiguousSymbolException(String name, List<Symbol> candidates) {
        super("ambiguous symbol \"" + name + "\": " + candidates.size() + " candidates:\n" + candidates.stream()
                .map(s -> String.format("  %016x (%c) %s", s.address(), s.type(), s.qualifiedName()))
                .collect(Collectors.joining("\n")) + "\nuse module:symbol or an address");
        this.candidates = List.copyOf(candidates);
    }

    public List<Symbol> candidates() { return candidates; }
}
