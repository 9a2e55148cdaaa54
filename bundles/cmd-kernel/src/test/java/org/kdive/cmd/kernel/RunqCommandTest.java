package org.kdive.cmd.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.cmd.kernel.access.Kernel;
import org.kdive.cmd.kernel.access.RbTree;
import org.kdive.cmd.kernel.commands.RunqCommand;
import org.kdive.test.Corpus;
import org.kdive.test.CrashText;
import org.kdive.test.session.CorpusSession;

/**
 * runq against crash 8.0.2 on the corpus. Both CPUs have empty queues in this dump (CPU 0 idle,
 * CPU 1 running the panicking kworker, which is the rq's curr and so off the CFS tree); the
 * structure walked to find that (rt.active queues, cfs.tasks_timeline) is the same as with tasks.
 */
class RunqCommandTest {
    @Test
    void runqMatchesCrash() {
        assertEquals(CrashText.layout(LocalRefs.crash("runq")), CrashText.layout(CorpusSession.run(new RunqCommand())));
    }

    @Test
    void oneCpuMatchesCrash() {
        assertEquals(CrashText.layout(LocalRefs.crash("runq_-c_1")), CrashText.layout(CorpusSession.run(new RunqCommand(), "-c", "1")));
        assertEquals(CrashText.layout(LocalRefs.crash("runq")), CrashText.layout(CorpusSession.run(new RunqCommand(), "-c", "0-1")));
    }

    @Test
    void timestampsMatchCrash() {
        assertEquals(CrashText.layout(LocalRefs.crash("runq_-t")), CrashText.layout(CorpusSession.run(new RunqCommand(), "-t")));
    }

    @Test
    void rbTreeWalkIsInOrderLikeDrgn() {
        // the run queues here are empty, so the CFS tree walker is checked on a tree that is not:
        // vmap_area_root (101 nodes), against drgn's rbtree_inorder_for_each
        Kernel k = Kernel.of(CorpusSession.get());
        RbTree t = RbTree.walk(k, k.u64(k.requireSymbol("vmap_area_root")));
        List<String> want = Corpus.read(Path.of("src/test/resources/refs/drgn-vmap_area_root-inorder.txt")).lines()
                .filter(l -> !l.startsWith("#")).toList();
        assertEquals(want, t.nodes().stream().map(Long::toHexString).toList());
        assertEquals(null, t.problem());
    }

    @Test
    void badCpuIsRefusedAsCrashDoes() {
        CommandException e = assertThrows(CommandException.class, () -> CorpusSession.run(new RunqCommand(), "-c", "2"));
        assertEquals("invalid cpu specification: 2", e.getMessage()); // the shell prefixes "runq: "
        assertThrows(CommandException.class, () -> CorpusSession.run(new RunqCommand(), "-c", "x"));
    }

    @Test
    void dataNamesTheQueuesAndTheCurrentTask() {
        Result r = new RunqCommand().execute(CorpusSession.context(), List.of());
        List<?> cpus = (List<?>) ((Map<?, ?>) r.data()).get("cpus");
        assertEquals(2, cpus.size());
        Map<?, ?> cpu1 = (Map<?, ?>) cpus.get(1);
        assertEquals("0xff228398beb31980", cpu1.get("runqueue"));
        assertEquals(41, ((Map<?, ?>) cpu1.get("current")).get("pid"));
        assertEquals(List.of(), cpu1.get("cfs"));
        assertTrue(((String) cpu1.get("cfs_rb_root")).endsWith("a30"));
    }
}
