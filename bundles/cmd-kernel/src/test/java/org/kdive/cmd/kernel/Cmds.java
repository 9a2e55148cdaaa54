package org.kdive.cmd.kernel;

import java.util.LinkedHashMap;
import java.util.Map;
import org.kdive.api.command.Command;
import org.kdive.cmd.kernel.commands.*;

/** The commands of this bundle by name, as the shell's registry has them. */
final class Cmds {
    private Cmds() {
    }

    static Map<String, Command> all() {
        Map<String, Command> m = new LinkedHashMap<>();
        for (Command c : new Command[] {new BtCommand(), new FilesCommand(), new ForeachCommand().with(new org.kdive.cmd.symbols.VtopCommand()), new KmemCommand(),
                new ListCommand(), new LogCommand(), new MountCommand(), new PsCommand(), new RunqCommand(),
                new SetCommand(), new SysCommand(), new TaskCommand(), new TreeCommand()}) {
            m.put(c.name(), c);
        }
        return m;
    }

    /** A crash command line on a context: its text, or its error as kdive's shell prints it ("cmd: message"). */
    static String run(org.kdive.api.command.CommandContext ctx, String line) {
        java.util.List<String> words = java.util.Arrays.asList(line.trim().split("\\s+"));
        Command c = all().get(words.get(0));
        if (c == null) throw new IllegalArgumentException("no command " + words.get(0));
        try {
            return c.execute(ctx, words.subList(1, words.size())).text();
        } catch (org.kdive.api.command.CommandException e) {
            return c.name() + ": " + e.getMessage() + "\n";
        }
    }
}
