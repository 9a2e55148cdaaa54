package org.kdive.cmd.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kdive.api.command.CommandException;
import org.kdive.cmd.kernel.commands.MountCommand;
import org.kdive.test.Corpus;
import org.kdive.test.CrashText;
import org.kdive.test.session.CorpusSession;

/**
 * mount against crash 8.0.2. crash cannot resolve tasks by pid on this kernel ("mount: invalid
 * task or pid value: 102"), so for -n the truth is drgn 0.0.22 (for_each_mount, mount_dst), laid
 * out in crash's columns by refs/drgn-mount.py.
 */
class MountCommandTest {
    @Test
    void mountTableMatchesCrash() {
        assertEquals(CrashText.layout(LocalRefs.crash("mount")), CrashText.layout(CorpusSession.run(new MountCommand())));
    }

    @Test
    void columnsArePaddedExactlyLikeCrash() {
        // the TYPE+DEVNAME pair keeps one blank and at least 17 characters; DIRNAME is padded to 10
        String out = CorpusSession.run(new MountCommand());
        assertTrue(out.contains("\nff22839881340c80 ff2283988104e000 devtmpfs devtmpfs /dev      \n"), out);
        assertTrue(out.contains("\nff228398a8a17b40 ff2283988104f000 debugfs none     /sys/kernel/debug\n"), out);
    }

    @Test
    void namespaceOfAnotherTaskMatchesDrgn() {
        String want = Corpus.normalize(Corpus.read(Path.of("src/test/resources/refs/drgn-mount_-n_102.txt")));
        assertEquals(want, Corpus.normalize(CorpusSession.run(new MountCommand(), "-n", "102")));
        assertEquals(want, Corpus.normalize(CorpusSession.run(new MountCommand(), "-n", "ff22839882514180")));
    }

    @Test
    void argumentsSelectRowsLikeCrash() {
        String out = CorpusSession.run(new MountCommand(), "/sys", "0xff2283988104e000", "proc");
        assertEquals("     MOUNT           SUPERBLK     TYPE   DEVNAME   DIRNAME\n"
                + "ff22839881340500 ff228398a8b88800 sysfs  sysfs     /sys      \n"
                + "ff22839881340c80 ff2283988104e000 devtmpfs devtmpfs /dev      \n"
                + "ff22839881340000 ff228398a8b8c000 proc   proc      /proc     \n", out);
        assertEquals("", CorpusSession.run(new MountCommand(), "/nowhere"));
    }

    @Test
    void jsonListsTheMounts() {
        Map<?, ?> data = (Map<?, ?>) CorpusSession.result(new MountCommand()).data();
        List<?> mounts = (List<?>) data.get("mounts");
        assertEquals(5, mounts.size());
        Map<?, ?> debugfs = (Map<?, ?>) mounts.get(4);
        assertEquals("0xff228398a8a17b40", debugfs.get("mount"));
        assertEquals("0xff2283988104f000", debugfs.get("superblock"));
        assertEquals("debugfs", debugfs.get("type"));
        assertEquals("none", debugfs.get("devname"));
        assertEquals("/sys/kernel/debug", debugfs.get("dirname"));
    }

    @Test
    void badArgumentsAreRefusedLikeCrash() {
        CommandException e = assertThrows(CommandException.class, () -> CorpusSession.run(new MountCommand(), "-n", "4242"));
        assertEquals("mount: invalid task or pid value: 4242", e.getMessage());
        e = assertThrows(CommandException.class, () -> CorpusSession.run(new MountCommand(), "-f"));
        // crash prints two lines; kdive's shell puts "mount: " before the first
        assertEquals("the super_block.s_files linked list does not exist in this kernel\n"
                + "mount: -f option not supported or applicable on this architecture or kernel", e.getMessage());
        e = assertThrows(CommandException.class, () -> CorpusSession.run(new MountCommand(), "-i"));
        assertEquals("the super_block.s_dirty linked list does not exist in this kernel\n"
                + "mount: -i option not supported or applicable on this architecture or kernel", e.getMessage());
    }

    @Test
    void usageNamesTheOptions() {
        String u = new MountCommand().usage();
        assertTrue(u.startsWith("mount - mounted filesystem data\nmount [-f] [-i] [-n pid|task]"), u);
    }
}
