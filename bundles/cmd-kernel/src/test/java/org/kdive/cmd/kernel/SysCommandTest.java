package org.kdive.cmd.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.kdive.cmd.kernel.commands.SysCommand;
import org.kdive.test.Corpus;
import org.kdive.test.CrashText;
import org.kdive.test.session.CorpusSession;

class SysCommandTest {
    /**
     * Matches crash except TASKS: crash 8.0.2 cannot walk this kernel's PID table and says 3;
     * the real count is drgn's 54 tasks plus the two per-CPU idle tasks (crash counts those too).
     */
    @Test
    void sysMatchesCrashWithTheRealTaskCount() {
        String out = CorpusSession.run(new SysCommand()).replace(Corpus.dir() + "/", "");
        int drgnTasks = Corpus.drgnRef("ps.txt").strip().split("\n").length - 1;
        assertEquals(54, drgnTasks);
        String expected = Corpus.crashRef("01-sys-nomods").replace("TASKS: 3", "TASKS: " + (drgnTasks + 2));
        assertEquals(CrashText.layout(expected), CrashText.layout(out));
    }
}
