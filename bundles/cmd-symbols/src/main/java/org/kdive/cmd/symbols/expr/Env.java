package org.kdive.cmd.symbols.expr;

import java.util.List;
import java.util.Optional;
import org.kdive.api.session.Memory;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.Type;
import org.kdive.api.symbols.Variable;

/** What the evaluator reads: memory, names, the value history. */
public interface Env extends TypeNames {
    Memory memory();

    Optional<Variable> variable(String name);

    /** The function's type if debuginfo has the function. */
    Optional<Type> function(String name);

    /** The enumeration type declaring the constant {@code name}, if debuginfo has one. */
    default Optional<Type> enumeratorType(String name) { return Optional.empty(); }

    /** Symbol-table entries of a (possibly module-qualified) name. */
    List<Symbol> symbols(String name);

    /** One address for the name; throws with the candidates when ambiguous. */
    long address(String name);

    /** History entry {@code n} (1-based), or null. */
    Value history(int n);

    int historySize();
}
