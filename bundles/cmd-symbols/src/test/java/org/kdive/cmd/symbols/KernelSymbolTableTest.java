package org.kdive.cmd.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.DebugInfo;
import org.kdive.test.Corpus;
import org.kdive.test.HostCrash;
import org.kdive.test.session.CorpusSession;

/**
 * sym on the kernel's own symbols (issue 18), compared with the host's crash 8.0.2 run on the corpus
 * dump in the same test. crash's kernel table is the vmlinux's .symtab sorted by value, then name,
 * from _text on (below it only the per-CPU symbols), with the section symbols (__param,
 * __ksymtab_gpl) and every repeated entry (.LC0 many times at one address); sym -l lists it as it
 * is, sym NAME shows each entry of the name, sym -p the entry before (at the same address or not)
 * and sym -n the first after it at a higher address. The kernel part of sym -l must be crash's,
 * line for line; then a sample of names taken from crash's list (repeated entries, addresses with
 * several names, the relocated absolute ones) is looked up with sym, sym -p and sym -n.
 */
@Order(5)
class KernelSymbolTableTest {
    private static final Pattern LINE = Pattern.compile("([0-9a-f]+) \\((.)\\) (\\S+)");
    private static final int PER_KIND = 25;

    @Test
    void kernelSymbolsAsCrashListsThem() {
        Session s = CorpusSession.get();
        try {
            unloadModules(s); // crash's state: the modules' symbols from their kallsyms only
            String crashList = HostCrash.run(Corpus.vmlinux(), Corpus.file(CorpusSession.DUMP), List.of("sym -l")).get(0);
            String want = kernelPart(CrashAuditTest.comparable(crashList));
            String got = kernelPart(CrashAuditTest.comparable(CrashAuditTest.run("sym -l", CrashAuditTest.PANIC_PID)));
            assertTrue(want.length() > 100_000, "crash listed the kernel's symbols:\n" + crashList.substring(0, Math.min(2000, crashList.length())));
            assertSameLines(want, got);
            // what the sample below relies on, found in crash's own list
            assertTrue(want.contains("(r) __param\n") && want.contains("(r) __ksymtab_gpl\n"), "vmlinux's section symbols");
            assertTrue(want.contains("(A) init_per_cpu__gdt_page\n"), "a relocated absolute symbol");

            List<String> lookups = new ArrayList<>();
            for (String name : sample(want)) {
                lookups.add("sym " + name);
                lookups.add("sym -p " + name);
                lookups.add("sym -n " + name);
            }
            List<String> crash = HostCrash.run(Corpus.vmlinux(), Corpus.file(CorpusSession.DUMP), lookups);
            for (int i = 0; i < lookups.size(); i++) {
                String line = lookups.get(i);
                assertEquals(CrashAuditTest.comparable(crash.get(i)),
                        CrashAuditTest.comparable(CrashAuditTest.run(line, CrashAuditTest.PANIC_PID)), line);
            }
        } finally {
            CrashAuditTest.onlyVqbugDebuginfo();
        }
    }

    /**
     * sym ADDR on kernel addresses, against crash's own answers in one run: every address crash's
     * table has several entries at (.LC0 17 times, __do_sys_X with its __ia32_ and __x64_ aliases,
     * __kprobes_text_end/_start) exactly and one byte above (crash names the first entry at an
     * address, but an address above it after the last entry there), then every 60th distinct address
     * of the table exactly and halfway to the next (alignment padding between functions, which no
     * symbol's size covers, is still named), with -p and -n on the repeated entries. The exact
     * lookups of an address come before any lookup just above it: crash caches its last result per
     * page bucket and afterwards names the address after the last entry there (see CrashSymbolTable).
     */
    @Test
    void kernelAddressesAsCrashNamesThem() {
        String crashList = HostCrash.run(Corpus.vmlinux(), Corpus.file(CorpusSession.DUMP), List.of("sym -l")).get(0);
        List<Long> values = new ArrayList<>();
        Map<Long, Integer> entries = new LinkedHashMap<>();
        for (String l : kernelPart(CrashAuditTest.comparable(crashList)).split("\n")) {
            Matcher m = LINE.matcher(l);
            if (!m.matches() || m.group(1).length() < 16) continue; // the per-CPU offsets are not addresses
            long v = Long.parseUnsignedLong(m.group(1), 16);
            if (entries.merge(v, 1, Integer::sum) == 1) values.add(v);
        }
        List<String> exact = new ArrayList<>(), above = new ArrayList<>(), steps = new ArrayList<>(), spread = new ArrayList<>();
        for (int i = 0; i + 1 < values.size(); i++) {
            long v = values.get(i), next = values.get(i + 1);
            if (entries.get(v) > 1) {
                exact.add("sym " + Long.toHexString(v));
                if (next - v > 1) above.add("sym " + Long.toHexString(v + 1));
                if (steps.size() < 2 * PER_KIND && next - v > 1) {
                    steps.add("sym -p -n " + Long.toHexString(v));
                    steps.add("sym -p -n " + Long.toHexString(v + 1));
                }
            }
            if (i % 60 == 0) {
                spread.add("sym " + Long.toHexString(v));
                if (next - v > 1) spread.add("sym " + Long.toHexString(v + (next - v) / 2));
            }
        }
        assertTrue(exact.size() > 400 && above.size() > 400 && spread.size() > 3000,
                "addresses with several entries " + exact.size() + ", spread " + spread.size());
        List<String> lookups = new ArrayList<>(exact);
        lookups.addAll(steps); // each address before the one above it, all before the rest above
        lookups.addAll(above);
        lookups.addAll(spread);
        List<String> crash = HostCrash.run(Corpus.vmlinux(), Corpus.file(CorpusSession.DUMP), lookups);
        int differ = 0;
        StringBuilder first = new StringBuilder();
        for (int i = 0; i < lookups.size(); i++) {
            String want = CrashAuditTest.comparable(crash.get(i));
            String got = CrashAuditTest.comparable(CrashAuditTest.run(lookups.get(i), CrashAuditTest.PANIC_PID));
            if (want.equals(got)) continue;
            if (differ++ < 10) first.append(lookups.get(i)).append("\ncrash: ").append(want).append("kdive: ").append(got);
        }
        assertEquals(0, differ, differ + " of " + lookups.size() + " lookups differ from crash's, first:\n" + first);
    }

    /**
     * sym -q and the "possible alternatives" of an unknown name list the kernel table's entries as
     * they are, each repeat of .LC0 or __key.0 at one address again; then the modules' symbols.
     */
    @Test
    void queriesListRepeatedEntriesAsCrash() {
        List<String> lookups = List.of("sym -q .LC0", "sym -q __key.0", "sym LC0", "sym _key.0", "sym -q vqb_", "sym -q _text_",
                "sym LC83");
        List<String> crash = HostCrash.run(Corpus.vmlinux(), Corpus.file(CorpusSession.DUMP), lookups);
        String lc0 = CrashAuditTest.comparable(crash.get(0));
        List<String> lines = List.of(lc0.split("\n"));
        assertTrue(lines.size() > lines.stream().distinct().count() + 10, "crash lists .LC0's repeats:\n" + lc0);
        try {
            unloadModules(CorpusSession.get()); // crash's state: the module's symbols from its kallsyms only
            for (int i = 0; i < lookups.size(); i++) {
                assertEquals(CrashAuditTest.comparable(crash.get(i)),
                        CrashAuditTest.comparable(CrashAuditTest.run(lookups.get(i), CrashAuditTest.PANIC_PID)), lookups.get(i));
            }
        } finally {
            CrashAuditTest.onlyVqbugDebuginfo();
        }
    }

    /** The lines before the first module's MODULE START line. */
    private static String kernelPart(String listing) {
        int at = listing.indexOf(" MODULE START: ");
        assertTrue(at > 0, "sym -l lists modules after the kernel");
        return listing.substring(0, listing.lastIndexOf('\n', at) + 1);
    }

    /** Equal, or the first difference with its neighbourhood (the texts have 100k+ lines). */
    private static void assertSameLines(String want, String got) {
        if (want.equals(got)) return;
        String[] w = want.split("\n", -1), g = got.split("\n", -1);
        int i = 0;
        while (i < w.length && i < g.length && w[i].equals(g[i])) i++;
        int from = Math.max(0, i - 3);
        String crashPart = String.join("\n", java.util.Arrays.copyOfRange(w, from, Math.min(w.length, i + 4)));
        String kdivePart = String.join("\n", java.util.Arrays.copyOfRange(g, from, Math.min(g.length, i + 4)));
        assertEquals(crashPart, kdivePart, "sym -l's kernel part, " + w.length + " lines from crash, " + g.length
                + " from kdive, first difference at line " + (i + 1));
    }

    /**
     * Names from crash's kernel list, spread over it: names repeated at one address, names sharing an
     * address with others (each of them), section symbols, absolute ones.
     */
    private static List<String> sample(String kernel) {
        Map<String, Integer> count = new LinkedHashMap<>();
        Map<String, List<String>> byAddress = new LinkedHashMap<>();
        List<String> repeated = new ArrayList<>(), absolute = new ArrayList<>();
        String previous = null;
        for (String l : kernel.split("\n")) {
            Matcher m = LINE.matcher(l);
            if (!m.matches()) continue;
            String name = m.group(3);
            count.merge(name, 1, Integer::sum);
            byAddress.computeIfAbsent(m.group(1), a -> new ArrayList<>()).add(name);
            if (l.equals(previous) && !repeated.contains(name)) repeated.add(name);
            if (m.group(2).equalsIgnoreCase("a")) absolute.add(name);
            previous = l;
        }
        List<List<String>> shared = byAddress.values().stream().filter(n -> n.size() > 1 && n.size() < 6).toList();
        assertTrue(repeated.size() > 3 && shared.size() > 100 && !absolute.isEmpty(),
                "crash's list has repeats " + repeated.size() + ", shared addresses " + shared.size() + ", absolutes " + absolute);
        LinkedHashSet<String> out = new LinkedHashSet<>();
        out.addAll(spread(repeated, PER_KIND));
        for (List<String> names : spread(shared, PER_KIND)) out.addAll(names);
        out.addAll(absolute);
        out.addAll(List.of("__param", "__ksymtab_gpl", "__per_cpu_start", "_text", "_stext"));
        // a name crash has only once is also looked up (a baseline), a few spread over the list
        out.addAll(spread(count.entrySet().stream().filter(e -> e.getValue() == 1).map(Map.Entry::getKey).toList(), 5));
        return new ArrayList<>(out);
    }

    private static <T> List<T> spread(List<T> all, int n) {
        List<T> out = new ArrayList<>();
        if (all.isEmpty()) return out;
        int step = Math.max(1, all.size() / n);
        for (int i = 0; i < all.size() && out.size() < n; i += step) out.add(all.get(i));
        return out;
    }

    private static void unloadModules(Session s) {
        for (DebugInfo d : List.copyOf(s.modules())) {
            if (d.module() != null) s.unloadDebugInfo(d.module());
        }
    }
}
