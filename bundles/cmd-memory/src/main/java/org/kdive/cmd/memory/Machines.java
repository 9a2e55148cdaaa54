package org.kdive.cmd.memory;

import java.util.List;
import org.kdive.api.arch.MachineFacts;
import org.kdive.api.command.CommandException;
import org.kdive.api.session.Session;

/** The MachineFacts service of the session's architecture. */
final class Machines {
    private Machines() {
    }

    static MachineFacts of(List<MachineFacts> all, Session s, String cmd) {
        String m = s.arch().machine();
        for (MachineFacts f : all) if (f.supports(m)) return f;
        throw new CommandException("not supported on " + m + " (no machine facts for this architecture)");
    }
}
