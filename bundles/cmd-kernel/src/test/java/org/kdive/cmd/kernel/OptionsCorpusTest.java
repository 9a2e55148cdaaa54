package org.kdive.cmd.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.kdive.api.command.Command;
import org.kdive.api.command.Result;
import org.kdive.cmd.kernel.commands.KmemCommand;
import org.kdive.cmd.kernel.commands.PsCommand;
import org.kdive.cmd.kernel.commands.RunqCommand;
import org.kdive.cmd.kernel.commands.SetCommand;
import org.kdive.cmd.kernel.commands.SysCommand;
import org.kdive.test.CrashText;
import org.kdive.test.session.CorpusSession;

/**
 * The options of ps, log, sys, task, set, runq, files, mount, kmem, list and tree (issue 18) against crash
 * 8.0.6 on the corpus dump (vmcore.kdump-zlib, Debian 12 6.1): one reference per file in
 * src/test/resources/refs/crash-8.0.6/, its first line "crash> COMMAND", compared exactly (only
 * trailing blanks and blank end lines aside). crash's error lines ("ps: ...") are what kdive's
 * shell prints for a CommandException.
 */
class OptionsCorpusTest {
    private static final Path REFS = Path.of("src/test/resources/refs/crash-8.0.6");

    /**
     * Where kdive deliberately prints something else than crash 8.0.6: crash's text, and the
     * reference whose output kdive prints instead. On 6.1 radix_tree_root is a macro for struct
     * xarray (the debuginfo has no struct radix_tree_root), so crash refuses `tree -t radix`;
     * kdive walks the XArray the radix tree API uses, as `tree -t xarray` does.
     */
    private static final Map<String, String[]> DIFFERS = Map.of(
            "tree_ra.txt", new String[] {"tree: radix trees do not exist or have changed their format", "tree_xa.txt"});

    @TestFactory
    Stream<DynamicTest> everyReferenceMatchesCrash806() throws IOException {
        CorpusSession.loadVqbug(new org.kdive.cmd.symbols.ModCommand());
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> files = Files.list(REFS)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.equals("set_-a.txt")) continue; // changes the active task: markActiveAndBack
                if (name.equals("list_-S_many.txt")) continue; // a module's exit alias: moduleExitNamedAsTheKernelNamesIt
                if (name.equals("kmem_freepage.txt")) continue; // crash misses the free block: freePageCrashMisses
                if (name.equals("list_-r_-O.txt")) continue; // crash reverses from the head's next: reverseFromHeadOffset
                if (!name.startsWith(System.getProperty("kdive.refs", ""))) continue; // -Dkdive.refs=bt_ runs one command's references
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    String ref = Files.readString(f);
                    String command = ref.substring("crash> ".length(), ref.indexOf('\n'));
                    String expected = ref.substring(ref.indexOf('\n') + 1);
                    if (DIFFERS.containsKey(name)) {
                        String[] why = DIFFERS.get(name);
                        assertEquals(why[0], expected.strip(), name + ": crash no longer says so");
                        String other = Files.readString(REFS.resolve(why[1]));
                        expected = other.substring(other.indexOf('\n') + 1);
                    }
                    assertEquals(CrashText.layout(expected), CrashText.layout(Cmds.run(CorpusSession.context(), command)), command);
                }));
            }
        }
        assertTrue(tests.size() >= (System.getProperty("kdive.refs", "").isEmpty() ? 50 : 1), "references found: " + tests.size());
        return tests.stream();
    }

    /**
     * kmem_freepage.txt: for ff2283988a000000 (pfn a000) crash 8.0.6 shows only the page, yet its
     * own `kmem -F` lists that page, ffde691180280000, as the first of a 4 MiB block in DMA32's
     * order-10 list ff228398beebda80, and `kmem -f ffde691180280040` (kmem_-f_block.txt) finds the
     * same block for the block's 2nd page. crash's free-list callback counts the page right after
     * a block as inside it (first + 2^order pages, inclusive): the block at pfn 9c00, listed just
     * before, "holds" a000, crash stops there, finds a000 outside that block and says nothing.
     * kdive shows the block (crash's -f layout, its zone line from kmem_-f.txt), then crash's text.
     */
    @Test
    void freePageCrashMisses() throws IOException {
        String ref = Files.readString(REFS.resolve("kmem_freepage.txt"));
        String crashText = ref.substring(ref.indexOf('\n') + 1);
        assertTrue(crashText.startsWith("      PAGE "), "crash now shows more than the page: " + crashText);
        List<String> verbose = Files.readAllLines(REFS.resolve("kmem_-F.txt"));
        int area = verbose.indexOf(" 10    4096k  ff228398beebda80  ");
        int block = verbose.indexOf("ffde691180280000");
        assertTrue(area > 0 && block > area && verbose.subList(area, block).stream().noneMatch(l -> l.startsWith("AREA")),
                "crash's kmem -F lists ffde691180280000 in the order-10 list ff228398beebda80");
        assertEquals("ffde691180270000", verbose.get(block - 1), "the block before it ends where it starts");
        List<String> f = Files.readAllLines(REFS.resolve("kmem_-f.txt"));
        String dma32 = f.stream().filter(l -> l.startsWith("  1   DMA32 ")).findFirst().orElseThrow();
        String expected = f.get(1) + "\n" + dma32 + "\nAREA    SIZE  FREE_AREA_STRUCT\n" + verbose.get(area) + "\n"
                + "ffde691180280000  (ff2283988a000000 is 1st of 1024 pages)\n\n" + crashText;
        assertEquals(CrashText.layout(expected), CrashText.layout(Cmds.run(CorpusSession.context(), ref.substring(7, ref.indexOf('\n')))));
        // kmem -f says the same, where crash 8.0.6 prints nothing
        assertTrue(Cmds.run(CorpusSession.context(), "kmem -f a000000").contains("(a000000 is 1st of 1024 pages)"));
    }

    /**
     * list_-r_-O.txt: with -r and -O, crash 8.0.6 starts from the head's next pointer (it reads
     * the word at -O whatever the direction), then follows prev pointers: the first task's prev is
     * the head, so it prints the first task alone. kdive starts from the head's prev and walks the
     * whole list backwards: crash's own forward walk (list_-O_-h.txt), reversed.
     */
    @Test
    void reverseFromHeadOffset() throws IOException {
        String ref = Files.readString(REFS.resolve("list_-r_-O.txt"));
        List<String> crashText = ref.substring(ref.indexOf('\n') + 1).lines().toList();
        List<String> forward = Files.readAllLines(REFS.resolve("list_-O_-h.txt")).stream().skip(1).filter(l -> !l.startsWith(" ")).toList();
        assertEquals(List.of(forward.get(0)), crashText, "crash now walks more than the first task");
        List<String> backward = new ArrayList<>(forward);
        java.util.Collections.reverse(backward);
        assertTrue(backward.size() > 50, "tasks: " + backward.size());
        assertEquals(String.join("\n", backward), Cmds.run(CorpusSession.context(), ref.substring(7, ref.indexOf('\n'))).strip());
    }

    /** set -a marks a task as the one running on its CPU: ps shows it with '>', until set -a gives the CPU back. */
    @Test
    void markActiveAndBack() throws IOException {
        String ref = Files.readString(REFS.resolve("set_-a.txt"));
        try {
            assertEquals(CrashText.layout(ref.substring(ref.indexOf('\n') + 1)), CrashText.layout(Cmds.run(CorpusSession.context(), "set -a 1")));
            String ps = CorpusSession.run(new PsCommand(), "1");
            assertTrue(ps.contains(">       1       0   0  ff228398811f4180"), ps);
            assertFalse(CorpusSession.run(new PsCommand(), "-A").contains("swapper/0"));
        } finally {
            CorpusSession.run(new SetCommand(), "-a", "ffffffffbe41aa40");
        }
        assertTrue(CorpusSession.run(new PsCommand(), "-A").contains(">       0       0   0  ffffffffbe41aa40"));
        assertTrue(Cmds.run(CorpusSession.context(), "set -a 0").startsWith("set: pid 0 has 2 tasks: use a task address"));
    }

    /**
     * vqbug's exit function has two symbols at one address: the global alias cleanup_module that
     * module_exit() makes, and vqb_exit itself. crash 8.0.6 names the alias; kdive names the function,
     * as the kernel's own module kallsyms lookup does (the console names a module's init function
     * panicker_init, never init_module), so bt, autopsy and struct output agree. Everything else is crash's.
     */
    @Test
    void moduleExitNamedAsTheKernelNamesIt() throws IOException {
        CorpusSession.loadVqbug(new org.kdive.cmd.symbols.ModCommand());
        String ref = Files.readString(REFS.resolve("list_-S_many.txt"));
        String command = ref.substring("crash> ".length(), ref.indexOf('\n'));
        String expected = ref.substring(ref.indexOf('\n') + 1);
        assertTrue(expected.contains(" <cleanup_module>\n"), "crash no longer names the alias: " + expected);
        assertEquals(CrashText.layout(expected.replace(" <cleanup_module>\n", " <vqb_exit>\n")),
                CrashText.layout(Cmds.run(CorpusSession.context(), command)), command);
    }

    @Test
    void jsonCarriesTypedFields() {
        Map<?, ?> t = (Map<?, ?>) ((List<?>) ((Map<?, ?>) CorpusSession.result(new PsCommand(), "-t", "102").data()).get("tasks")).get(0);
        assertEquals(102, t.get("pid"));
        assertEquals(3277536882L, t.get("start_time_ns"));
        Map<?, ?> r = (Map<?, ?>) ((List<?>) ((Map<?, ?>) CorpusSession.result(new PsCommand(), "-r", "102").data()).get("tasks")).get(0);
        Map<?, ?> stack = (Map<?, ?>) ((List<?>) r.get("rlimits")).get(3);
        assertEquals("STACK", stack.get("name"));
        assertEquals(8388608L, stack.get("current"));
        assertEquals(null, stack.get("maximum"));
        Map<?, ?> taint = (Map<?, ?>) CorpusSession.result(new SysCommand(), "-t").data();
        assertEquals(0x3000L, taint.get("tainted_mask"));
        assertEquals("OE", taint.get("letters"));
        Map<?, ?> hs = (Map<?, ?>) ((List<?>) ((Map<?, ?>) CorpusSession.result(new KmemCommand(), "-h").data()).get("hstates")).get(1);
        assertEquals(2L << 20, hs.get("size_bytes"));
        // runq -g (runq_-g.txt): CPU 1's root CFS queue holds the running kworker, marked current
        Map<?, ?> g1 = (Map<?, ?>) ((List<?>) ((Map<?, ?>) CorpusSession.result(new RunqCommand(), "-g").data()).get("cpus")).get(1);
        assertEquals(1, g1.get("cpu"));
        assertEquals("0xff228398beb31a00", g1.get("cfs_rq"));
        Map<?, ?> running = (Map<?, ?>) ((List<?>) g1.get("queued")).get(0);
        assertEquals(100, running.get("prio"));
        assertEquals(41, running.get("pid"));
        assertEquals(Boolean.TRUE, running.get("current"));
        assertFalse(g1.containsKey("rt_rq"), "no CONFIG_RT_GROUP_SCHED on Debian: no RT queue by group");
        Result lag = CorpusSession.result(new RunqCommand(), "-T");
        assertTrue(((Map<?, ?>) ((List<?>) ((Map<?, ?>) lag.data()).get("cpus")).get(0)).get("lag_seconds") instanceof Double);
        Map<?, ?> page = (Map<?, ?>) ((List<?>) ((Map<?, ?>) new KmemCommand().execute(CorpusSession.context(true),
                List.of("-p", "1000")).data()).get("pages")).get(0);
        assertEquals("0xffde691180000040", page.get("page"));
        assertEquals(List.of("reserved"), page.get("flag_names"));
        // kmem -f / -f ADDRESS / -n: the figures of kmem_-f.txt, kmem_-f_block.txt and kmem_-n.txt, typed
        Map<?, ?> free = (Map<?, ?>) CorpusSession.result(new KmemCommand(), "-f").data();
        assertEquals(168576L, free.get("nr_free_pages"));
        assertEquals(Boolean.TRUE, free.get("verified"));
        Map<?, ?> dma32 = (Map<?, ?>) ((List<?>) free.get("zones")).get(1);
        assertEquals(164768L, dma32.get("free"));
        Map<?, ?> top = (Map<?, ?>) ((List<?>) dma32.get("free_lists")).get(10 * 5 + 1);
        assertEquals(155, top.get("blocks"));
        assertEquals(158720L, top.get("pages"));
        Map<?, ?> found = (Map<?, ?>) ((List<?>) ((Map<?, ?>) new KmemCommand().execute(CorpusSession.context(true),
                List.of("-f", "ffde691180280040")).data()).get("addresses")).get(0);
        assertEquals(Boolean.TRUE, found.get("free"));
        assertEquals(10, found.get("order"));
        assertEquals(1L, found.get("page_in_block"));
        assertEquals("0xffde691180280000", found.get("block"));
        Map<?, ?> nodes = (Map<?, ?>) CorpusSession.result(new KmemCommand(), "-n").data();
        assertEquals(8, ((List<?>) nodes.get("sections")).size());
        assertEquals(229376L, ((Map<?, ?>) ((List<?>) nodes.get("sections")).get(7)).get("pfn"));
        assertEquals(262102L, ((Map<?, ?>) ((List<?>) nodes.get("nodes")).get(0)).get("size"));
        assertEquals("ONLINE", ((Map<?, ?>) ((List<?>) nodes.get("memory_blocks")).get(0)).get("state"));
    }

    @Test
    void usageDocumentsTheOptions() {
        for (Command c : Cmds.all().values()) assertTrue(c.usage().startsWith(c.name() + " - "), c.usage());
        assertTrue(new PsCommand().usage().contains("-y policy"));
        assertTrue(new KmemCommand().usage().contains("-S=cpus"));
        for (String o : new String[] {"  -f ", "  -F ", "  -f addr ", "  -n "}) assertTrue(new KmemCommand().usage().contains(o), o);
        assertTrue(new RunqCommand().usage().contains("  -g "));
        for (Command c : List.of(new RunqCommand(), new org.kdive.cmd.kernel.commands.ListCommand(), new org.kdive.cmd.kernel.commands.TreeCommand())) {
            assertTrue(c.usage().contains("\nJSON: "), c.name());
        }
        assertTrue(new SysCommand().usage().contains("  -c [name|number]"));
    }
}
