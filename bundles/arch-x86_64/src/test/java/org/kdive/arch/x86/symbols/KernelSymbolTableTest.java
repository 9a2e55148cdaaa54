package org.kdive.arch.x86.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kdive.api.symbols.Symbol;

/**
 * crash's x86_64_verify_symbol on the head of the corpus vmlinux's table in crash's order (by value,
 * then name; entries as `nm -n` shows them). sym -l against crash itself is cmd-symbols'
 * KernelSymbolTableTest.
 */
class KernelSymbolTableTest {
    private static Symbol sym(String name, long value, char type) {
        return new Symbol(name, value, 0, type, null);
    }

    private static final long TEXT = 0xffffffff81000000L;

    @Test
    void belowTextOnlyThePerCpuSymbols() {
        List<Symbol> table = List.of(
                sym(".data..percpu", 0, 'd'),           // section symbol at 0: left out
                sym("__per_cpu_start", 0, 'D'),
                sym("fixed_percpu_data", 0, 'D'),
                sym("sp_offset", 0, 'a'),               // assembler constant after __per_cpu_start: left out
                sym("L4_PAGE_OFFSET", 0x111, 'a'),
                sym("cpu_number", 0x1f3a8, 'd'),        // a local per-CPU variable
                sym("per_cpu__x", 0x20000, 'b'),        // kept by its name whatever its type
                sym("kstack_offset", 0x20010, 'b'),     // b: not kept
                sym("__per_cpu_end", 0x34000, 'b'),
                sym("phys_startup_64", 0x1000000, 'A'),
                sym("_text", TEXT, 'T'),
                sym("startup_64", TEXT, 'T'),
                sym("text_size", TEXT + 1, 'A'));       // from _text on everything stays
        List<String> kept = KernelSymbolTable.kept(table).stream().map(Symbol::name).toList();
        assertEquals(List.of("__per_cpu_start", "fixed_percpu_data", "cpu_number", "per_cpu__x", "__per_cpu_end",
                "_text", "startup_64", "text_size"), kept);
    }

    @Test
    void perCpuSymbolsBeforeTheirStartAreLeftOut() {
        List<Symbol> table = List.of(sym("early", 0, 'D'), sym("_stext", TEXT, 'T'), sym("x", TEXT + 8, 't'));
        assertEquals(List.of("_stext", "x"), KernelSymbolTable.kept(table).stream().map(Symbol::name).toList());
    }

    @Test
    void aTableWithoutTextIsKeptWhole() {
        List<Symbol> table = List.of(sym("a", 0, 'a'), sym("f", TEXT, 't'));
        assertSame(table, KernelSymbolTable.kept(table));
    }
}
