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
        for (Command c : new Command[] {new BtCommand(), new FilesCommand(), new ForeachCommand(), new KmemCommand(),
                new ListCommand(), new LogCommand(), new MountCommand(), new PsCommand(), new RunqCommand(),
                new SetCommand(), new SysCommand(), new TaskCommand(), new TreeCommand()}) {
            m.put(c.name(), c);
        }
        return m;
    }
}
