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
