package org.kdive.cmd.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.kdive.cmd.kernel.commands.LogCommand;
import org.kdive.test.Corpus;
import org.kdive.test.CrashText;
import org.kdive.test.session.CorpusSession;

class LogCommandTest {
    @Test
    void logMatchesCrash() {
        assertEquals(CrashText.layout(Corpus.crashRef("04-log")), CrashText.layout(CorpusSession.run(new LogCommand())));
    }

    @Test
    void logWithoutTimestampsMatchesDrgnText() {
        String out = CorpusSession.run(new LogCommand(), "-t");
        String drgn = Corpus.drgnRef("dmesg.txt").replaceAll("(?m)^\\[[ 0-9.]+\\] ", "");
        assertEquals(Corpus.normalize(drgn), Corpus.normalize(out));
    }

    @Test
    void humanTimesMatchCrash() {
        assertEquals(CrashText.layout(LocalRefs.crash("log_-T")), CrashText.layout(CorpusSession.run(new LogCommand(), "-T")));
    }

    @Test
    void levelsMatchCrash() {
        assertEquals(CrashText.layout(LocalRefs.crash("log_-m")), CrashText.layout(CorpusSession.run(new LogCommand(), "-m")));
    }
}
