package org.kdive.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.kdive.api.KdiveException;
import org.kdive.api.session.AmbiguousSymbolException;
import org.kdive.api.symbols.Symbol;

/**
 * The session's view of names over the corpus dump's kallsyms, as a session without a vmlinux has it:
 * crash's addresses (refs/crash-8.0.6/22-sym-l: process_one_work ffffffffbcab7a10), crash's "name+offset",
 * "module:name", ambiguity.
 */
class MergedSymbolsTest {
    private static final KernelKallsyms KALLSYMS = KernelKallsyms.of(CorpusImage.vmcoreinfo(), new CorpusImage.ElfKernelMemory()).orElseThrow();

    private static MergedSymbols merged() {
        MergedSymbols m = new MergedSymbols();
        m.addTable("kallsyms", KALLSYMS);
        return m;
    }

    @Test
    void namesAndAddresses() {
        MergedSymbols m = merged();
        assertEquals(0xffffffffbcab7a10L, m.address("process_one_work"));
        assertEquals(0xffffffffbcab7a10L, m.address("vmlinux:process_one_work"), "vmlinux: names the kernel's own");
        assertEquals(List.of(), m.byName("vqbug:process_one_work"));
        assertEquals("process_one_work+77", m.describe(0xffffffffbcab7a10L + 77), "decimal offsets, as crash's bt");
        assertEquals("process_one_work", m.describe(0xffffffffbcab7a10L));
        Symbol p = m.containing(0xffffffffbcab7a10L).orElseThrow();
        Symbol next = m.containing(p.address() + p.size()).orElseThrow();
        assertEquals(next.name(), m.describe(p.address() + p.size()), "the next symbol from where the previous ends");
        assertEquals(List.of(p), m.at(0xffffffffbcab7a10L));
        // per-CPU symbols at 0 are the kernel's (kallsyms defines them), unlike a module's imports at 0
        assertEquals(0, m.address("__per_cpu_start"));
    }

    @Test
    void unknownAndAmbiguousNames() {
        MergedSymbols m = merged();
        KdiveException e = assertThrows(KdiveException.class, () -> m.address("no_such_symbol_xyz"));
        assertEquals("no symbol \"no_such_symbol_xyz\"", e.getMessage());
        // a static function name several files use
        Map<String, List<Symbol>> text = KALLSYMS.all().filter(Symbol::isText).collect(Collectors.groupingBy(Symbol::name));
        String name = text.entrySet().stream().filter(x -> x.getValue().stream().map(Symbol::address).distinct().count() == 2)
                .map(Map.Entry::getKey).sorted().findFirst().orElseThrow();
        List<Symbol> two = text.get(name);
        AmbiguousSymbolException a = assertThrows(AmbiguousSymbolException.class, () -> m.address(name));
        assertEquals(two, a.candidates());
        assertTrue(a.getMessage().startsWith("ambiguous symbol \"" + name + "\": 2 candidates:\n  " + String.format("%016x", two.get(0).address())),
                a.getMessage());
        assertTrue(a.getMessage().endsWith("\nuse module:symbol or an address"), a.getMessage());
    }

    @Test
    void aRemovedTableNamesNothing() {
        MergedSymbols m = merged();
        m.removeTable("kallsyms");
        assertEquals(List.of(), m.byName("process_one_work"));
        assertNull(m.describe(0xffffffffbcab7a10L));
        assertThrows(KdiveException.class, () -> m.address("process_one_work"));
        assertTrue(m.line(0xffffffffbcab7a10L).isEmpty(), "no debuginfo: no lines");
    }
}
