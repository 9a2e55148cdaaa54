package org.kdive.cmd.symbols;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.kdive.api.KdiveException;
import org.kdive.api.command.CommandException;
import org.kdive.api.session.Memory;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.DebugInfo;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.Type;
import org.kdive.api.symbols.Type.Kind;
import org.kdive.api.symbols.Variable;
import org.kdive.cmd.symbols.expr.Env;
import org.kdive.cmd.symbols.expr.Value;
import org.kdive.cmd.symbols.format.Symbolizer;
import org.kdive.cmd.symbols.format.ValueFormatter;
import org.kdive.cmd.symbols.modules.KernelModules;
import org.kdive.cmd.symbols.types.Synthetic;

/** The evaluator's view of a session: its memory, names and the `p` value history. */
final class SessionEnv implements Env {
    /** gdb's value history ($1, $2 …), one per session. */
    static final class History {
        private final List<Value> values = new ArrayList<>();

        synchronized int add(Value v) {
            values.add(v);
            return values.size();
        }

        synchronized Value get(int n) { return n >= 1 && n <= values.size() ? values.get(n - 1) : null; }

        synchronized int size() { return values.size(); }

        synchronized void clear() { values.clear(); }
    }

    private final Session session;

    SessionEnv(Session session) {
        this.session = session;
        KernelModules.ensureKallsyms(session);
    }

    static History history(Session s) {
        return s.cached("cmd-symbols.history", History::new);
    }

    static ValueFormatter formatter(Session s, char format, boolean hex) {
        return new ValueFormatter(new Symbolizer(s.symbols(), s.memory()), format, hex);
    }

    @Override
    public Memory memory() { return session.memory(); }

    @Override
    public Optional<Variable> variable(String name) {
        return variable(session, name);
    }

    /** The variable, an array declared without length ({@code extern char x[]}) sized by its ELF symbol. */
    static Optional<Variable> variable(Session s, String name) {
        try {
            return s.symbols().variable(name).map(v -> completed(s, v));
        } catch (KdiveException e) {
            return Optional.empty();
        }
    }

    private static Variable completed(Session s, Variable v) {
        Type complete = completeArray(v.type(), () -> symbolSize(s, v), 0);
        return complete == v.type() ? v : new Variable(v.name(), v.address(), complete, v.module());
    }

    /** gdb finds the defining DIE with the length; we may hold the declaration's, so use st_size. */
    private static Type completeArray(Type t, java.util.function.LongSupplier size, int depth) {
        if (t == null || depth > 8) return t;
        switch (t.kind()) {
            case CONST: {
                Type inner = completeArray(t.target(), size, depth + 1);
                return inner == t.target() ? t : Synthetic.constOf(inner);
            }
            case VOLATILE: {
                Type inner = completeArray(t.target(), size, depth + 1);
                return inner == t.target() ? t : Synthetic.volatileOf(inner);
            }
            case ARRAY: {
                if (t.count() >= 0 || t.target() == null) return t;
                long esize = t.target().resolve().size();
                long bytes = size.getAsLong();
                if (esize <= 0 || bytes <= 0 || bytes % esize != 0) return t;
                return Synthetic.array(t.target(), bytes / esize);
            }
            default:
                return t;
        }
    }

    private static long symbolSize(Session s, Variable v) {
        for (Symbol x : s.symbols().byName(v.name())) {
            if (x.address() == v.address() && x.size() > 0) return x.size();
        }
        return -1;
    }

    @Override
    public Optional<Type> function(String name) { return session.symbols().function(name); }

    @Override
    public Optional<Type> enumeratorType(String name) { return session.symbols().enumeratorType(name); }

    @Override
    public List<Symbol> symbols(String name) { return Names.defined(session, name); }

    @Override
    public long address(String name) {
        return Names.address(session, name);
    }

    @Override
    public Value history(int n) { return history(session).get(n); }

    @Override
    public int historySize() { return history(session).size(); }

    @Override
    public Optional<Type> lookup(String cSpelling) {
        Optional<Type> t = session.symbols().type(cSpelling);
        if (t.isPresent() && !cSpelling.contains(" ")) {
            Kind k = t.get().kind();
            // a bare word must be a typedef or base type, not a struct tag
            if (k != Kind.TYPEDEF && k != Kind.BASE) return Optional.empty();
        }
        return t;
    }

    @Override
    public boolean isTypedef(String name) {
        if (variable(name).isPresent()) return false;
        return lookup(name).isPresent();
    }

    @Override
    public boolean isModule(String name) {
        for (DebugInfo d : session.modules()) {
            if (name.equals(d.module())) return true;
        }
        return KernelModules.list(session).stream().anyMatch(m -> m.name().equals(name));
    }
}
