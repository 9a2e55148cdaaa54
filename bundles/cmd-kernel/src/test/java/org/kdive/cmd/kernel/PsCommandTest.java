package org.kdive.cmd.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kdive.api.command.CommandException;
import org.kdive.cmd.kernel.commands.PsCommand;
import org.kdive.test.Corpus;
import org.kdive.test.CrashText;
import org.kdive.test.session.CorpusSession;

class PsCommandTest {
    /** crash's short state for drgn's letter. */
    private static final Map<String, String> STATE = Map.of("R", "RU", "S", "IN", "D", "UN", "I", "ID");

    @Test
    void psListsEveryTaskAsDrgnSeesThemPlusTheIdleTasks() {
        String out = CorpusSession.run(new PsCommand());
        String[] lines = out.split("\n");
        String crash = Corpus.crashRef("23-ps");
        assertEquals(crash.split("\n")[0].stripTrailing(), lines[0].stripTrailing(), "crash's header, column for column");
        // crash 8.0.2's own lines for the idle tasks and the panic task are right, as it aligns them
        List<String> ours = java.util.Arrays.stream(lines).map(String::stripTrailing).toList();
        for (String l : crash.split("\n")) {
            if (l.contains("swapper") || l.contains("kworker/1:1H")) {
                String want = l.replace("      41      -1", "      41       2").stripTrailing();
                assertTrue(ours.contains(want), want + "\n" + out);
            }
        }
        List<String> got = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String[] f = Corpus.normalize(lines[i].replace(">", "")).split(" ");
            if (f[0].equals("0")) continue; // idle tasks: not in drgn's list
            String comm = f[8].startsWith("[") ? f[8].substring(1, f[8].length() - 1) : f[8];
            got.add(String.join(" ", f[0], f[1], f[2], f[3], f[4], comm));
        }
        List<String> want = new ArrayList<>();
        String[] drgn = Corpus.drgnRef("ps.txt").strip().split("\n");
        for (int i = 1; i < drgn.length; i++) {
            String[] f = drgn[i].split(" ");
            // drgn gives CPU -1 … no: it reports task_cpu(); the panic task's state letter maps like the others
            want.add(String.join(" ", f[0], f[1], f[2], f[3], STATE.getOrDefault(f[4], f[4]), f[5]));
        }
        assertEquals(String.join("\n", want), String.join("\n", got));
    }

    /**
     * crash 8.0.6 walks this kernel's task list (8.0.2 could not): its whole `ps`, every column and
     * its alignment, including the user tasks' %MEM, VSZ and RSS.
     */
    @Test
    void psIsCrash806sExactly() {
        String ref = Corpus.read(Corpus.file("refs/crash-8.0.6/23-ps.txt"));
        assertTrue(ref.startsWith("crash> ps\n"), ref);
        assertEquals(ref.substring(ref.indexOf('\n') + 1).stripTrailing(), CorpusSession.run(new PsCommand()).stripTrailing());
    }

    /** ps PID / ps COMM, against crash 8.0.6 (refs/crash-8.0.6/ps_41.txt, ps_1_102.txt, ps_kthreadd_sleep.txt). */
    @Test
    void psByPidAndByCommand() {
        assertEquals(ref("ps_41"), CrashText.layout(CorpusSession.run(new PsCommand(), "41")));
        assertEquals(ref("ps_1_102"), CrashText.layout(CorpusSession.run(new PsCommand(), "1", "102")));
        assertEquals(ref("ps_kthreadd_sleep"), CrashText.layout(CorpusSession.run(new PsCommand(), "kthreadd", "sleep")));
    }

    /** ps -p / ps -c, against crash 8.0.6 (ps_-p_102.txt, ps_-p_41.txt, ps_-c_1.txt, ps_-c_2.txt). */
    @Test
    void parentsAndChildren() {
        assertEquals(ref("ps_-p_102"), CrashText.layout(CorpusSession.run(new PsCommand(), "-p", "102")));
        assertEquals(ref("ps_-p_41"), CrashText.layout(CorpusSession.run(new PsCommand(), "-p", "41")));
        assertEquals(ref("ps_-c_1"), CrashText.layout(CorpusSession.run(new PsCommand(), "-c", "1")));
        assertEquals(ref("ps_-c_2"), CrashText.layout(CorpusSession.run(new PsCommand(), "-c", "2")));
    }

    /** A crash 8.0.6 reference of src/test/resources/refs/crash-8.0.6 without its "crash> CMD" line. */
    private static String ref(String name) {
        String r = Corpus.read(java.nio.file.Path.of("src/test/resources/refs/crash-8.0.6/" + name + ".txt"));
        return CrashText.layout(r.substring(r.indexOf('\n') + 1));
    }

    @Test
    void unknownPidIsAClearError() {
        String out = CorpusSession.run(new PsCommand(), "99999");
        assertEquals(1, out.split("\n").length, out);
        assertThrows(CommandException.class, () -> CorpusSession.run(new PsCommand(), "-k", "-u"));
    }
}
