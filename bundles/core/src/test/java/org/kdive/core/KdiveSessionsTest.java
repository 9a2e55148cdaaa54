package org.kdive.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kdive.api.KdiveException;
import org.kdive.api.command.CommandException;
import org.kdive.api.session.OpenRequest;
import org.kdive.test.Corpus;

/**
 * What a user sees when a session cannot open, from core alone (the format bundles' tests open real
 * sessions through it): each message names the file and the reason.
 */
class KdiveSessionsTest {
    private static KdiveSessions bare() {
        return new KdiveSessions(List.of(), List.of(), List.of(), List.of());
    }

    @Test
    void noFormatInstalled() {
        Path dump = Corpus.file("vmcore.kdump-zlib");
        KdiveException e = assertThrows(KdiveException.class, () -> bare().openDumpOnly(List.of(dump)));
        assertEquals(dump + ": not a dump format kdive knows (tried: no format bundles installed)", e.getMessage());
        assertTrue(bare().current().isEmpty(), "nothing half-open");
    }

    @Test
    void missingFilesAndNoDump() {
        Path missing = Corpus.dir().resolve("vmcore.no-such-file");
        KdiveException e = assertThrows(KdiveException.class, () -> bare().openDumpOnly(List.of(missing)));
        assertEquals(missing + ": no such file", e.getMessage());
        e = assertThrows(KdiveException.class, () -> bare().openDumpOnly(List.of(Corpus.dir())));
        assertEquals(Corpus.dir() + ": no such file", e.getMessage(), "a directory is no dump");
        CommandException c = assertThrows(CommandException.class, () -> bare().open(new OpenRequest(List.of(), null, false)));
        assertEquals("no dump file given", c.getMessage());
        c = assertThrows(CommandException.class, () -> bare().require());
        assertEquals("no dump is open: start kdive with a dump, or run: open DUMP [VMLINUX]", c.getMessage());
    }
}
