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
 * One view over vmlinux, module debuginfo, the kernel's in-memory debuginfo (BTF) and symbol tables
 * read from the dump (kallsyms). File debuginfo wins over what the kernel carries, and over kallsyms
 * for the same module; "module:name" restricts the search.
 *
 * <p>Without a vmlinux, what only a vmlinux has (source lines, the types of ordinary globals) may be
 * fetched on demand: the first lookup that needs it asks {@link #onDemand} once.
 */
final class MergedSymbols implements Symbols {
    private volatile DebugInfo vmlinux;
    /** The kernel's own debuginfo (BTF read from the dump), asked after every file's. */
    private volatile DebugInfo builtin;
    private final List<DebugInfo> modules = new CopyOnWriteArrayList<>();
    private final Map<String, SymbolTable> tables = new LinkedHashMap<>();
    private volatile java.util.function.Supplier<DebugInfo> onDemand;
    private volatile boolean onDemandTried;

    void setVmlinux(DebugInfo di) { vmlinux = di; }

    void setBuiltin(DebugInfo di) { builtin = di; }

    /**
     * What loads a vmlinux when a lookup needs what the in-memory debuginfo lacks (returns null when
     * none can be had); asked at most once per session.
     */
    void setOnDemand(java.util.function.Supplier<DebugInfo> loader) { onDemand = loader; }

    /** The vmlinux, loading it on demand when there is none yet and a loader is set; else null. */
    private DebugInfo fullVmlinux() {
        DebugInfo v = vmlinux;
        if (v != null || onDemand == null || onDemandTried) return v;
        synchronized (this) {
            if (!onDemandTried) {
                onDemandTried = true;
                onDemand.get();
            }
        }
        return vmlinux;
    }

    void addModule(DebugInfo di) { modules.add(di); }

    void removeModule(DebugInfo di) { modules.remove(di); }

    synchronized void addTable(String source, SymbolTable table) { tables.put(source, table); }

    synchronized void removeTable(String source) { tables.remove(source); }

    private synchronized List<SymbolTable> tables() { return new ArrayList<>(tables.values()); }

    /**
     * Debuginfo first (vmlinux, then modules), then without a vmlinux the kernel's in-memory
     * debuginfo (BTF: per-CPU variables with sizes), then tables from the dump.
     */
    private List<SymbolTable> sources() {
        List<SymbolTable> all = new ArrayList<>();
        DebugInfo v = vmlinux, b = builtin;
        if (v != null) all.add(v.symbols());
        for (DebugInfo m : modules) all.add(m.symbols());
        if (v == null && b != null) all.add(safe(b));
        all.addAll(tables());
        return all;
    }

    /**
     * Names from files and the dump's tables, without the in-memory debuginfo's: what that
     * debuginfo itself looks its own addresses up in (it must not ask itself).
     */
    SymbolTable withoutBuiltin() {
        return new SymbolTable() {
            private List<SymbolTable> sources() {
                List<SymbolTable> all = new ArrayList<>();
                DebugInfo v = vmlinux;
                if (v != null) all.add(v.symbols());
                all.addAll(tables());
                return all;
            }

            @Override public List<Symbol> byName(String name) {
                List<Symbol> out = new ArrayList<>();
                for (SymbolTable t : sources()) out.addAll(t.byName(name));
                return out;
            }

            @Override public Optional<Symbol> containing(long address) {
                for (SymbolTable t : sources()) {
                    Optional<Symbol> s = t.containing(address);
                    if (s.isPresent()) return s;
                }
                return Optional.empty();
            }

            @Override public Stream<Symbol> all() { return sources().stream().flatMap(SymbolTable::all); }
        };
    }

    /** The in-memory debuginfo's symbols; damaged BTF must not take kallsyms' names with it. */
    private static SymbolTable safe(DebugInfo b) {
        try {
            return b.symbols();
        } catch (RuntimeException e) {
            return EMPTY;
        }
    }

    private static final SymbolTable EMPTY = new SymbolTable() {
        @Override public List<Symbol> byName(String name) { return List.of(); }

        @Override public Optional<Symbol> containing(long address) { return Optional.empty(); }

        @Override public Stream<Symbol> all() { return Stream.empty(); }
    };

    private List<DebugInfo> debugInfos() {
        List<DebugInfo> all = new ArrayList<>();
        if (vmlinux != null) all.add(vmlinux);
        all.addAll(modules);
        if (builtin != null) all.add(builtin);
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
            // the kernel's kallsyms defines what it lists, at 0 too (x86_64's per-CPU
            // __per_cpu_start, fixed_percpu_data); a file's symbol at 0 is a .ko's import
            boolean definesZero = t instanceof KernelKallsyms;
            for (Symbol s : t.byName(bare)) {
                if (s.type() == 'U' || s.type() == 'u' || (s.address() == 0 && !definesZero)) continue;
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

    /** The first source (vmlinux, then modules, then the dump's tables) with a symbol at the address. */
    @Override
    public List<Symbol> at(long address) {
        for (SymbolTable t : sources()) {
            List<Symbol> l = t.at(address);
            if (!l.isEmpty()) return l;
        }
        return List.of();
    }

    @Override
    public Optional<Type> type(String cName) {
        return first(di -> di.type(cName));
    }

    @Override
    public Optional<Variable> variable(String name) {
        Optional<Variable> v = first(di -> di.variable(name));
        if (v.isPresent() || vmlinux != null || onDemand == null || onDemandTried) return v;
        // a global the kernel's BTF does not type: a vmlinux would, when one can be fetched
        String bare = name.indexOf(':') > 0 ? name.substring(name.indexOf(':') + 1) : name;
        boolean known = byName(name).stream().anyMatch(s -> s.module() == null && !s.isText());
        if (!known || bare.isEmpty()) return v;
        DebugInfo full = fullVmlinux();
        return full == null ? v : first(di -> di.variable(name));
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
        if (vmlinux == null && inKernel(address)) fullVmlinux();
        DebugInfo owner = ownerOf(address);
        if (owner != null) {
            Optional<SourceLine> l = owner.line(address);
            if (l.isPresent()) return l;
        }
        return first(di -> di == owner ? Optional.empty() : di.line(address));
    }

    @Override
    public List<SourceLine> lines(long start, long end) {
        if (vmlinux == null && inKernel(start)) fullVmlinux();
        for (DebugInfo di : debugInfos()) {
            List<SourceLine> l = di.lines(start, end);
            if (!l.isEmpty()) return l;
        }
        return List.of();
    }

    /** Whether a kernel (not module) symbol covers the address: only then can a vmlinux add its line. */
    private boolean inKernel(long address) {
        if (onDemand == null || onDemandTried) return false;
        Optional<Symbol> s = containing(address);
        return s.isPresent() && s.get().module() == null;
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
