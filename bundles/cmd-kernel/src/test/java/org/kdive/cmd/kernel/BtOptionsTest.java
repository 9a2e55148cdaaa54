package org.kdive.cmd.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kdive.cmd.kernel.commands.BtCommand;
import org.kdive.cmd.symbols.ModCommand;
import org.kdive.test.CrashText;
import org.kdive.test.session.CorpusSession;

/**
 * bt's options beyond the references OptionsCorpusTest compares one to one (refs/crash-8.0.6/bt_*):
 * -E where crash 8.0.6 gives up half way, -O's session-wide toggle, -R's filtering, and the JSON of
 * the search modes. On the corpus dump (Debian 12 6.1, panic in kworker/1:1H, pid 41).
 */
class BtOptionsTest {
    @BeforeAll
    static void modules() {
        CorpusSession.loadVqbug(new ModCommand());
    }

    /**
     * crash 8.0.6 is wrong here: it names IST stacks after the IDT handlers that use them, and this
     * cloud kernel has no machine-check handler (CONFIG_X86_MCE off), so the fourth stack of the
     * cpu_entry_area stays "(unknown)" with size 0, and crash stops with "bt: unrecognized stack
     * address for this task: fffffe0000014000" before CPU 0's MCE stack and all of CPU 1's.
     * kdive takes the stacks from struct cea_exception_stacks: everything crash printed before it gave
     * up is the same, line for line (the four stale NMI frames included); then the MCE stack, which
     * holds no frame, and CPU 1's four stacks follow.
     */
    @Test
    void exceptionStacksAsCrashUntilItGivesUp() throws IOException {
        String ref = Files.readString(Path.of("src/test/resources/refs/crash-8.0.6-partial/bt_-E.txt"));
        String crash = ref.substring(ref.indexOf('\n') + 1);
        int cut = crash.indexOf("CPU 0 (unknown) EXCEPTION STACK:");
        assertTrue(cut > 0 && crash.contains("bt: unrecognized stack address for this task: fffffe0000014000"), crash);
        String kdive = CorpusSession.run(new BtCommand(), "-E");
        assertEquals(CrashText.layout(crash.substring(0, cut)), CrashText.layout(kdive.substring(0, Math.min(cut, kdive.length()))));
        String rest = kdive.substring(cut);
        assertTrue(rest.startsWith("CPU 0 MCE EXCEPTION STACK:\n(none found)\n\n"), rest);
        for (String s : List.of("DOUBLEFAULT", "NMI", "DEBUG", "MCE")) assertTrue(rest.contains("CPU 1 " + s + " EXCEPTION STACK:\n"), rest);
        assertEquals(8, kdive.split("EXCEPTION STACK:", -1).length - 1, kdive);
        // -c limits the search to those CPUs' stacks
        String cpu1 = CorpusSession.run(new BtCommand(), "-E", "-c", "1");
        assertFalse(cpu1.contains("CPU 0 "), cpu1);
        assertTrue(cpu1.startsWith("CPU 1 IRQ STACK:\n"), cpu1);
    }

    /** -O makes -o the default for the session (crash: "use old bt method by default"), a second -O undoes it. */
    @Test
    void oldMethodToggle() {
        String old = CorpusSession.run(new BtCommand(), "-o");
        String plain = CorpusSession.run(new BtCommand());
        assertFalse(old.equals(plain));
        try {
            assertEquals("bt: use old bt method by default\n", CorpusSession.run(new BtCommand(), "-O"));
            assertEquals(old, CorpusSession.run(new BtCommand()));
        } finally {
            assertEquals("bt: use new bt method by default\n", CorpusSession.run(new BtCommand(), "-O"));
        }
        assertEquals(plain, CorpusSession.run(new BtCommand()));
    }

    /** -R keeps the backtraces that name the symbol (or hold the address): of the two CPUs' only the worker's. */
    @Test
    void referenceFilters() {
        String worker = CorpusSession.run(new BtCommand(), "-a", "-R", "worker_thread");
        assertTrue(worker.startsWith("PID: 41 "), worker);
        assertFalse(worker.contains("swapper"), worker);
        assertEquals("", CorpusSession.run(new BtCommand(), "-a", "-R", "no_such_function_here"));
        // an exception frame's registers count: R12 of the BUG's frame
        assertTrue(CorpusSession.run(new BtCommand(), "-R", "ff93e9283fd00d00").startsWith("PID: 41 "));
        // the NMI'd idle task references native_safe_halt only through its exception frame
        String idle = CorpusSession.run(new BtCommand(), "-a", "-R", "native_safe_halt");
        assertTrue(idle.startsWith("PID: 0 ") && !idle.contains("PID: 41"), idle);
    }

    @Test
    void searchModesCarryTypedJson() {
        Map<?, ?> e = (Map<?, ?>) ((List<?>) ((Map<?, ?>) CorpusSession.result(new BtCommand(), "-e", "102").data()).get("backtraces")).get(0);
        Map<?, ?> frame = (Map<?, ?>) ((List<?>) e.get("exception_frames")).get(0);
        assertEquals(false, frame.get("kernel_mode"));
        assertEquals("0xff61e928403f3f58", frame.get("frame"));
        assertEquals(0xe6L, ((Map<?, ?>) frame.get("registers")).get("orig_rax"));
        Map<?, ?> t = (Map<?, ?>) ((List<?>) ((Map<?, ?>) CorpusSession.result(new BtCommand(), "-t").data()).get("backtraces")).get(0);
        Map<?, ?> w = (Map<?, ?>) ((List<?>) t.get("text_symbols")).get(2);
        assertEquals("vqb_virtqueue_add", w.get("function"));
        assertEquals("vqbug", w.get("module"));
        assertEquals(77L, w.get("offset"));
        Map<?, ?> stacks = (Map<?, ?>) ((List<?>) ((Map<?, ?>) CorpusSession.result(new BtCommand(), "-E").data()).get("stacks")).get(3);
        assertEquals("NMI EXCEPTION", stacks.get("stack"));
        assertEquals(4, ((List<?>) stacks.get("exception_frames")).size());
    }

    @Test
    void badCombinations() {
        assertEquals("bt: -d and -x are mutually exclusive\n", Cmds.run(CorpusSession.context(), "bt -s -x -d"));
        assertEquals("bt: -a option cannot be used with the -g option\n", Cmds.run(CorpusSession.context(), "bt -a -g"));
        assertEquals("bt: -n option not supported on this architecture or kernel\n", Cmds.run(CorpusSession.context(), "bt -n busy"));
    }

    /**
     * foreach bt -l: the file:line of each frame's call site, as bt -l (and drgn) show them, where
     * crash 8.0.6 looks the return address up and so names the line after the call, often an inlined
     * helper's (schedule: preempt.h 85 instead of core.c 6638): BtCommandTest says why. Every other
     * line is crash's.
     */
    @Test
    void foreachBtLinesAreBtsLines() throws IOException {
        String ref = Files.readString(Path.of("src/test/resources/refs/crash-8.0.6-partial/foreach_bt_-l.txt"));
        String kdive = Cmds.run(CorpusSession.context(), "foreach 102 bt -l");
        assertEquals(CorpusSession.run(new BtCommand(), "-l", "102"), kdive);
        String noLines = "(?m)^    \\S+\\.[ch]: \\d+\\n";
        assertEquals(CrashText.layout(ref.substring(ref.indexOf('\n') + 1).replaceAll(noLines, "")), CrashText.layout(kdive.replaceAll(noLines, "")));
        assertTrue(kdive.contains("kernel/sched/core.c: 6638"), kdive);
    }
}
