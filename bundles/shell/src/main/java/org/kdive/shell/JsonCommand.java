package org.kdive.shell;

import java.util.List;
import java.util.Map;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;

/**
 * `json CMD ARGS…`: runs one command and prints its result as JSON, exactly as {@code --json}
 * does (one envelope document per line, docs/json.md).
 * Registered by {@link CommandRegistry} itself: a component would make a reference cycle.
 */
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
                + "  e.g. json bt -a. Start kdive with --json for JSON from every command.\n"
                + "  One JSON document per line: {\"command\":…,\"result\":…} (docs/json.md).\n";
    }

    @Override
    public Result execute(CommandContext ctx, List<String> args) {
        if (args.isEmpty()) throw new CommandException("usage: json COMMAND [ARGS…]", CommandException.USAGE);
        String name = args.get(0);
        if (!(ctx instanceof ShellContext sc)) return Result.of("", Map.of());
        if (!registry.has(name)) {
            CommandFunction.fail(sc.gogo(), true, String.join(" ", args), "unknown-command", "kdive: " + CommandRegistry.notFound(registry, name));
            return null;
        }
        Command c = registry.get(name).orElseThrow();
        new CommandFunction(() -> c, registry).run(sc.gogo(), c, args.subList(1, args.size()), true);
        return null;
    }
}
