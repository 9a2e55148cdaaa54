package org.kdive.cmd.symbols.modules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kdive.api.session.Session;
import org.kdive.cmd.symbols.ModCommand;
import org.kdive.test.Corpus;
import org.kdive.test.session.CorpusSession;

/**
 * A server's later session on the same dump files takes the module list and the modules' kallsyms
 * from the earlier one (they were 100-250 ms of every served run), and prints exactly the same;
 * a session on other files (the same capture in another format) reads its own.
 */
class KeptAcrossRunsTest {

    @Test
    void aLaterSessionOnTheSameFilesKeepsTheModulesAndPrintsTheSame() {
        Session first = CorpusSession.fresh(); // no module debuginfo loaded by an earlier test: as a new session has none
        List<KernelModules.Module> modules = KernelModules.list(first);
        assertTrue(modules.stream().anyMatch(m -> m.name().equals("vqbug")), "vqbug is loaded in the corpus dump");
        String mod = CorpusSession.run(new ModCommand());
        String sym = CorpusSession.run(new org.kdive.cmd.symbols.SymCommand(), "vqb_exit");

        Session other = CorpusSession.open(Corpus.file("vmcore.kdump-lzo"));
        assertNotSame(first, other);
        List<KernelModules.Module> otherModules = KernelModules.list(other);
        assertNotSame(modules, otherModules, "other files: read anew");
        assertEquals(modules, otherModules, "the same capture");

        Session again = CorpusSession.get();
        assertNotSame(first, again, "a new session on the first dump");
        assertSame(modules, KernelModules.list(again), "kept from the first session");
        assertEquals(mod, CorpusSession.run(new ModCommand()));
        assertEquals(sym, CorpusSession.run(new org.kdive.cmd.symbols.SymCommand(), "vqb_exit"));
    }
}
