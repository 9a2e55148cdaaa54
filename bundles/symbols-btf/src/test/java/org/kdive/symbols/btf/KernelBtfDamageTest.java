package org.kdive.symbols.btf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.kdive.api.dump.VmcoreInfo;
import org.kdive.api.session.Memory;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.KernelMemory;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.SymbolTable;

/**
 * A kernel whose BTF cannot be used: the real corpus dump's memory with its kallsyms bent (BTF
 * symbols missing, pointing at code, or no symbols at all): kdive says why, once, and opens nothing.
 */
class KernelBtfDamageTest {
    private static final class Kernel implements KernelMemory {
        final Session s = KernelBtfCorpusTest.btfSession();
        final Map<String, String> renamed;
        final boolean noSymbols;
        final List<String> warnings = new ArrayList<>();

        Kernel(Map<String, String> renamed, boolean noSymbols) {
            this.renamed = renamed;
            this.noSymbols = noSymbols;
        }

        @Override public Memory memory() { return s.memory(); }

        @Override public SymbolTable symbols() {
            return new SymbolTable() {
                @Override public List<Symbol> byName(String name) {
                    if (noSymbols) return List.of();
                    String to = renamed.getOrDefault(name, name);
                    return to.isEmpty() ? List.of() : s.symbols().byName(to);
                }

                @Override public Optional<Symbol> containing(long address) { return Optional.empty(); }

                @Override public Stream<Symbol> all() { return Stream.empty(); }
            };
        }

        @Override public VmcoreInfo vmcoreinfo() { return s.vmcoreinfo(); }

        @Override public List<Path> dumpFiles() { return s.dump().files(); }

        @Override public void warn(String message) { warnings.add(message); }
    }

    private static List<String> open(Kernel k) throws Exception {
        assertTrue(new BtfDebugInfoProvider().openKernelMemory(k).isEmpty());
        assertEquals(1, k.warnings.size(), k.warnings.toString());
        return k.warnings;
    }

    @Test
    void kernelWithoutBtf() throws Exception {
        String w = open(new Kernel(Map.of("__start_BTF", "", "__stop_BTF", ""), false)).get(0);
        assertTrue(w.startsWith("this kernel carries no BTF (no __start_BTF in kallsyms"), w);
    }

    @Test
    void btfSymbolsPointingElsewhere() throws Exception {
        String w = open(new Kernel(Map.of("__start_BTF", "_stext", "__stop_BTF", "_etext"), false)).get(0);
        assertTrue(w.matches("the kernel's BTF at [0-9a-f]+: offset 0x0: expected magic 0xeb9f version 1, found .*: ignored"), w);
    }

    @Test
    void noKallsyms() throws Exception {
        String w = open(new Kernel(Map.of(), true)).get(0);
        assertTrue(w.contains("VMCOREINFO has no kallsyms_* entries before Linux 6.0"), w);
    }
}
