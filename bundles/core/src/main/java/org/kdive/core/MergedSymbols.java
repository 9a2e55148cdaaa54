package org.kdive.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.kdive.api.KdiveException;
import org.kdive.api.session.AmbiguousSymbolException;
import org.kdive.api.session.Symbols;
import org.kdive.api.symbols.DebugInfo;
import org.kdive.api.symbols.SourceLine;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.SymbolTable;
import org.kdive.api.symbols.Type;
import org.kdive.api.symbols.Variable;

/**
 * One view over vmlinux, module debuginfo and module symbol tables read from the dump.
 * Debuginfo wins over kallsyms for the same module; "module:name" restricts the search.
 */
final class MergedSymbols implements Symbols {
    private volatile DebugInfo vmlinux;
    private final List<DebugInfo> modules = new CopyOnWriteArrayList<>();
    private final Map<String, SymbolTable> tables = new LinkedHashMap<>();

    void setVmlinux(DebugInfo di) { vmlinux = di; }

    void addModule(DebugInfo di) { modules.add(di); }

    void removeModule(DebugInfo di) { modules.remove(di); }

    synchronized void addTable(String source, SymbolTable table) { tables.put(source, table); }

    synchronized void removeTable(String source) { tables.remove(source); }

    private synchronized List<SymbolTable> tables() { return new ArrayList<>(tables.values()); }

    /** Debuginfo first (vmlinux, then modules), then tables from the dump. */
    private List<SymbolTable> sources() {
        List<SymbolTable> all = new ArrayList<>();
        if (vmlinux != null) all.add(vmlinux.symbols());
        for (DebugInfo m : modules) all.add(m.symbols());
        all.addAll(tables());
        return all;
    }

    private List<DebugInfo> debugInfos() {
        List<DebugInfo> all = new ArrayList<>();
        if (vmlinux != null) all.add(vmlinux);
        all.addAll(modules);
        return all;
    }

    @Override
    public List<Symbol> byName(String name) {
        String module = null;
        String bare = name;
        int colon = name.indexOf(':');
        if (colon > 0) {
            module = name.substring(0, colon);
            bare = name.substring(colon + 1);
        }
        Map<String, Symbol> unique = new LinkedHashMap<>();
        for (SymbolTable t : sources()) {
            for (Symbol s : t.byName(bare)) {
                if (s.type() == 'U' || s.type() == 'u' || s.address() == 0) continue; // a .ko's imports
                if (module != null && !module.equals(s.module()) && !(module.equals("vmlinux") && s.module() == null)) continue;
                unique.putIfAbsent(s.address() + "/" + s.name(), s);
            }
        }
        return new ArrayList<>(unique.values());
    }

    @Override
    public Optional<Symbol> containing(long address) {
        Symbol best = null;
        for (SymbolTable t : sources()) {
            Optional<Symbol> s = t.containing(address);
            if (s.isPresent() && (best == null || Long.compareUnsigned(s.get().address(), best.address()) > 0
                    || (s.get().address() == best.address() && best.size() == 0 && s.get().size() > 0))) {
                best = s.get();
            }
        }
        return Optional.ofNullable(best);
    }

    @Override
    public Stream<Symbol> all() {
        return sources().stream().flatMap(SymbolTable::all);
    }

    @Override
    public Optional<Type> type(String cName) {
        return first(di -> di.type(cName));
    }

    @Override
    public Optional<Variable> variable(String name) {
        return first(di -> di.variable(name));
    }

    @Override
    public Optional<Type> enumeratorType(String name) {
        return first(di -> di.enumeratorType(name));
    }

    @Override
    public Optional<Type> function(String name) {
        return first(di -> di.function(name));
    }

    @Override
    public Optional<SourceLine> line(long address) {
        DebugInfo owner = ownerOf(address);
        if (owner != null) {
            Optional<SourceLine> l = owner.line(address);
            if (l.isPresent()) return l;
        }
        return first(di -> di == owner ? Optional.empty() : di.line(address));
    }

    @Override
    public List<SourceLine> lines(long start, long end) {
        for (DebugInfo di : debugInfos()) {
            List<SourceLine> l = di.lines(start, end);
            if (!l.isEmpty()) return l;
        }
        return List.of();
    }

    /** The module debuginfo whose symbols cover the address (module text lies outside vmlinux). */
    private DebugInfo ownerOf(long address) {
        Optional<Symbol> s = containing(address);
        if (s.isEmpty()) return vmlinux;
        String module = s.get().module();
        if (module == null) return vmlinux;
        for (DebugInfo m : modules) {
            if (module.equals(m.module())) return m;
        }
        return null;
    }

    private <T> Optional<T> first(Function<DebugInfo, Optional<T>> f) {
        for (DebugInfo di : debugInfos()) {
            Optional<T> r = f.apply(di);
            if (r.isPresent()) return r;
        }
        return Optional.empty();
    }

    @Override
    public String describe(long address) {
        Optional<Symbol> s = containing(address);
        if (s.isEmpty()) return null;
        Symbol sym = s.get();
        long off = address - sym.address();
        // Past the end of a sized symbol, or far beyond an unsized one, the name would mislead.
        if (sym.size() > 0 && Long.compareUnsigned(off, sym.size()) >= 0 && off > 0x1000) return null;
        if (sym.size() == 0 && Long.compareUnsigned(off, 0x100000) > 0) return null;
        return off == 0 ? sym.name() : sym.name() + "+" + off;
    }

    @Override
    public long address(String name) {
        List<Symbol> all = byName(name);
        if (all.isEmpty()) {
            Optional<Variable> v = variable(name);
            if (v.isPresent()) return v.get().address();
            throw new KdiveException("no symbol \"" + name + "\"");
        }
        List<Long> distinct = all.stream().map(Symbol::address).distinct().collect(Collectors.toList());
        if (distinct.size() > 1) throw new AmbiguousSymbolException(name, all);
        return distinct.get(0);
    }
}
