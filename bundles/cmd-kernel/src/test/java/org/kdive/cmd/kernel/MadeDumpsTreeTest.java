package org.kdive.cmd.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.TestFactory;
import org.kdive.test.CrashText;
import org.kdive.test.MadeDump;
import org.kdive.test.MadeDumps;
import org.kdive.test.session.MadeSession;

/**
 * tree on the irq descriptors of every x86_64 made dump with crash references (issue 18): 5.10's
 * and 6.1's irq_desc_tree (a radix tree, which is an XArray since Linux 4.20) with -p and -s,
 * 6.12's sparse_irqs maple tree with -p, -s and -x, and the pid IDR's tree (init_pid_ns.idr, its
 * root found through -r), compared exactly with crash 8.0.6 run on the same dump in the same run
 * (dumps/crash-commands.txt, names 240-243). Where a kernel has no such tree (sparse_irqs before
 * 6.5, irq_desc_tree on 6.12) both refuse the start argument.
 */
class MadeDumpsTreeTest {
    static final List<String> NAMES = List.of("240-tree-irq-x", "241-tree-irq-m", "242-tree-irq-m-x", "243-tree-idr");

    @TestFactory
    Stream<DynamicContainer> everyGenerationMatchesCrash() {
        return MadeSession.everyDumpWithCrashRefs(NAMES, MadeDumpsTreeTest::compare);
    }

    private static void compare(MadeDumps.Entry e, String name) {
        MadeDump d = e.require();
        String command = MadeSession.crashCommand(d, name);
        String kdive = Cmds.run(MadeDumpsOptionsTest.context(d), command);
        assertEquals(CrashText.layout(d.crashRef(name)), CrashText.layout(kdive), d + " (" + d.release() + "): " + command);
    }
}
