package org.kdive.cmd.symbols.format;

import java.util.Optional;
import org.kdive.api.session.CrashSymbolTable;
import org.kdive.api.session.Memory;
import org.kdive.api.session.Symbols;
import org.kdive.api.symbols.Symbol;

/**
 * {@code <name+off>} for addresses that fall in a symbol, the way gdb (with crash's module-symbol
 * fallback) decides: only kernel addresses, never 0; a sized symbol must contain the address,
 * an unsized one (labels like .LC0, kallsyms entries) may be followed by up to a page, except
 * vmlinux data labels, which gdb does not name.
 */
public final class Symbolizer {
    private static final long UNSIZED_REACH = 0x1000;
    private final Symbols symbols;
    private final Memory memory;
    private final java.util.List<Symbol> kernelTable;

    public Symbolizer(Symbols symbols, Memory memory) {
        this(symbols, memory, null);
    }

    /** With crash's kernel symbol table (CrashSymbolTable.table), which names kernel addresses for labels. */
    public Symbolizer(Symbols symbols, Memory memory, java.util.List<Symbol> kernelTable) {
        this.symbols = symbols;
        this.memory = memory;
        this.kernelTable = kernelTable;
    }

    public Memory memory() { return memory; }

    /** "name" or "name+off" (decimal), or null. */
    public String near(long address) {
        return near(address, false);
    }

    /** As {@link #near(long)}; {@code labels}: name vmlinux data labels too (crash's own table does). */
    public String near(long address, boolean labels) {
        if (symbols == null || address >= 0) return null;
        if (labels) {
            // crash's own table search (rd -s): any kernel address, repeats and padding included
            int entry = CrashSymbolTable.entry(kernelTable, address);
            if (entry >= 0) {
                Symbol t = kernelTable.get(entry);
                long off = address - t.address();
                return off == 0 ? t.name() : t.name() + "+" + off;
            }
        }
        Optional<Symbol> s;
        try {
            s = symbols.containing(address);
        } catch (RuntimeException e) {
            return null;
        }
        if (s.isEmpty()) return null;
        Symbol sym = s.get();
        long off = address - sym.address();
        if (off < 0) return null;
        // gdb ignores vmlinux data symbols of size 0 (linker-script labels such as init_stack)
        if (!labels && sym.module() == null && sym.size() == 0 && !sym.isText()) return null;
        if (sym.size() > 0 ? off >= sym.size() : off >= UNSIZED_REACH) return null;
        if (off == 0 && labels) {
            // crash's own table (rd -s) names an address shared by several symbols after the first it
            // holds there: a section symbol (".data") before init_stack, _sdata, __end_rodata_aligned
            try {
                java.util.List<Symbol> here = symbols.at(address);
                if (!here.isEmpty()) return here.get(0).name();
            } catch (RuntimeException e) {
                // keep the symbol found
            }
        }
        return off == 0 ? sym.name() : sym.name() + "+" + off;
    }

    /** " <name+off>" or "". */
    public String suffix(long address) {
        String n = near(address);
        return n == null ? "" : " <" + n + ">";
    }

    public Symbols symbols() { return symbols; }
}
