package org.kdive.cmd.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.kdive.cmd.kernel.commands.LogCommand;
import org.kdive.test.Corpus;
import org.kdive.test.session.CorpusSession;

class LogCommandTest {
    @Test
    void logMatchesCrash() {
        assertEquals(Corpus.normalize(Corpus.crashRef("04-log")), Corpus.normalize(CorpusSession.run(new LogCommand())));
    }

    @Test
    void logWithoutTimestampsMatchesDrgnText() {
        String out = CorpusSession.run(new LogCommand(), "-t");
        String drgn = Corpus.drgnRef("dmesg.txt").replaceAll("(?m)^\\[[ 0-9.]+\\] ", "");
        assertEquals(Corpus.normalize(drgn), Corpus.normalize(out));
    }

    @Test
    void humanTimesMatchCrash() {
        assertEquals(Corpus.normalize(LocalRefs.crash("log_-T")), Corpus.normalize(CorpusSession.run(new LogCommand(), "-T")));
    }

    @Test
    void levelsMatchCrash() {
        assertEquals(Corpus.normalize(LocalRefs.crash("log_-m")), Corpus.normalize(CorpusSession.run(new LogCommand(), "-m")));
    }
}
