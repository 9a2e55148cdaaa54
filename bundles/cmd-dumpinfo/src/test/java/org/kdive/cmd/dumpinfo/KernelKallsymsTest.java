package org.kdive.cmd.dumpinfo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.kdive.api.command.Result;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Symbol;
import org.kdive.arch.x86.X86Architecture;
import org.kdive.core.BasicCommandContext;
import org.kdive.core.KdiveSessions;
import org.kdive.format.diskdump.DiskdumpFormat;
import org.kdive.test.Corpus;
import org.kdive.test.session.CorpusSession;

/**
 * Without a vmlinux, the kernel's own kallsyms (located by VMCOREINFO) names symbols: checked against
 * the vmlinux's symbol table on the same dump, and used by dumpinfo for the panic CPU.
 */
class KernelKallsymsTest {

    @Test
    @SuppressWarnings("unchecked")
    void kallsymsAgreeWithVmlinuxAndGiveThePanicCpu() throws Exception {
        KdiveSessions bare = new KdiveSessions(List.of(new DiskdumpFormat()), List.of(new X86Architecture()), List.of(), List.of());
        try {
            bare.openDumpOnly(List.of(Corpus.file(CorpusSession.DUMP)));
            Session noVmlinux = bare.require();
            assertTrue(noVmlinux.vmlinux().isEmpty());

            // console.log: "CPU: 1 PID: 41 Comm: kworker/1:1H" on the BUG; crash's bt agrees
            assertTrue(Corpus.crashRef("02-bt").contains("CPU: 1    COMMAND: \"kworker/1:1H\""));
            Result r = new DumpinfoCommand().execute(new BasicCommandContext(bare), List.of());
            assertTrue(r.text().contains("PANIC CPU: 1\n"), r.text());
            assertEquals(1, ((Map<String, Object>) r.data()).get("panicCpu"));

            Session withVmlinux = CorpusSession.get();
            for (String name : List.of("panic_cpu", "jiffies_64", "schedule", "init_task", "linux_banner", "current_task")) {
                assertEquals(withVmlinux.symbols().address(name), noVmlinux.symbols().address(name), name);
            }
            long schedule = withVmlinux.symbols().address("schedule");
            Optional<Symbol> in = noVmlinux.symbols().containing(schedule + 5);
            assertEquals("schedule", in.map(Symbol::name).orElse(null));

            // every global function and object kallsyms knows sits where the vmlinux puts it
            List<Symbol> sample = noVmlinux.symbols().all()
                    .filter(s -> s.type() == 'T' || s.type() == 'D' || s.type() == 'B' || s.type() == 'R')
                    .collect(Collectors.toList());
            assertEquals(26520, sample.size(), "kallsyms' global T/D/B/R names of the corpus kernel");
            int checked = 0, mismatched = 0;
            for (int i = 0; i < sample.size(); i += 7) {
                Symbol k = sample.get(i);
                List<Long> v = withVmlinux.symbols().byName(k.name()).stream().map(Symbol::address).collect(Collectors.toList());
                if (v.isEmpty()) continue;
                checked++;
                if (!v.contains(k.address())) mismatched++;
            }
            // every 7th of them, and the vmlinux knows each name (core's KernelKallsymsTest: all 87182 sit where it puts them)
            assertEquals((sample.size() + 6) / 7, checked, "checked " + checked);
            assertEquals(0, mismatched, "of " + checked);
        } finally {
            bare.close();
        }
    }

    /**
     * The first lookups of a session read the decoded names instead of building the table (dumpinfo
     * asks for one name): they must give what the table gives, sizes and order included, for the
     * names where that is hardest — several symbols of one name, per-CPU variables, absolute values,
     * the first and last addresses — and a spread of the others.
     */
    @Test
    void lookupsBeforeTheTableGiveWhatTheTableGives() throws Exception {
        KdiveSessions built = bare();
        try {
            List<Symbol> all = built.require().symbols().all().collect(Collectors.toList()); // builds the table
            Map<String, Long> counts = all.stream().collect(Collectors.groupingBy(Symbol::name, Collectors.counting()));
            java.util.Set<String> names = new java.util.LinkedHashSet<>();
            counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).sorted().limit(40).forEach(names::add);
            long pcStart = built.require().symbols().address("__per_cpu_start"), pcEnd = built.require().symbols().address("__per_cpu_end");
            all.stream().filter(x -> x.address() >= pcStart && x.address() < pcEnd).map(Symbol::name).limit(10).forEach(names::add);
            all.stream().filter(x -> x.type() == 'A' || x.type() == 'a').map(Symbol::name).limit(5).forEach(names::add);
            names.add(all.get(0).name());
            names.add(all.get(all.size() - 1).name());
            for (int i = 0; i < all.size(); i += 2999) names.add(all.get(i).name());
            names.addAll(List.of("panic_cpu", "__per_cpu_start", "__per_cpu_end", "current_task", "no_such_symbol_anywhere"));
            assertTrue(counts.keySet().stream().anyMatch(n -> counts.get(n) > 1), "no name with several symbols");

            List<String> todo = new java.util.ArrayList<>(names);
            int compared = 0;
            while (!todo.isEmpty()) {
                // a fresh session for every few names: only its first lookups are answered without the table
                KdiveSessions fresh = bare();
                try {
                    for (int k = 0; k < 4 && !todo.isEmpty(); k++) {
                        String name = todo.remove(0);
                        assertEquals(built.require().symbols().byName(name), fresh.require().symbols().byName(name), name);
                        compared++;
                    }
                } finally {
                    fresh.close();
                }
            }
            assertTrue(compared > 60, "compared " + compared);
        } finally {
            built.close();
        }
    }

    private static KdiveSessions bare() throws java.io.IOException {
        KdiveSessions s = new KdiveSessions(List.of(new DiskdumpFormat()), List.of(new X86Architecture()), List.of(), List.of());
        s.openDumpOnly(List.of(Corpus.file(CorpusSession.DUMP)));
        return s;
    }
}
