package org.kdive.cmd.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.cmd.kernel.commands.FilesCommand;
import org.kdive.cmd.kernel.commands.ForeachCommand;
import org.kdive.core.BasicCommandContext;
import org.kdive.test.Corpus;
import org.kdive.test.CrashText;
import org.kdive.test.session.CorpusSession;

/**
 * files against the references. crash 8.0.2 cannot find PID 1 or 102 on this kernel (its PID-hash
 * walk fails: "files: invalid task or pid value: 1"), so for tasks with open files the truth is
 * drgn 0.0.22 (for_each_file, d_path), laid out in crash's columns by refs/drgn-files.py.
 */
class FilesCommandTest {
    private static String drgn(String name) {
        return Corpus.read(Path.of("src/test/resources/refs/drgn-" + name + ".txt"));
    }

    @Test
    void panicTaskHasNoOpenFilesAsCrashSays() {
        assertEquals(CrashText.layout(LocalRefs.crash("files")), CrashText.layout(CorpusSession.run(new FilesCommand())));
    }

    @Test
    void initsFilesMatchDrgn() {
        assertEquals(Corpus.normalize(drgn("files_1")), Corpus.normalize(CorpusSession.run(new FilesCommand(), "1")));
    }

    @Test
    void devtmpfsFileGetsItsMountpointPath() {
        // fd 0 of sleep is /dev/null on the devtmpfs mounted at /dev of the rootfs
        assertEquals(Corpus.normalize(drgn("files_102")), Corpus.normalize(CorpusSession.run(new FilesCommand(), "ff22839882514180")));
    }

    @Test
    void severalTasksAreSeparatedLikeCrash() {
        String out = CorpusSession.run(new FilesCommand(), "1", "102");
        assertTrue(out.contains(" 11 ff22839882495e00 ff22839881415cc0 ff228398811d1910 CHR  /dev/console\n\n\nPID: 102 "), out);
        assertTrue(out.endsWith("  2 ff22839882495e00 ff22839881415cc0 ff228398811d1910 CHR  /dev/console\n\n"), out);
    }

    @Test
    void foreachFilesMatchesCrashOnTheTasksCrashKnows() {
        // crash's foreach sees only the idle tasks and the panic task on this kernel (PID hash)
        assertEquals(CrashText.layout(LocalRefs.crash("foreach_files")),
                CrashText.layout(CorpusSession.run(new ForeachCommand(), "0", "41", "files")));
    }

    @Test
    void dentryOptionNamesTheDentry() {
        // crash 8.0.6's output is refs/crash-8.0.6/files_-d_console.txt (OptionsCorpusTest); here the typed fields
        java.util.Map<?, ?> d = (java.util.Map<?, ?>) CorpusSession.result(new FilesCommand(), "-d", "ff22839881415cc0").data();
        assertEquals("CHR", d.get("type"));
        assertEquals("/dev/console", d.get("path"));
    }

    @Test
    void badPidWarnsLikeCrashAndGoesOn() {
        List<String> warnings = new java.util.ArrayList<>();
        CommandContext recording = new BasicCommandContext(CorpusSession.context().sessions()) {
            @Override
            public void warn(String message) {
                warnings.add(message);
            }
        };
        Result r = new FilesCommand().execute(recording, List.of("4242", "102"));
        assertEquals(List.of("files: invalid task or pid value: 4242"), warnings);
        assertTrue(r.text().startsWith("\nPID: 102 "), r.text());
        Map<?, ?> task = (Map<?, ?>) ((List<?>) ((Map<?, ?>) r.data()).get("tasks")).get(0);
        Map<?, ?> fd0 = (Map<?, ?>) ((List<?>) task.get("files")).get(0);
        assertEquals("/dev/null", fd0.get("path"));
        assertEquals("CHR", fd0.get("type"));
        assertEquals("0xff22839881393ac0", fd0.get("inode"));
    }
}
