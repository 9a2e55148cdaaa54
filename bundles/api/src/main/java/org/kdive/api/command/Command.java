package org.kdive.api.command;

import java.util.List;
import org.kdive.api.Plugin;

/**
 * A shell command. Register as an OSGi service; the shell makes it a Gogo command in scope
 * "kdive" named {@link #name()}, with {@link #usage()} as its `help` text. Arguments arrive
 * as the user typed them (crash syntax, e.g. {@code p vq->vring.num} or {@code rd -64 ADDR 4}).
 */
public interface Command extends Plugin {
    /**
     * Service property with the command's name. Optional, but a command that sets it (equal to
     * {@link #name()}) is only activated when it first runs, which keeps kdive's start-up short:
     * {@code @Component(service = Command.class, property = Command.NAME_PROPERTY + "=bt")}.
     */
    String NAME_PROPERTY = "kdive.command";

    /** Synopsis and option list, crash style: first line "NAME - one line summary". */
    String usage();

    Result execute(CommandContext context, List<String> args);
}
