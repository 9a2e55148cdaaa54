package org.kdive.cmd.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kdive.api.session.Symbols;
import org.kdive.api.symbols.SourceLine;
import org.kdive.cmd.kernel.commands.BtCommand;
import org.kdive.cmd.symbols.ModCommand;
import org.kdive.test.CrashText;
import org.kdive.test.session.CorpusSession;

/**
 * crash 8.0.2's `bt -a -f` and `bt -l` on the corpus, made after `mod -s vqbug vqbug.ko.debug`
 * (src/test/resources/refs/crash-bt_-a_-f.txt, crash-bt_-l.txt), used whole.
 */
class BtCrashReferencesTest {
    private static final Pattern FRAME = Pattern.compile("^ ?#\\d+ \\[[0-9a-f]+\\] \\S+ at ([0-9a-f]{16})$");
    private static final Pattern SOURCE = Pattern.compile("^    \\S+: \\d+$");

    @BeforeAll
    static void modules() {
        CorpusSession.loadVqbug(new ModCommand());
    }

    @Test
    void everyActiveTaskWithFrameContentsMatchesCrash() {
        assertEquals(CrashText.layout(LocalRefs.crash("bt_-a_-f")), CrashText.layout(CorpusSession.run(new BtCommand(), "-a", "-f")));
    }

    /**
     * Everything but the source lines is crash's. crash (8.0.2, and 8.0.6 alike) names the line of each
     * frame's return address, which is the line after the call; kdive names the call's own line, the
     * return address - 1, as drgn does (BtCommandTest). So each of crash's lines is the line table's
     * for the frame's address and each of kdive's the line table's for the address - 1. Under the
     * exception frame kdive names the line of the exception RIP (vqbug.c: 63), as crash 8.0.6 does and
     * 8.0.2 did not.
     */
    @Test
    void lineNumbersDifferFromCrashOnlyByTheCallSiteRule() {
        List<String> crash = lines(LocalRefs.crash("bt_-l"));
        List<String> kdive = lines(CorpusSession.run(new BtCommand(), "-l"));
        int rip = kdive.indexOf("    ORIG_RAX: ffffffffffffffff  CS: 0010  SS: 0018") + 1;
        assertEquals("    /usr/src/vqbug-1.0/vqbug.c: 63", kdive.get(rip));
        assertTrue(!crash.contains(kdive.get(rip)), "crash 8.0.2 did not show the exception RIP's line");
        kdive.remove(rip);
        assertEquals(crash.size(), kdive.size(), String.join("\n", kdive));
        Symbols symbols = CorpusSession.get().symbols();
        long frameAddress = -1;
        int sourceLines = 0;
        for (int i = 0; i < crash.size(); i++) {
            String c = crash.get(i), k = kdive.get(i);
            Matcher f = FRAME.matcher(c);
            if (f.matches()) frameAddress = Long.parseUnsignedLong(f.group(1), 16);
            if (!SOURCE.matcher(c).matches()) {
                assertEquals(c, k, "line " + (i + 1));
                continue;
            }
            assertEquals(c, "    " + text(symbols.line(frameAddress).orElseThrow()), "crash's line is the return address's");
            assertEquals(k, "    " + text(symbols.line(frameAddress - 1).orElseThrow()), "kdive's is the call's");
            sourceLines++;
        }
        assertEquals(12, sourceLines, "one per frame, #0-#11");
    }

    private static String text(SourceLine l) {
        return l.file() + ": " + l.line();
    }

    private static List<String> lines(String s) {
        return new ArrayList<>(List.of(CrashText.layout(s).split("\n")));
    }
}
