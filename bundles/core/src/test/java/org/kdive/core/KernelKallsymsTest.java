package org.kdive.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.kdive.api.dump.VmcoreInfo;
import org.kdive.api.session.Memory;
import org.kdive.api.symbols.Symbol;
import org.kdive.test.Corpus;

/**
 * The kernel's kallsyms decoded from the corpus dump's memory (found through VMCOREINFO), against the
 * vmlinux's own symbol table moved by KERNELOFFSET and against crash 8.0.6 (refs/crash-8.0.6/22-sym-l:
 * process_one_work at ffffffffbcab7a10; dis: schedule at ffffffffbd4070d0, panic at ffffffffbd3c2e58).
 */
class KernelKallsymsTest {
    private static final VmcoreInfo VI = CorpusImage.vmcoreinfo();
    private static final Memory MEMORY = new CorpusImage.ElfKernelMemory();
    private static final long PER_CPU_END = 0x34000; // nm vmlinux: __per_cpu_end; per-CPU symbols are not moved by KASLR

    private static KernelKallsyms table() {
        return KernelKallsyms.of(VI, MEMORY).orElseThrow();
    }

    @Test
    void everySymbolSitsWhereTheVmlinuxPutsIt() {
        KernelKallsyms k = table();
        List<Symbol> all = k.all().collect(Collectors.toList());
        assertEquals(MEMORY.u32(VI.symbol("kallsyms_num_syms").getAsLong()), all.size(), "kallsyms_num_syms names, none lost");
        long kaslr = VI.kernelOffset().getAsLong();
        Map<String, List<Long>> vmlinux = CorpusImage.vmlinuxSymbols();
        int checked = 0;
        List<String> wrong = new ArrayList<>();
        for (Symbol s : all) {
            boolean perCpu = Long.compareUnsigned(s.address(), PER_CPU_END) <= 0;
            if ((s.type() == 'A' || s.type() == 'a') && !perCpu) continue; // true absolutes: not moved, not symbols of the image
            List<Long> linked = vmlinux.getOrDefault(s.name(), List.of());
            checked++;
            if (linked.stream().noneMatch(v -> v + (perCpu ? 0 : kaslr) == s.address())) wrong.add(s.name() + " " + Long.toHexString(s.address()));
        }
        assertEquals(List.of(), wrong.subList(0, Math.min(20, wrong.size())), wrong.size() + " of " + checked + " misplaced");
        assertEquals(87182, all.size(), "kallsyms_num_syms of this kernel");
        assertEquals(all.size(), checked, "every name checked: this kernel's kallsyms has no absolute symbol but per-CPU ones");
    }

    @Test
    void lookupsMatchCrash() {
        KernelKallsyms k = table();
        assertEquals(List.of(0xffffffffbcab7a10L), addresses(k.byName("process_one_work")));
        assertEquals(List.of(0xffffffffbd4070d0L), addresses(k.byName("schedule")));
        assertEquals(List.of(0xffffffffbd3c2e58L), addresses(k.byName("panic")));
        // %gs:0x1fb80 in crash's `dis -l schedule`: the per-CPU current_task, as an offset; x86_64's
        // scripts/kallsyms marks per-CPU symbols absolute ('A'), yet they are objects up to the next one
        Symbol current = k.byName("current_task").get(0);
        assertEquals(0x1fb80, current.address());
        assertEquals('A', current.type());
        Symbol after = k.containing(0x1fb80 + current.size()).orElseThrow();
        assertTrue(current.size() > 0 && after.address() == 0x1fb80 + current.size(), after.toString());
        assertEquals(current, k.containing(0x1fb80 + current.size() - 1).orElseThrow());
        // kallsyms has no sizes: a symbol reaches the next one
        Symbol schedule = k.containing(0xffffffffbd4070d0L + 5).orElseThrow();
        assertEquals("schedule", schedule.name());
        Symbol next = k.containing(schedule.address() + schedule.size()).orElseThrow();
        assertTrue(schedule.size() > 0 && !next.name().equals("schedule"), next.toString());
        assertEquals(schedule, k.containing(schedule.address() + schedule.size() - 1).orElseThrow());
        assertEquals(List.of(), k.byName("no_such_symbol_at_all"));
    }

    /**
     * The first lookups scan the decoded names instead of building the table: a fresh table answers
     * them as the built one does, sizes, types and duplicates included.
     */
    @Test
    void lookupsBeforeTheTableGiveWhatTheTableGives() {
        KernelKallsyms built = table();
        Map<String, Long> counts = built.all().collect(Collectors.groupingBy(Symbol::name, Collectors.counting()));
        String duplicated = counts.entrySet().stream().filter(e -> e.getValue() > 2).map(Map.Entry::getKey).sorted().findFirst().orElseThrow();
        List<String> names = List.of("schedule", "current_task", "__per_cpu_start", "__per_cpu_end", "_stext", duplicated);
        KernelKallsyms fresh = table();
        for (String n : names) assertEquals(built.byName(n), fresh.byName(n), n);
    }

    /**
     * The same over names spread through the whole table (every 300th, clones named without their
     * .isra./.part. endings among them), and names that are prefixes of others, a few per fresh table
     * (the first lookups of each are scans).
     */
    @Test
    void scansOfNamesAllOverTheTableGiveWhatTheTableGives() {
        KernelKallsyms built = table();
        List<Symbol> all = built.all().toList();
        java.util.Set<String> names = new java.util.LinkedHashSet<>(List.of("panic", "panic_cpu", "fixed_percpu_data", "pan"));
        for (int i = 0; i < all.size(); i += 300) names.add(all.get(i).name());
        List<String> list = List.copyOf(names);
        for (int from = 0; from < list.size(); from += 4) {
            KernelKallsyms fresh = table();
            for (String n : list.subList(from, Math.min(list.size(), from + 4))) assertEquals(built.byName(n), fresh.byName(n), n);
        }
    }

    /**
     * Names a scan found are found again, by a later session on the same kernel build, from the
     * hints file in a page or two and without decoding the names; a file changed since it was
     * written, or a hint that no longer spells the name, gives way to the scan; nothing is kept
     * while the dump is damaged.
     */
    @Test
    void namesFoundOnceAreFoundAgainFromTheirHints(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        KernelKallsyms built = table();
        Map<String, Long> counts = built.all().collect(Collectors.groupingBy(Symbol::name, Collectors.counting()));
        String duplicated = counts.entrySet().stream().filter(e -> e.getValue() > 2).map(Map.Entry::getKey).sorted().findFirst().orElseThrow();
        List<String> names = List.of("panic_cpu", "schedule", "current_task", "__per_cpu_end", duplicated);
        KernelKallsyms damaged = KernelKallsyms.of(VI, MEMORY, dir, () -> false).orElseThrow();
        assertEquals(built.byName("panic_cpu"), damaged.byName("panic_cpu"));
        java.nio.file.Path file = dir.resolve(VI.buildId().orElseThrow() + ".kallsyms");
        assertFalse(java.nio.file.Files.exists(file), "nothing kept from a damaged dump");

        KernelKallsyms first = KernelKallsyms.of(VI, MEMORY, dir, () -> true).orElseThrow();
        for (String n : names) assertEquals(built.byName(n), first.byName(n), n);
        assertTrue(java.nio.file.Files.isRegularFile(file));
        KernelKallsyms again = KernelKallsyms.of(VI, MEMORY, dir, () -> true).orElseThrow();
        for (String n : names) {
            assertEquals(built.byName(n), again.byName(n), n);
            assertFalse(again.namesDecoded(), "answered from the hints: " + n);
        }
        assertEquals(List.of(), again.byName("no_such_symbol_at_all"), "an absence is scanned for");
        assertTrue(again.namesDecoded());

        String text = java.nio.file.Files.readString(file);
        // another symbol's number: only the checksum tells
        java.nio.file.Files.writeString(file, text.replaceFirst("(?m)^panic_cpu \\d+", "panic_cpu 1"));
        KernelKallsyms changed = KernelKallsyms.of(VI, MEMORY, dir, () -> true).orElseThrow();
        assertEquals(built.byName("panic_cpu"), changed.byName("panic_cpu"));
        assertTrue(changed.namesDecoded(), "a changed file is not used");
        // a sound file whose hint places the tokens of another name
        String swapped = swapPlaces(text, "panic_cpu", "schedule");
        java.nio.file.Files.writeString(file, swapped);
        KernelKallsyms moved = KernelKallsyms.of(VI, MEMORY, dir, () -> true).orElseThrow();
        assertEquals(built.byName("panic_cpu"), moved.byName("panic_cpu"));
        assertTrue(moved.namesDecoded(), "a hint that does not spell the name is not used");
    }

    /** The file with the two names' hints exchanged, and its checksum made to match. */
    private static String swapPlaces(String text, String a, String b) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n")));
        lines.remove(lines.size() - 1);
        int ia = -1, ib = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(a + " ")) ia = i;
            if (lines.get(i).startsWith(b + " ")) ib = i;
        }
        String ra = lines.get(ia).substring(a.length()), rb = lines.get(ib).substring(b.length());
        lines.set(ia, a + rb);
        lines.set(ib, b + ra);
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append(l).append('\n');
            c.update((l + "\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        return sb.append("crc ").append(Long.toHexString(c.getValue())).append('\n').toString();
    }

    @Test
    void aTableThatCannotBeReadIsEmpty() {
        // kallsyms_names pointing at a page the dump does not hold: no symbols, no exception
        String moved = VI.text().replaceFirst("SYMBOL\\(kallsyms_num_syms\\)=[0-9a-f]+", "SYMBOL(kallsyms_num_syms)=ffff800000000000");
        KernelKallsyms k = KernelKallsyms.of(VmcoreInfo.parse(moved), MEMORY).orElseThrow();
        assertEquals(List.of(), k.byName("schedule"));
        assertEquals(0, k.all().count());
        assertEquals(Optional.empty(), k.containing(0xffffffffbd4070d0L));
        // without every SYMBOL(kallsyms_*) line (kernels before 6.0): no table at all
        String older = VI.text().replaceFirst("SYMBOL\\(kallsyms_token_index\\)=[0-9a-f]+\n", "");
        assertTrue(KernelKallsyms.of(VmcoreInfo.parse(older), MEMORY).isEmpty());
        assertTrue(Corpus.vmlinux().toFile().isFile());
    }

    private static List<Long> addresses(List<Symbol> l) {
        return l.stream().map(Symbol::address).collect(Collectors.toList());
    }
}
