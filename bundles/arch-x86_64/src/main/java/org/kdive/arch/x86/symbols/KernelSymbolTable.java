package org.kdive.arch.x86.symbols;

import java.util.ArrayList;
import java.util.List;
import org.kdive.api.symbols.Symbol;

/**
 * Which vmlinux symbols crash's x86_64 kernel table keeps (its x86_64_verify_symbol, applied in the
 * table's order, by value then name): everything from the first {@code _text} or {@code _stext} on;
 * before it only {@code __per_cpu_start} and, after that, the per-CPU section's own symbols
 * ({@code per_cpu*}, {@code __per_cpu_end}, and those of type d, D or V). Left out below the kernel's
 * text: the assembler's absolute constants (a, A) and the section symbols at 0.
 */
public final class KernelSymbolTable {
    private KernelSymbolTable() { }

    /**
     * The kept entries, in their order. A table without {@code _text}/{@code _stext} is not a linked
     * x86_64 kernel's as crash knows it: it is returned whole rather than emptied.
     */
    public static List<Symbol> kept(List<Symbol> symbols) {
        List<Symbol> below = new ArrayList<>();
        boolean perCpu = false;
        for (int i = 0; i < symbols.size(); i++) {
            Symbol s = symbols.get(i);
            String name = s.name();
            if (name.equals("_text") || name.equals("_stext")) {
                if (below.isEmpty()) return symbols.subList(i, symbols.size());
                below.addAll(symbols.subList(i, symbols.size()));
                return below;
            }
            if (name.equals("__per_cpu_start")) {
                perCpu = true;
                below.add(s);
            } else if (perCpu && isPerCpu(s)) {
                below.add(s);
            }
        }
        return symbols;
    }

    private static boolean isPerCpu(Symbol s) {
        char t = s.type();
        return s.name().startsWith("per_cpu") || s.name().equals("__per_cpu_end") || t == 'V' || t == 'd' || t == 'D';
    }
}
