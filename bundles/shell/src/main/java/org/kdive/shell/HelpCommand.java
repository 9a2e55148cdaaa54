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

    @Override
    public String usage() {
        return "help - " + description() + "\n\nusage: help [COMMAND]\n"
                + "       help -n|-D   the dump: header facts, notes, VMCOREINFO\n"
                + "       help -r      each CPU's registers as the capture kernel saved them\n"
                + "       help -k|-K   the kernel: text, init and end addresses, CPUs, KASLR offset, release\n"
                + "       help -m      the machine: page size, address-space regions\n"
                + "       help -t      the tasks: current and panic task, per-CPU idle and active tasks,\n"
                + "                    counts by state (crash dumps its own task table here; kdive keeps none)\n"
                + "       help -v      the memory: high_memory, vmalloc start, page counts, zones, free-area\n"
                + "                    orders, each node's pgdat and pages (crash dumps its own vm_table here)\n"
                + "JSON\n"
                + "  help -t: {current: {pid, comm, task, processor}, nr_threads, running_tasks, panic_processor,\n"
                + "  panic_task, idle_threads: [], active_set: [], states: {RU: n, ...}, kernel_threads, user_tasks};\n"
                + "  help -v: {high_memory, vmalloc_start, total_pages, totalram_pages, numnodes, nr_zones,\n"
                + "  nr_free_areas, nodes: [{id, pgdat, size, present, start_mapnr}]}; addresses as hex strings.\n";
    }

    @Override
    public Result execute(CommandContext ctx, List<String> args) {
        // for the distribution's build: help --man|--bash|--zsh [FILE with kdive --help's text]
        if (!args.isEmpty() && List.of("--man", "--bash", "--zsh").contains(args.get(0))) {
            String launcher = "";
            if (args.size() > 1) {
                try {
                    launcher = java.nio.file.Files.readString(ctx.path(args.get(1)));
                } catch (java.io.IOException e) {
                    throw new CommandException("cannot read " + args.get(1) + ": " + e.getMessage());
                }
            }
            Map<String, Command> all = registry.all();
            String version = String.valueOf(org.osgi.framework.FrameworkUtil.getBundle(HelpCommand.class) == null ? "" 
                    : org.osgi.framework.FrameworkUtil.getBundle(HelpCommand.class).getVersion());
            String text = switch (args.get(0)) {
                case "--man" -> Manual.man(all, launcher, version);
                case "--bash" -> Manual.bash(all, launcher);
                default -> Manual.zsh(all, launcher);
            };
            return Result.of(text, Map.of("text", text));
        }
        if (!args.isEmpty() && args.get(0).matches("-[nDrkKmtv]")) {
            return HelpTables.table(ctx.session(), registry.kernelTasks(), args.get(0));
        }
        if (!args.isEmpty()) {
            Command c = registry.get(args.get(0)).orElseThrow(() -> new CommandException(
                    CommandRegistry.notFound(registry, args.get(0)), CommandException.NOT_FOUND));
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
        // examples only with commands this distribution has
        String example = all.containsKey("bt") ? "bt" : all.keySet().stream().filter(n -> !n.equals("help") && !n.equals("json"))
                .findFirst().orElse("help");
        sb.append("\nhelp COMMAND shows its usage. Gogo commands (grep, each …) work too; pipe with |.\n");
        sb.append("Prefix a command with json (json " + example + ") or start kdive with --json for JSON output.\n");
        sb.append("Tab completes commands, options, symbols, types and members; man kdive has the whole manual.\n");
        return Result.of(sb.toString(), data);
    }
}
