package org.kdive.cmd.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.kdive.api.command.Result;
import org.kdive.api.session.Memory;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.DebugInfo;
import org.kdive.api.symbols.Type;
import org.kdive.cmd.symbols.expr.Evaluator;
import org.kdive.cmd.symbols.modules.KernelModules;
import org.kdive.test.Corpus;
import org.kdive.test.HostCrash;
import org.kdive.test.session.CorpusSession;

/**
 * sym on module symbols once a module's object file is loaded (issue 18), compared with the host's
 * crash 8.0.2 run on the corpus dump in the same test: {@code mod -s vqbug vqbug.ko.debug}, then
 * {@code mod -S modules/}. crash then lists each module's ELF symbols with the object's types (b, d, r
 * where kallsyms had ?), section symbols such as __param, and kallsyms' own extra names (.LC0);
 * sym -l frames the modules' part as sym -M does. Every module symbol crash lists is then looked up
 * by name (sym, sym -p, sym -n) and by address (its own and one byte on).
 *
 * <p>Where crash is wrong, kdive names an address as the kernel itself does (the first named symbol
 * of the highest address at or below it in the module's kallsyms, read here from the dump; kdive
 * goes one step further: an object covering the address before a zero-size marker at its start,
 * virtblk_queue_depth rather than a lock_class_key __key.N, which has no size without lockdep): crash
 * takes the first of several symbols at the address in its own table, so it names init_module and
 * cleanup_module instead of the module's functions (vqb_exit), a MODULE_DEVICE_TABLE alias instead
 * of the table, or the ELF section symbol (__ksymtab_gpl, __param), which names a section, not the
 * object at its start, and which the kernel's lookup ignores (unnamed in the object's symtab). Such
 * a line must otherwise be crash's: same address and offset, and crash's listing must have kdive's
 * name at that address with kdive's type.
 *
 * <p>sym -l's kernel part, and the kernel's entries of a name (vmlinux's section symbols such as
 * __param, repeated entries such as .LC0), are compared in KernelSymbolTableTest; here a name's kernel
 * lines must be crash's too.
 */
@Order(4)
class ModuleObjectSymbolsTest {
    /** "ADDR (T) NAME[+OFF] [MODULE] [SOURCE]" as crash's sym prints a symbol. */
    private static final Pattern LINE = Pattern.compile("([0-9a-f]+) \\((.)\\) (\\S+?)(?:\\+(\\d+))?(?: \\[(\\w+)\\])?(?: (.*))?");

    private record Entry(long address, char type, String name, String module) {
    }

    private int kernelNamed;

    @Test
    void moduleSymbolsAsCrashShowsThem() {
        Session s = CorpusSession.get();
        String ko = Corpus.file("vqbug.ko.debug").toString();
        String dir = Corpus.file("modules").toString();
        try {
            List<String> lists = List.of("sym -m vqbug", "sym -M", "mod -s vqbug " + ko, "sym -m vqbug", "sym -l", "sym -M",
                    "mod -S " + dir, "sym -m virtio_ring", "sym -M", "sym -l");
            unloadAll(s);
            List<String> crash = HostCrash.run(Corpus.vmlinux(), Corpus.file(CorpusSession.DUMP), lists);
            for (int i = 0; i < lists.size(); i++) compare(s, lists.get(i), crash.get(i), kdive(lists.get(i)), List.of());
            // crash's kallsyms-only list has no types for data; the object file's has
            assertTrue(crash.get(0).contains("(?) __this_module") && crash.get(3).contains("(B) __this_module"), "crash's types changed");

            List<Entry> vqbug = entries(crash.get(3), "vqbug");
            List<Entry> all = entries(crash.get(8), null);
            assertTrue(all.size() > vqbug.size() && !vqbug.isEmpty(), "module symbols listed: " + vqbug.size() + ", " + all.size());
            List<String> lookups = new ArrayList<>();
            lookups.add("mod -s vqbug " + ko);
            lookups.addAll(lookups(s, vqbug));
            lookups.add("mod -S " + dir);
            lookups.addAll(lookups(s, all));
            unloadAll(s);
            crash = HostCrash.run(Corpus.vmlinux(), Corpus.file(CorpusSession.DUMP), lookups);
            kernelNamed = 0;
            int state = 0;
            for (int i = 0; i < lookups.size(); i++) {
                String line = lookups.get(i);
                if (line.startsWith("mod ")) state++;
                compare(s, line, crash.get(i), kdive(line), state == 1 ? vqbug : all);
            }
            // the corpus has such addresses (vqbug's exit function, every module's __ksymtab_gpl …)
            assertTrue(kernelNamed > 0, "no address where crash names another symbol than the kernel");
        } finally {
            CrashAuditTest.onlyVqbugDebuginfo();
        }
    }

    /** The typed row carries the object file's type where kallsyms has none. */
    @Test
    @SuppressWarnings("unchecked")
    void typedRowHasTheObjectsType() {
        CrashAuditTest.onlyVqbugDebuginfo();
        Session s = CorpusSession.get();
        DebugInfo vqbug = s.modules().stream().filter(d -> "vqbug".equals(d.module())).findFirst().orElseThrow();
        // vqb_queue: a pointer in .bss; one byte past its end still names it (the module's last symbol)
        var syms = vqbug.symbols().byName("vqb_queue");
        var sym = syms.stream().filter(x -> x.size() > 0).findFirst().orElseThrow(() -> new AssertionError(syms.toString()));
        Result r = CorpusSession.result(new SymCommand(), Long.toHexString(sym.address() + sym.size() + 1));
        Map<String, Object> row = (Map<String, Object>) r.data();
        assertEquals("vqb_queue", row.get("name"));
        assertEquals(String.valueOf(sym.type()), row.get("type"));
        assertEquals('b', sym.type(), syms.toString());
        assertEquals(sym.size() + 1, ((Number) row.get("offset")).longValue());
    }

    private static void unloadAll(Session s) {
        for (DebugInfo d : List.copyOf(s.modules())) {
            if (d.module() != null) s.unloadDebugInfo(d.module());
        }
    }

    private static String kdive(String line) {
        return CrashAuditTest.run(line, CrashAuditTest.PANIC_PID);
    }

    /** Each symbol's lookups: by address, one byte on, by name, and for module-only names its neighbours. */
    private static List<String> lookups(Session s, List<Entry> entries) {
        DebugInfo vmlinux = s.vmlinux().orElseThrow();
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (Entry e : entries) {
            out.add("sym " + Long.toHexString(e.address()));
            out.add("sym " + Long.toHexString(e.address() + 1));
            out.add("sym " + e.name());
            // a name the kernel has too: crash's vmlinux neighbours are its table's, outside this test
            boolean kernelToo = vmlinux.sectionAddress(e.name()).isPresent()
                    || s.symbols().byName(e.name()).stream().anyMatch(x -> x.module() == null);
            if (!kernelToo) {
                out.add("sym -p " + e.name());
                out.add("sym -n " + e.name());
            }
        }
        return new ArrayList<>(out);
    }

    private void compare(Session s, String line, String crash, String kdive, List<Entry> listed) {
        String want = CrashAuditTest.comparable(crash);
        String got = CrashAuditTest.comparable(kdive);
        if (line.equals("sym -l")) {
            want = modulePart(want);
            got = modulePart(got);
            assertFalse(want.isEmpty(), "crash's sym -l lists modules");
        }
        if (want.equals(got)) return;
        String[] words = line.split(" ");
        if (words.length == 2 && words[0].equals("sym") && words[1].matches("[0-9a-f]{16}")) {
            byAddress(s, line, want, got, listed);
        } else if (words.length == 2 && words[0].equals("sym") && !words[1].startsWith("-")) {
            byName(s, line, want, got);
        } else {
            assertEquals(want, got, line);
        }
    }

    /** From the first module's MODULE START line on. */
    private static String modulePart(String text) {
        int at = text.indexOf(" MODULE START: ");
        if (at < 0) return "";
        return text.substring(text.lastIndexOf('\n', at) + 1);
    }

    /** crash named another symbol at the same address: kdive's must be the kernel's name, listed there by crash. */
    private void byAddress(Session s, String line, String want, String got, List<Entry> listed) {
        Matcher c = LINE.matcher(want);
        Matcher k = LINE.matcher(got);
        assertTrue(c.matches() && k.matches(), line + ":\ncrash: " + want + "\nkdive: " + got);
        assertEquals(c.group(1), k.group(1), line + ": the address");
        assertEquals(c.group(4), k.group(4), line + ": the offset");
        assertEquals(c.group(5), k.group(5), line + ": the module");
        assertEquals(c.group(6), k.group(6), line + ": the source line");
        String module = k.group(5);
        assertNotNull(module, line + ": " + want + " / " + got);
        long address = Long.parseUnsignedLong(line.substring(4), 16);
        assertEquals(kernelName(s, module, address), k.group(3), line + ": kdive names the address as the kernel's kallsyms does");
        // crash prints the address looked up; the symbols start at it less the offset
        long at = Long.parseUnsignedLong(k.group(1), 16) - (k.group(4) == null ? 0 : Long.parseLong(k.group(4)));
        Entry crashs = listed.stream().filter(e -> e.address() == at && e.name().equals(c.group(3)) && e.module().equals(module))
                .findFirst().orElse(null);
        Entry kdives = listed.stream().filter(e -> e.address() == at && e.name().equals(k.group(3)) && e.module().equals(module))
                .findFirst().orElse(null);
        assertNotNull(crashs, line + ": crash's " + c.group(3) + " is in its own list at " + Long.toHexString(at));
        assertNotNull(kdives, line + ": kdive's " + k.group(3) + " is in crash's list at the same address");
        assertEquals(String.valueOf(kdives.type()), k.group(2), line + ": the type crash lists for " + k.group(3));
        kernelNamed++;
    }

    /** The module lines exactly in crash's order, and the kernel lines (compared apart to say which differ). */
    private static void byName(Session s, String line, String want, String got) {
        List<String> crashKernel = new ArrayList<>();
        List<String> crashModules = new ArrayList<>();
        for (String l : want.split("\n")) {
            Matcher m = LINE.matcher(l);
            (m.matches() && m.group(5) != null ? crashModules : crashKernel).add(l);
        }
        List<String> kdiveKernel = new ArrayList<>();
        List<String> kdiveModules = new ArrayList<>();
        for (String l : got.split("\n")) {
            Matcher m = LINE.matcher(l);
            (m.matches() && m.group(5) != null ? kdiveModules : kdiveKernel).add(l);
        }
        assertEquals(String.join("\n", crashModules), String.join("\n", kdiveModules), line + ": module symbols");
        assertEquals(String.join("\n", crashKernel), String.join("\n", kdiveKernel), line + ": kernel symbols");
    }

    /** The symbol lines of a sym -m / sym -M listing, the module taken from the MODULE START lines. */
    private static List<Entry> entries(String listing, String only) {
        List<Entry> out = new ArrayList<>();
        String module = null;
        for (String l : listing.split("\n")) {
            int start = l.indexOf(" MODULE START: ");
            if (start > 0) {
                module = l.substring(start + " MODULE START: ".length()).strip();
                continue;
            }
            Matcher m = LINE.matcher(l.strip());
            if (module == null || !m.matches() || (only != null && !only.equals(module))) continue;
            out.add(new Entry(Long.parseUnsignedLong(m.group(1), 16), m.group(2).charAt(0), m.group(3), module));
        }
        return out;
    }

    /**
     * The kernel's own name for a module address (kernel/module/kallsyms.c, find_kallsyms_symbol): of
     * the module's kallsyms, defined and named, the first with the highest address at or below it.
     */
    private static String kernelName(Session s, String module, long address) {
        KernelModules.Module m = KernelModules.list(s).stream().filter(x -> x.name().equals(module)).findFirst().orElseThrow();
        Type kt = s.symbols().type("struct mod_kallsyms").orElseThrow();
        Memory mem = s.memory();
        long symtab = mem.pointer(m.kallsyms() + Evaluator.offsetOf(kt, "symtab"));
        long strtab = mem.pointer(m.kallsyms() + Evaluator.offsetOf(kt, "strtab"));
        int num = (int) mem.u32(m.kallsyms() + Evaluator.offsetOf(kt, "num_symtab"));
        ByteBuffer syms = ByteBuffer.wrap(mem.read(symtab, num * 24)).order(ByteOrder.LITTLE_ENDIAN);
        String best = null;
        String covering = null;
        long bestValue = 0;
        for (int i = 1; i < num; i++) {
            int name = syms.getInt(i * 24);
            int shndx = syms.getShort(i * 24 + 6) & 0xffff;
            long value = syms.getLong(i * 24 + 8);
            long size = syms.getLong(i * 24 + 16);
            if (shndx == 0) continue;
            String n = mem.cString(strtab + name, 512);
            if (n.isEmpty()) continue;
            n = org.kdive.api.symbols.Symbol.crashName(n); // crash's and kdive's spelling of a clone (foo.isra.0: foo)
            if (Long.compareUnsigned(value, address) > 0) continue;
            if (Long.compareUnsigned(value, bestValue) > 0) {
                best = n;
                bestValue = value;
                covering = null;
            }
            // kdive's one step further: the object covering the address before a zero-size marker there
            if (value == bestValue && covering == null && Long.compareUnsigned(address - value, size) < 0) covering = n;
        }
        return covering != null ? covering : best;
    }
}
