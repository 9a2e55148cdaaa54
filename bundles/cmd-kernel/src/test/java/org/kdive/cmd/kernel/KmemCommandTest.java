package org.kdive.cmd.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.kdive.cmd.kernel.commands.KmemCommand;
import org.kdive.test.Corpus;
import org.kdive.test.CrashText;
import org.kdive.test.session.CorpusSession;

class KmemCommandTest {
    /**
     * Matches crash 8.0.2 except SLAB: 8.0.2 does not know the 5.9+ NR_SLAB_*_B counters and counts
     * PG_slab head pages instead (2341). The kernel's own figure (/proc/meminfo "Slab", and newer
     * crash) is vm_node_stat[NR_SLAB_RECLAIMABLE_B] + [NR_SLAB_UNRECLAIMABLE_B] = 2356 + 1848 (checked with drgn).
     */
    @Test
    void kmemInfoMatchesCrashWithTheKernelsSlabCount() {
        String expected = Corpus.crashRef("16-kmem-i")
                .replace("SLAB     2341       9.1 MB    1% of TOTAL MEM", "SLAB     4204      16.4 MB    2% of TOTAL MEM");
        assertEquals(CrashText.layout(expected), CrashText.layout(CorpusSession.run(new KmemCommand(), "-i")));
    }
}
