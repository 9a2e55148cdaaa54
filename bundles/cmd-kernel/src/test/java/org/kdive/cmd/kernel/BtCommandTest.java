package org.kdive.cmd.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kdive.api.command.CommandException;
import org.kdive.cmd.kernel.commands.BtCommand;
import org.kdive.cmd.kernel.commands.ForeachCommand;
import org.kdive.cmd.symbols.ModCommand;
import org.kdive.test.Corpus;
import org.kdive.test.CrashText;
import org.kdive.test.session.CorpusSession;

/** References were made after `mod -s vqbug vqbug.ko.debug`; so are these. */
class BtCommandTest {
    @BeforeAll
    static void modules() {
        CorpusSession.loadVqbug(new ModCommand());
    }

    @Test
    void panicTaskMatchesCrash() {
        assertEquals(CrashText.layout(Corpus.crashRef("02-bt")), CrashText.layout(CorpusSession.run(new BtCommand())));
    }

    @Test
    void everyActiveTaskMatchesCrash() {
        assertEquals(CrashText.layout(Corpus.crashRef("03-bt-a")), CrashText.layout(CorpusSession.run(new BtCommand(), "-a")));
    }

    @Test
    void frameContentsMatchCrash() {
        assertEquals(CrashText.layout(Corpus.crashRef("24-bt-f")), CrashText.layout(CorpusSession.run(new BtCommand(), "-f")));
    }

    /**
     * File:line of the call site (return address - 1), as drgn and newer crash show them; crash 8.0.2
     * looked up the return address itself and so names the line after the call.
     */
    @Test
    void lineNumbersAreThoseOfTheCallSitesAsDrgnShows() {
        String out = CorpusSession.run(new BtCommand(), "-l");
        String[] l = out.split("\n");
        java.util.Map<String, String> want = new java.util.LinkedHashMap<>();
        want.put("process_one_work", "kernel/workqueue.c: 2292");
        want.put("worker_thread", "kernel/workqueue.c: 2439");
        want.put("kthread", "kernel/kthread.c: 376");
        want.put("ret_from_fork", "arch/x86/entry/entry_64.S: 295");
        for (var e : want.entrySet()) {
            int i = 0;
            while (i < l.length && !l[i].contains("] " + e.getKey() + " at ")) i++;
            assertTrue(i + 1 < l.length && l[i + 1].endsWith(e.getValue()), e + "\n" + out);
        }
        assertTrue(out.contains("ORIG_RAX: ffffffffffffffff  CS: 0010  SS: 0018\n    /usr/src/vqbug-1.0/vqbug.c: 63\n"), out);
    }

    /**
     * swapper/1 is not active: it starts from its saved switch frame. crash 8.0.6 (since 8.0.3's
     * "bt on kernels with random_kstack_offset=on") shows frame #0 at the slot holding the return
     * address into __schedule, thread.sp + offsetof(inactive_task_frame, ret_addr) (0x30 on 6.x), like
     * every other frame; crash 8.0.2 showed thread.sp itself. kdive follows 8.0.6 (the made dumps'
     * MadeDumpsBtForeachTest checks it on 5.10, 6.1 and 6.12); only that address differs from 8.0.2.
     */
    @Test
    void blockedTaskMatchesCrash() {
        String kdive = CorpusSession.run(new BtCommand(), "ff2283988125c180");
        String ref = Corpus.read(java.nio.file.Path.of("src/test/resources/refs/crash-8.0.6/foreach_RU_bt.txt"));
        int from = ref.indexOf("PID: 0        TASK: ff2283988125c180");
        String swapper1 = ref.substring(from, ref.indexOf("\nPID: 41", from));
        assertEquals(CrashText.layout(swapper1), CrashText.layout(kdive));

        String old = LocalRefs.crash("foreach_bt");
        int at = old.indexOf("PID: 0        TASK: ff2283988125c180");
        String swapper1Old = old.substring(at, old.indexOf("\nPID: 41", at));
        assertTrue(swapper1Old.contains(" #0 [ff61e9284009be50] __schedule at "), swapper1Old);
        assertEquals(CrashText.layout(swapper1Old.replace(" #0 [ff61e9284009be50]", " #0 [ff61e9284009be80]")), CrashText.layout(kdive));
    }

    /** The console's call trace and drgn's stack end in the same functions. */
    @Test
    void panicTraceEndsLikeTheConsoleAndDrgn() {
        String out = CorpusSession.run(new BtCommand());
        List<String> functions = new ArrayList<>();
        for (String l : out.split("\n")) {
            if (l.matches("\\s*#\\d+ .*")) functions.add(l.trim().split(" +")[2]);
        }
        List<String> tail = functions.subList(functions.size() - 4, functions.size());
        assertEquals(List.of("process_one_work", "worker_thread", "kthread", "ret_from_fork"), tail);
        String console = Corpus.read(Corpus.file("console.log"));
        for (String f : tail) assertTrue(console.contains(" " + f + "+0x"), f);
        String drgn = Corpus.drgnRef("bt.txt");
        for (String f : tail) assertTrue(drgn.contains(" " + f), f);
        assertTrue(out.contains("[exception RIP: vqb_virtqueue_add+77]"), out);
    }

    @Test
    void everyTaskHasATraceOrASayWhyAndForeachGoesOn() {
        String out = CorpusSession.run(new ForeachCommand(), "bt");
        int headers = 0;
        for (String l : out.split("\n")) {
            if (l.startsWith("PID: ")) headers++;
        }
        assertEquals(56, headers);
        for (String block : out.split("\n\n")) {
            assertTrue(block.contains(" #0 [") || block.contains("(cannot show the backtrace: "), block);
        }
    }

    @Test
    void badTaskIsAClearError() {
        CommandException e = assertThrows(CommandException.class, () -> CorpusSession.run(new BtCommand(), "4242"));
        assertEquals("invalid task or pid value: 4242", e.getMessage());
    }
}
