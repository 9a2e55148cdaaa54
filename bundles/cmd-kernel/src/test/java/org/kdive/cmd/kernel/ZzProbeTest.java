package org.kdive.cmd.kernel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandException;
import org.kdive.test.CrashText;
import org.kdive.test.session.CorpusSession;

/** TEMPORARY developer probe: runs /tmp/kd/cmds.tsv, writes /tmp/kd/kdive/, compares with /tmp/kd/c806/. */
class ZzProbeTest {
    @Test
    void probe() throws Exception {
        Path list = Path.of(System.getProperty("probe.list", "/tmp/kd/probe.tsv"));
        CorpusSession.loadVqbug(new org.kdive.cmd.symbols.ModCommand());
        Map<String, Command> cmds = Cmds.all();
        Files.createDirectories(Path.of("/tmp/kd/kdive"));
        List<String> report = new ArrayList<>();
        for (String line : Files.readAllLines(list)) {
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] nc = line.split("\t", 2);
            List<String> words = Arrays.asList(nc[1].trim().split("\\s+"));
            Command c = cmds.get(words.get(0));
            String out;
            try {
                out = c == null ? "NO COMMAND\n" : c.execute(CorpusSession.context(), words.subList(1, words.size())).text();
            } catch (CommandException e) {
                out = words.get(0) + ": " + e.getMessage() + "\n";
            } catch (RuntimeException e) {
                out = "EXCEPTION " + e + "\n";
                e.printStackTrace();
            }
            Files.writeString(Path.of("/tmp/kd/kdive/" + nc[0] + ".txt"), out);
            Path ref = Path.of("/tmp/kd/c806/" + nc[0] + ".txt");
            String status = !Files.exists(ref) ? "NOREF" : CrashText.layout(Files.readString(ref)).equals(CrashText.layout(out)) ? "SAME" : "DIFF";
            report.add(status + " " + nc[0]);
        }
        Files.write(Path.of("/tmp/kd/report.txt"), report);
    }
}
