package org.kdive.shell;

import java.util.List;
import java.util.Map;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandCancelledException;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;

/**
 * crash's `repeat [-seconds] COMMAND`: runs a command again and again, each run's output streamed
 * as it comes, until cancelled (Ctrl-C). kdive adds {@code -c COUNT}: a batch run has nobody to
 * press Ctrl-C, so there a count is required.
 */
final class RepeatCommand implements Command {
    /** Gogo session variable set for the interactive loop: only there may repeat run without a count. */
    static final String INTERACTIVE = "kdive.interactive";

    private final CommandRegistry registry;

    RepeatCommand(CommandRegistry registry) {
        this.registry = registry;
    }

    @Override public String name() { return "repeat"; }

    @Override public String description() { return "repeat a command (until Ctrl-C, or -c times)"; }

    @Override
    public String usage() {
        return "repeat - repeat a command\n\n"
                + "usage: repeat [-c COUNT] [-SECONDS] COMMAND [ARGS]\n"
                + "  -c COUNT   run it COUNT times (needed in batch runs: without it repeat runs until Ctrl-C)\n"
                + "  -SECONDS   wait that many seconds between runs\n";
    }

    @Override
    public Result execute(CommandContext ctx, List<String> args) {
        long count = -1;
        long delay = 0;
        int i = 0;
        while (i < args.size() && args.get(i).startsWith("-") && args.get(i).length() > 1) {
            String a = args.get(i);
            if (a.equals("-c")) {
                if (i + 1 >= args.size()) throw new CommandException("option -c needs a value", CommandException.USAGE);
                count = number(args.get(i + 1), "count");
                if (count < 1) throw new CommandException("invalid count: " + args.get(i + 1), CommandException.USAGE);
                i += 2;
            } else if (a.substring(1).matches("\\d+")) {
                delay = number(a.substring(1), "delay");
                i++;
            } else {
                throw new CommandException("unknown option: " + a, CommandException.USAGE);
            }
        }
        if (i >= args.size()) throw new CommandException("usage: repeat [-c COUNT] [-SECONDS] COMMAND", CommandException.USAGE);
        if (count < 0 && !interactive(ctx)) {
            throw new CommandException("without -c COUNT repeat runs until Ctrl-C: give a count in batch runs", CommandException.USAGE);
        }
        String name = args.get(i);
        if (name.equals("repeat")) throw new CommandException("repeat cannot repeat itself", CommandException.USAGE);
        Command c = registry.get(name).orElseThrow(() -> new CommandException(CommandRegistry.notFound(registry, name),
                CommandException.NOT_FOUND));
        List<String> rest = List.copyOf(args.subList(i + 1, args.size()));
        long times = count;
        long pause = delay;
        return Result.stream("runs", out -> {
            long n = 0;
            while (times < 0 || n < times) {
                ctx.checkCancelled();
                if (n > 0 && pause > 0) {
                    try {
                        Thread.sleep(pause * 1000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new CommandCancelledException();
                    }
                }
                Result r = c.execute(ctx, rest);
                if (r instanceof Result.Streamed s) {
                    s.writeTo(out);
                } else if (r != null) {
                    out.text(r.text());
                    out.record(r.data());
                }
                n++;
            }
            return Map.of("runs", n);
        });
    }

    private static long number(String s, String what) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new CommandException("invalid " + what + ": " + s, CommandException.USAGE);
        }
    }

    private static boolean interactive(CommandContext ctx) {
        return ctx instanceof ShellContext s && s.gogo() != null && Boolean.TRUE.equals(s.gogo().get(INTERACTIVE));
    }
}
