package org.kdive.cmd.process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.kdive.api.arch.MachineFacts;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.kernel.KernelTasks;
import org.kdive.arch.x86.X86MachineFacts;
import org.kdive.cmd.kernel.tasks.KernelTasksService;
import org.kdive.cmd.process.commands.FuserCommand;
import org.kdive.cmd.process.commands.IpcsCommand;
import org.kdive.cmd.process.commands.SigCommand;
import org.kdive.cmd.process.commands.SwapCommand;
import org.kdive.cmd.process.commands.VmCommand;
import org.kdive.cmd.symbols.StructCommand;
import org.kdive.test.Corpus;
import org.kdive.test.session.CorpusSession;

/** The commands wired as the distro wires them (task list, struct, x86_64 facts), and crash's references. */
final class Fixture {
    static final KernelTasks TASKS = new KernelTasksService();
    static final List<MachineFacts> MACHINES = List.of(new X86MachineFacts());
    static final Command STRUCT = new StructCommand();

    private Fixture() {
    }

    static VmCommand vm() { return new VmCommand(TASKS, MACHINES, STRUCT); }

    static SigCommand sig() { return new SigCommand(TASKS, MACHINES); }

    static SwapCommand swap() { return new SwapCommand(); }

    static FuserCommand fuser() { return new FuserCommand(TASKS); }

    static IpcsCommand ipcs() { return new IpcsCommand(TASKS); }

    /** The crash 8.0.6 reference NAME (src/test/resources/refs/crash-8.0.6/NAME.txt): its command words and output. */
    static Ref ref(String name) {
        String all = Corpus.read(Path.of("src/test/resources/refs/crash-8.0.6/" + name + ".txt"));
        int nl = all.indexOf('\n');
        String first = all.substring(0, nl);
        if (!first.startsWith("crash> ")) throw new IllegalStateException(name + ": no 'crash> ' line");
        String[] words = first.substring("crash> ".length()).trim().split("\\s+");
        return new Ref(words[0], Arrays.asList(words).subList(1, words.length), all.substring(nl + 1));
    }

    record Ref(String command, List<String> args, String output) {
    }

    /** Every reference of this module whose command is {@code command}. */
    static List<String> refsOf(String command) throws java.io.IOException {
        List<String> out = new ArrayList<>();
        try (var s = Files.list(Path.of("src/test/resources/refs/crash-8.0.6"))) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".txt")).sorted().forEach(n -> {
                String name = n.substring(0, n.length() - 4);
                if (ref(name).command().equals(command)) out.add(name);
            });
        }
        return out;
    }

    static CommandContext context() {
        return CorpusSession.context();
    }
}
