package org.kdive.autopsy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.kdive.api.command.Command;
import org.kdive.cmd.dis.DisCommand;
import org.kdive.cmd.dumpinfo.DumpinfoCommand;
import org.kdive.cmd.kernel.commands.BtCommand;
import org.kdive.cmd.kernel.commands.LogCommand;
import org.kdive.cmd.kernel.commands.SysCommand;
import org.kdive.cmd.symbols.ModCommand;
import org.kdive.cmd.symbols.PrintCommand;
import org.kdive.cmd.symbols.StructCommand;
import org.kdive.arch.x86.dis.X86Disassembler;
import org.kdive.test.Corpus;
import org.kdive.test.CrashText;

/**
 * docs/tutorial.md shows real output: every ```kdive block ("kdive> CMD" then its output) is run here
 * on the corpus, in document order in one session, and must print the same text (whitespace
 * normalised). {@code $CORPUS} in a block stands for the corpus directory. Run with
 * {@code -Dkdive.docs.rewrite=true} to write the current output into the document instead.
 */
@Order(2)
class TutorialTest {
    private static final Path DOC = Path.of("../../docs/tutorial.md");
    private static final String FENCE = "```kdive";

    @Test
    void everyCommandInTheTutorialPrintsWhatTheTutorialShows() throws IOException {
        Map<String, Command> commands = new LinkedHashMap<>();
        for (Command c : List.of(new DumpinfoCommand(), new SysCommand(), new BtCommand(), new LogCommand(), new ModCommand(),
                new DisCommand(new X86Disassembler()), new StructCommand(), new PrintCommand(), CorpusSession.autopsy())) {
            commands.put(c.name(), c);
        }
        CorpusSession.freshCorpus();
        String corpus = Corpus.dir().toString();
        List<String> lines = Files.readAllLines(DOC, StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        int blocks = 0;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            out.add(l);
            if (!l.strip().equals(FENCE)) continue;
            String prompt = lines.get(++i);
            out.add(prompt);
            assertTrue(prompt.startsWith("kdive> "), "block at line " + (i + 1) + " must start with 'kdive> CMD'");
            StringBuilder expected = new StringBuilder();
            while (!lines.get(++i).strip().equals("```")) expected.append(lines.get(i)).append('\n');
            List<String> words = Arrays.asList(prompt.substring("kdive> ".length()).strip().replace("$CORPUS", corpus).split("\\s+"));
            Command c = commands.get(words.get(0));
            assertTrue(c != null, "no command " + words.get(0) + " in the tutorial test");
            String actual = c.execute(CorpusSession.context(false), words.subList(1, words.size())).text()
                    .replace(corpus, "$CORPUS").replace(Corpus.shared().resolve("corpus").resolve(Corpus.DUMP).toString(), "$CORPUS");
            blocks++;
            // exact, columns and alignment included: the tutorial shows what a user sees
            if (!CrashText.layout(actual).equals(CrashText.layout(expected.toString()))) {
                failures.add(prompt + "\n--- tutorial:\n" + expected + "--- now:\n" + actual);
            }
            List<String> shown = new ArrayList<>(Arrays.asList(actual.split("\n", -1)));
            if (actual.endsWith("\n")) shown.remove(shown.size() - 1);
            out.addAll(shown);
            out.add("```");
        }
        if (Boolean.getBoolean("kdive.docs.rewrite")) {
            Files.write(DOC, out, StandardCharsets.UTF_8);
            return;
        }
        assertTrue(blocks >= 8, "the tutorial has only " + blocks + " command blocks");
        assertEquals(List.of(), failures, "tutorial output differs (rerun with -Dkdive.docs.rewrite=true after checking):\n"
                + String.join("\n", failures));
    }
}
