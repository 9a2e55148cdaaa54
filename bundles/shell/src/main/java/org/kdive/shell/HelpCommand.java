package org.kdive.shell;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;

/** `help` and `help CMD`, from each command's own usage text. */
/** Registered by {@link CommandRegistry} itself: a component would make a reference cycle. */
final class HelpCommand implements Command {
    private final CommandRegistry registry;

    HelpCommand(CommandRegistry registry) {
        this.registry = registry;
    }

    @Override public String name() { return "help"; }

    @Override public String description() { return "list the commands, or show how to use one"; }

    @Override public String usage() { return "help - " + description() + "\n\nusage: help [COMMAND]\n"; }

    @Override
    public Result execute(CommandContext ctx, List<String> args) {
        if (!args.isEmpty()) {
            Command c = registry.get(args.get(0)).orElseThrow(() -> new CommandException(
                    "no kdive command \"" + args.get(0) + "\" (Gogo commands: gogo:help " + args.get(0) + ")"));
            return Result.of(c.usage().endsWith("\n") ? c.usage() : c.usage() + "\n",
                    Map.of("command", c.name(), "usage", c.usage()));
        }
        Map<String, Command> all = registry.all();
        StringBuilder sb = new StringBuilder();
        List<Object> data = new ArrayList<>();
        for (Command c : all.values()) {
            sb.append(String.format("%-12s %s%n", c.name(), c.description()));
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("command", c.name());
            row.put("description", c.description());
            data.add(row);
        }
        sb.append("\nhelp COMMAND shows its usage. Gogo commands (grep, each, lb …) work too; pipe with |.\n");
        sb.append("Prefix a command with json (json bt -a) or start kdive with --json for JSON output.\n");
        return Result.of(sb.toString(), data);
    }
}
