package org.kdive.shell;

import java.util.List;
import java.util.Map;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;

/** `json CMD ARGS…`: runs one command and prints its result as JSON. */
/** Registered by {@link CommandRegistry} itself: a component would make a reference cycle. */
final class JsonCommand implements Command {
    private final CommandRegistry registry;

    JsonCommand(CommandRegistry registry) {
        this.registry = registry;
    }

    @Override public String name() { return "json"; }

    @Override public String description() { return "run a command and print its result as JSON"; }

    @Override
    public String usage() {
        return "json - " + description() + "\n\nusage: json COMMAND [ARGS…]\n"
                + "  e.g. json bt -a. Start kdive with --json for JSON from every command.\n";
    }

    @Override
    public Result execute(CommandContext ctx, List<String> args) {
        if (args.isEmpty()) throw new CommandException("usage: json COMMAND [ARGS…]");
        Command c = registry.get(args.get(0)).orElseThrow(() -> new CommandException("no kdive command \"" + args.get(0) + "\""));
        if (!(ctx instanceof ShellContext sc)) return Result.of("", Map.of());
        new CommandFunction(() -> c, registry).run(sc.gogo(), c, args.subList(1, args.size()), CommandFunction.Mode.JSON_PRETTY);
        return null;
    }
}
