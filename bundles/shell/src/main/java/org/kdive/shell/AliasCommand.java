package org.kdive.shell;

import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * crash's `alias`: lists the aliases, shows one, or defines one ({@code alias NAME COMMAND ...});
 * an empty command string ({@code alias NAME ""}) deletes it. Each alias is a command of its own
 * (a Command service named after it) that runs its command string with the arguments it is given,
 * so the shell, pipes and completion treat it as any command; help does not list it. crash's
 * built-in aliases are there from the start where kdive has their command.
 */
class AliasCommand implements Command {
    /** crash 8.0.6's built-in aliases, in its order (those naming gdb, scroll or radix settings have no kdive command). */
    static final List<String[]> BUILTIN = List.of(
            new String[] {"man", "help"}, new String[] {"?", "help"}, new String[] {"quit", "q"},
            new String[] {"sf", "set scroll off"}, new String[] {"sn", "set scroll on"}, new String[] {"hex", "set radix 16"},
            new String[] {"dec", "set radix 10"}, new String[] {"g", "gdb"}, new String[] {"px", "p -x"}, new String[] {"pd", "p -d"},
            new String[] {"for", "foreach"}, new String[] {"size", "*"}, new String[] {"dmesg", "log"}, new String[] {"lsmod", "mod"},
            new String[] {"last", "ps -l"});

    private record Alias(String origin, String expansion, ServiceRegistration<Command> registration) {
    }

    private final CommandRegistry registry;
    private final BundleContext bundle;
    private final Map<String, Alias> aliases = new LinkedHashMap<>();

    AliasCommand(CommandRegistry registry, BundleContext bundle) {
        this.registry = registry;
        this.bundle = bundle;
    }

    /** kdive commands the built-in aliases may run; the others (gdb, set scroll/radix, q, *) are listed only. */
    private static final java.util.Set<String> RUNNABLE = java.util.Set.of("help", "p", "foreach", "log", "mod", "ps");

    /** crash's built-in aliases: a command of their own where kdive has their command and no command has their name. */
    synchronized void builtins() {
        for (String[] b : BUILTIN) {
            String target = b[1].split(" ")[0];
            boolean runnable = registry != null && RUNNABLE.contains(target) && !b[0].equals("?") && !registry.has(b[0]);
            if (runnable) define("builtin", b[0], b[1]);
            else aliases.put(b[0], new Alias("builtin", b[1], null));
        }
    }

    @Override public String name() { return "alias"; }

    @Override public String description() { return "list, show or define command aliases"; }

    @Override
    public String usage() {
        return "alias - command aliases\n\n"
                + "usage: alias [NAME [COMMAND STRING]]\n"
                + "  no argument: every alias (ORIGIN builtin or runtime, ALIAS, COMMAND)\n"
                + "  NAME: that alias\n"
                + "  NAME COMMAND...: NAME runs COMMAND... followed by its own arguments\n"
                + "  NAME \"\": deletes the alias\n";
    }

    synchronized boolean isAlias(String name) {
        return aliases.containsKey(name);
    }

    @Override
    public synchronized Result execute(CommandContext ctx, List<String> args) {
        if (args.isEmpty()) return list(null);
        String name = args.get(0);
        if (args.size() == 1) {
            if (!aliases.containsKey(name)) throw new CommandException("alias does not exist: " + name, CommandException.NOT_FOUND);
            return list(name);
        }
        String expansion = String.join(" ", args.subList(1, args.size())).trim();
        if (expansion.length() >= 2 && (expansion.startsWith("\"") && expansion.endsWith("\"")
                || expansion.startsWith("'") && expansion.endsWith("'"))) {
            expansion = expansion.substring(1, expansion.length() - 1).trim();
        }
        if (expansion.isEmpty()) {
            Alias gone = aliases.remove(name);
            if (gone == null) throw new CommandException("alias does not exist: " + name, CommandException.NOT_FOUND);
            unregister(gone);
            return Result.of("alias deleted: " + name + "\n", Map.of("deleted", name));
        }
        if (!aliases.containsKey(name) && registry.has(name)) {
            throw new CommandException("alias name is a command: " + name, CommandException.USAGE);
        }
        define("runtime", name, expansion);
        return list(name);
    }

    private void define(String origin, String name, String expansion) {
        Alias old = aliases.remove(name);
        if (old != null) unregister(old);
        ServiceRegistration<Command> reg = null;
        if (bundle != null) {
            Dictionary<String, Object> props = new Hashtable<>();
            props.put(Command.NAME_PROPERTY, name);
            reg = bundle.registerService(Command.class, new Aliased(name, expansion), props);
        }
        aliases.put(name, new Alias(origin, expansion, reg));
    }

    private static void unregister(Alias a) {
        if (a.registration() == null) return;
        try {
            a.registration().unregister();
        } catch (IllegalStateException e) {
            // already gone
        }
    }

    synchronized void close() {
        aliases.values().forEach(AliasCommand::unregister);
        aliases.clear();
    }

    private Result list(String only) {
        StringBuilder sb = new StringBuilder("ORIGIN   ALIAS    COMMAND\n");
        List<Object> rows = new ArrayList<>();
        aliases.forEach((n, a) -> {
            if (only != null && !only.equals(n)) return;
            sb.append(String.format("%-8s %-8s %s%n", a.origin(), n, a.expansion()));
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("origin", a.origin());
            r.put("alias", n);
            r.put("command", a.expansion());
            rows.add(r);
        });
        return Result.of(sb.toString(), Map.of("aliases", rows));
    }

    /** The expansion of an alias with the words typed after it. */
    synchronized List<String> expand(String name, List<String> args) {
        Alias a = aliases.get(name);
        if (a == null) throw new CommandException("alias does not exist: " + name, CommandException.NOT_FOUND);
        List<String> words = new ArrayList<>(List.of(a.expansion().split("\\s+")));
        words.addAll(args);
        return words;
    }

    /** One alias as a command: runs its expansion's command with the expansion's and its own arguments. */
    private final class Aliased implements Command {
        private final String name;
        private final String expansion;

        Aliased(String name, String expansion) {
            this.name = name;
            this.expansion = expansion;
        }

        @Override public String name() { return name; }

        @Override public String description() { return "alias for " + expansion; }

        @Override public String usage() { return name + " - alias for \"" + expansion + "\"\n"; }

        @Override
        public Result execute(CommandContext ctx, List<String> args) {
            List<String> words = expand(name, args);
            String target = words.get(0);
            if (target.equals(name)) throw new CommandException("alias refers to itself: " + name);
            Command c = registry.get(target).orElseThrow(() -> new CommandException(
                    CommandRegistry.notFound(registry, target), CommandException.NOT_FOUND));
            return c.execute(ctx, words.subList(1, words.size()));
        }
    }
}
