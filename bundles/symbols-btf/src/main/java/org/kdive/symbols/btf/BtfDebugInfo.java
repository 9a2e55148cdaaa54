package org.kdive.symbols.btf;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.kdive.api.symbols.DebugInfo;
import org.kdive.api.symbols.SourceLine;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.SymbolTable;
import org.kdive.api.symbols.Type;
import org.kdive.api.symbols.Variable;
import org.kdive.symbols.btf.types.BtfTypes;

/**
 * BTF as debuginfo: types, enumerators, function prototypes and the variables its DATASECs list (per-CPU
 * variables). No symbols (kallsyms has them), no lines. For the kernel's in-memory BTF it also answers
 * for the modules' split BTF, after vmlinux's, in module-list order.
 */
public final class BtfDebugInfo implements DebugInfo {
    /** Where a DATASEC variable lives at run time, or empty when that cannot be known. */
    public interface Addresses {
        OptionalLong of(BtfTypes.VarInfo v, String module);
    }

    /** The kernel's BTF and, lazily, its modules'. */
    public interface Source {
        BtfTypes vmlinux();

        /** Module name and its split BTF, in the kernel's module order. */
        List<ModuleTypes> modules();
    }

    public record ModuleTypes(String module, BtfTypes types) { }

    private final Path file;
    private final String origin;
    private final Source source;
    private final Addresses addresses;

    public BtfDebugInfo(Path file, String origin, Source source, Addresses addresses) {
        this.file = file;
        this.origin = origin;
        this.source = source;
        this.addresses = addresses;
    }

    /** A single blob with nothing else (a raw BTF file). */
    public static Source single(Supplier<BtfTypes> types) {
        return new Source() {
            private volatile BtfTypes t;

            @Override public BtfTypes vmlinux() {
                BtfTypes v = t;
                if (v == null) {
                    synchronized (this) {
                        if (t == null) t = types.get();
                        v = t;
                    }
                }
                return v;
            }

            @Override public List<ModuleTypes> modules() { return List.of(); }
        };
    }

    public Source source() { return source; }

    @Override
    public Path file() { return file; }

    @Override
    public String module() { return null; }

    @Override
    public Optional<String> buildId() { return Optional.empty(); }

    private volatile SymbolTable perCpu;

    /**
     * The per-CPU variables of vmlinux's .data..percpu DATASEC with their sizes and section letters
     * ('D' global, 'd' static): x86_64's kallsyms has them as absolute symbols of unknown size ('A').
     * Other symbols come from kallsyms.
     */
    @Override
    public SymbolTable symbols() {
        SymbolTable t = perCpu;
        if (t == null) {
            List<Symbol> list = new java.util.ArrayList<>();
            for (BtfTypes.VarInfo v : source.vmlinux().variables()) {
                if (!".data..percpu".equals(v.section())) continue;
                OptionalLong a = addresses.of(v, null);
                if (a.isPresent()) list.add(new Symbol(v.name(), a.getAsLong(), v.size(), v.global() ? 'D' : 'd', null));
            }
            t = new SortedSymbols(list);
            perCpu = t;
        }
        return t;
    }

    /** A small symbol table sorted by address. */
    private static final class SortedSymbols implements SymbolTable {
        private final Symbol[] byAddress;
        private final java.util.Map<String, List<Symbol>> byName = new java.util.HashMap<>();

        SortedSymbols(List<Symbol> symbols) {
            byAddress = symbols.toArray(Symbol[]::new);
            java.util.Arrays.sort(byAddress, (x, y) -> Long.compareUnsigned(x.address(), y.address()));
            for (Symbol s : byAddress) byName.computeIfAbsent(s.name(), k -> new java.util.ArrayList<>(1)).add(s);
        }

        @Override public List<Symbol> byName(String name) { return byName.getOrDefault(name, List.of()); }

        @Override public Optional<Symbol> containing(long address) {
            int lo = 0, hi = byAddress.length - 1, found = -1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (Long.compareUnsigned(byAddress[mid].address(), address) <= 0) {
                    found = mid;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            if (found < 0) return Optional.empty();
            Symbol s = byAddress[found];
            return Long.compareUnsigned(address - s.address(), Math.max(1, s.size())) < 0 ? Optional.of(s) : Optional.empty();
        }

        @Override public Stream<Symbol> all() { return java.util.Arrays.stream(byAddress); }
    }

    /** vmlinux first, then each module's BTF. */
    private <T> Optional<T> first(Function<BtfTypes, Optional<T>> f) {
        Optional<T> r = f.apply(source.vmlinux());
        if (r.isPresent()) return r;
        for (ModuleTypes m : source.modules()) {
            r = f.apply(m.types());
            if (r.isPresent()) return r;
        }
        return Optional.empty();
    }

    @Override
    public Optional<Type> type(String cName) {
        return first(t -> t.byName(cName));
    }

    @Override
    public Optional<Type> enumeratorType(String name) {
        return first(t -> t.enumeratorType(name));
    }

    @Override
    public Optional<Type> function(String name) {
        return first(t -> t.function(name));
    }

    @Override
    public Optional<Variable> variable(String name) {
        Optional<Variable> v = variableIn(source.vmlinux(), name, null);
        if (v.isPresent()) return v;
        for (ModuleTypes m : source.modules()) {
            v = variableIn(m.types(), name, m.module());
            if (v.isPresent()) return v;
        }
        return Optional.empty();
    }

    private Optional<Variable> variableIn(BtfTypes types, String name, String module) {
        Optional<BtfTypes.VarInfo> vi = types.variable(name);
        if (vi.isEmpty()) return Optional.empty();
        OptionalLong a = addresses.of(vi.get(), module);
        if (a.isEmpty()) return Optional.empty();
        return Optional.of(new Variable(name, a.getAsLong(), types.type(vi.get().typeId()), module));
    }

    @Override
    public Optional<SourceLine> line(long address) { return Optional.empty(); }

    @Override
    public List<SourceLine> lines(long start, long end) { return List.of(); }

    @Override
    public Optional<ByteBuffer> section(String name) { return Optional.empty(); }

    @Override
    public OptionalLong sectionAddress(String name) { return OptionalLong.empty(); }

    @Override
    public String origin() { return origin; }

    @Override
    public boolean isComplete() { return false; }

    /** Loaded modules without BTF (their types need their debuginfo), and problems met reading module BTF. */
    @Override
    public List<String> notes() {
        if (!(source instanceof org.kdive.symbols.btf.kernel.KernelBtf k)) return List.of();
        org.kdive.symbols.btf.kernel.KernelBtf.ModuleStatus st = k.moduleStatus();
        if (st.withoutBtf().isEmpty()) return List.of();
        String names = String.join(", ", st.withoutBtf());
        return List.of((st.withoutBtf().size() == 1 ? "module " + names + " has" : "modules " + names + " have")
                + " no BTF (built without pahole): " + (st.withoutBtf().size() == 1 ? "its" : "their")
                + " types need " + (st.withoutBtf().size() == 1 ? "its" : "their") + " debuginfo (mod -s "
                + (st.withoutBtf().size() == 1 ? names : "MODULE") + " FILE)");
    }

    @Override
    public void close() {
        // nothing held open: the blobs are arrays
    }

    @Override
    public String toString() { return origin; }
}
