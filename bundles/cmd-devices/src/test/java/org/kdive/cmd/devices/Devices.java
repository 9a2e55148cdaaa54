package org.kdive.cmd.devices;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.kernel.KernelTasks;
import org.kdive.cmd.devices.bpf.BpfCommand;
import org.kdive.cmd.devices.dev.DevCommand;
import org.kdive.cmd.devices.irq.IrqCommand;
import org.kdive.cmd.devices.net.NetCommand;
import org.kdive.cmd.devices.timer.TimerCommand;
import org.kdive.cmd.devices.waitq.WaitqCommand;
import org.kdive.cmd.kernel.tasks.KernelTasksService;
import org.kdive.test.session.CorpusSession;

/** The commands of this bundle wired as the distribution wires them, run on a session. */
final class Devices {
    static final KernelTasks TASKS = new KernelTasksService();
    /** bpf -s prints the structures through {@code struct}; bpf -j disassembles through the x86_64 disassembler. */
    static final Command STRUCT = new org.kdive.cmd.symbols.StructCommand(TASKS);
    static final org.kdive.api.dis.Disassembler DIS = new org.kdive.arch.x86.dis.X86Disassembler();

    private Devices() {
    }

    static Map<String, Command> commands() {
        return Map.of("irq", new IrqCommand(), "timer", new TimerCommand(), "net", new NetCommand(TASKS, null),
                "dev", new DevCommand(), "waitq", new WaitqCommand(TASKS), "bpf", new BpfCommand(STRUCT, DIS));
    }

    /** A crash command line run on the corpus session: its text, or its error message as crash prints it. */
    static String run(String line) {
        CommandContext ctx = CorpusSession.context();
        moduleSymbols(ctx.session());
        return run(ctx, line);
    }

    /** What the distribution does at open (ModulesService is a SessionListener): module kallsyms join the symbols. */
    static void moduleSymbols(org.kdive.api.session.Session s) {
        new org.kdive.cmd.symbols.modules.ModulesService().opened(s);
    }

    static String run(CommandContext ctx, String line) {
        List<String> words = Arrays.asList(line.trim().split("\\s+"));
        Command c = commands().get(words.get(0));
        if (c == null) throw new IllegalArgumentException("no command " + words.get(0));
        try {
            return c.execute(ctx, words.subList(1, words.size())).text();
        } catch (CommandException e) {
            // as the shell prints it: crash's synopsis without the command's name
            return (e.getMessage().startsWith("Usage:\n") ? "" : c.name() + ": ") + e.getMessage() + "\n";
        }
    }
}
