package org.kdive.cmd.symbols.modules;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.kdive.api.session.Memory;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.SymbolTable;
import org.kdive.api.symbols.Type;
import org.kdive.cmd.symbols.expr.Evaluator;

/** A module's symbols as the kernel kept them (mod->kallsyms: symtab, strtab, typetab). */
public final class KallsymsTable implements SymbolTable {
    private static final int SYM_SIZE = 24;
    private final List<Symbol> sorted;
    private final Map<String, List<Symbol>> byName = new HashMap<>();
    private final long start;
    private final long end;

    private KallsymsTable(List<Symbol> symbols, long start, long end) {
        this.sorted = new ArrayList<>(symbols);
        this.sorted.sort(Comparator.comparingLong(Symbol::address));
        for (Symbol s : sorted) byName.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(s);
        this.start = start;
        this.end = end;
    }

    /** Reads the table, or null when the module has none. */
    static KallsymsTable read(Session s, KernelModules.Module m, int maxSymbols) {
        if (m.kallsyms() == 0) return null;
        Type kt = s.symbols().type("struct mod_kallsyms").orElse(null);
        if (kt == null) return null;
        Memory mem = s.memory();
        long k = m.kallsyms();
        long symtab = mem.pointer(k + Evaluator.offsetOf(kt, "symtab"));
        long num = mem.u32(k + Evaluator.offsetOf(kt, "num_symtab"));
        long strtab = mem.pointer(k + Evaluator.offsetOf(kt, "strtab"));
        if (num <= 0 || num > maxSymbols) return null;
        ByteBuffer syms = ByteBuffer.wrap(mem.read(symtab, (int) (num * SYM_SIZE))).order(ByteOrder.LITTLE_ENDIAN);
        List<Symbol> out = new ArrayList<>();
        Map<Integer, String> names = new HashMap<>();
        // while a module initializes, mod->kallsyms is the whole symtab of its load-time copy: the
        // symbols of sections the kernel did not lay out (.modinfo's __UNIQUE_ID_*) lie in that
        // vmalloc'd copy, outside the modules area; the kernel's own lookup never names them
        org.kdive.api.arch.AddressSpace.Region area = null;
        try {
            if (KernelModules.initializing(s, m)) area = s.arch().addressSpace(s).modules();
            // only where the area holds the module itself (arm64 may place modules outside it)
            if (area != null && !area.contains(m.base())) area = null;
        } catch (RuntimeException e) {
            area = null;
        }
        for (int i = 1; i < num; i++) {
            int base = i * SYM_SIZE;
            int nameOff = syms.getInt(base);
            int info = syms.get(base + 4) & 0xff;
            int shndx = syms.getShort(base + 6) & 0xffff;
            long value = syms.getLong(base + 8);
            long size = syms.getLong(base + 16);
            if (nameOff <= 0 || shndx == 0 || value == 0) continue;
            if (area != null && !area.contains(value)) continue;
            String name = names.computeIfAbsent(nameOff, o -> mem.cString(strtab + o, 512));
            if (name.isEmpty() || isMappingSymbol(name)) continue;
            char type = crashType(info);
            out.add(new Symbol(Symbol.crashName(name), value, size, type, m.name()));
        }
        return new KallsymsTable(out, m.base(), m.base() + m.size());
    }

    /**
     * An ARM/arm64 mapping symbol ($x, $d, $a, $t, optionally with a ".N" suffix): it marks where
     * code or data begins, names nothing, and gdb and crash never show it.
     */
    static boolean isMappingSymbol(String name) {
        return name.length() >= 2 && name.charAt(0) == '$' && "adtx".indexOf(name.charAt(1)) >= 0
                && (name.length() == 2 || name.charAt(2) == '.');
    }

    /**
     * crash's letter for a module kallsyms symbol: st_info itself when it is printable (kernels that
     * kept the letter there), 't'/'T' for a local/global function, else '?' (crash reads no typetab).
     */
    static char crashType(int info) {
        if (info >= ' ' && info < 0x7f) return (char) info;
        return info == 0x02 ? 't' : info == 0x12 ? 'T' : '?';
    }

    @Override
    public List<Symbol> byName(String name) {
        return byName.getOrDefault(name, List.of());
    }

    @Override
    public Optional<Symbol> containing(long address) {
        int lo = 0;
        int hi = sorted.size() - 1;
        int best = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(sorted.get(mid).address(), address) <= 0) {
                best = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (best < 0) return Optional.empty();
        // of several symbols at one address, the first in the table (crash: a local such as
        // virtio_exit before its global alias cleanup_module)
        while (best > 0 && sorted.get(best - 1).address() == sorted.get(best).address()) best--;
        Symbol s = sorted.get(best);
        boolean inModule = Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0;
        boolean inSymbol = s.size() > 0 && Long.compareUnsigned(address - s.address(), s.size()) < 0;
        return inModule || inSymbol ? Optional.of(s) : Optional.empty();
    }

    @Override
    public Stream<Symbol> all() {
        return sorted.stream();
    }
}
