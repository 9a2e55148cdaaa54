package org.kdive.api.command;

import java.util.List;
import org.kdive.api.Plugin;

/**
 * A shell command. Register as an OSGi service; the shell makes it a Gogo command in scope
 * "kdive" named {@link #name()}, with {@link #usage()} as its `help` text. Arguments arrive
 * as the user typed them (crash syntax, e.g. {@code p vq->vring.num} or {@code rd -64 ADDR 4}).
 */
public interface Command extends Plugin {
    /** Synopsis and option list, crash style: first line "NAME - one line summary". */
    String usage();

    Result execute(CommandContext context, List<String> args);
}
