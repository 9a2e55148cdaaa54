package org.kdive.cmd.symbols;

import java.util.List;
import java.util.stream.Collectors;
import org.kdive.api.KdiveException;
import org.kdive.api.command.CommandException;
import org.kdive.api.session.AmbiguousSymbolException;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Symbol;

/** Name → address for commands: defined symbols only, candidates listed when ambiguous. */
final class Names {
    private Names() {
    }

    /** Symbols of the name that have an address (a module's undefined references do not count). */
    static List<Symbol> defined(Session s, String name) {
        return s.symbols().byName(name).stream().filter(Names::isDefined).collect(Collectors.toList());
    }

    static boolean isDefined(Symbol x) {
        return x.address() != 0 && x.type() != 'U' && x.type() != 'u';
    }

    /** One address, or a CommandException naming the candidates and how to choose. */
    static long address(Session s, String name) {
        List<Symbol> syms = defined(s, name);
        List<Long> distinct = syms.stream().map(Symbol::address).distinct().collect(Collectors.toList());
        if (distinct.size() > 1) throw new CommandException(new AmbiguousSymbolException(name, syms).getMessage());
        if (distinct.size() == 1) return distinct.get(0);
        try {
            return s.symbols().address(name);
        } catch (KdiveException e) {
            throw new CommandException(e.getMessage());
        }
    }
}
