package org.kdive.shell;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kdive.api.KdiveException;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.session.OpenRequest;
import org.kdive.api.session.Session;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** `open` and `close`: switch dumps without leaving the shell. */
public final class SessionCommands {
    private SessionCommands() {
    }

    @Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=open")
    public static class Open implements Command {
        @Override public String name() { return "open"; }

        @Override public String description() { return "open a dump (and its vmlinux) as the current session"; }

        @Override
        public String usage() {
            return "open - " + description() + "\n\nusage: open [--no-fetch] DUMP... [VMLINUX]\n"
                    + "  Files may come in any order; an ELF executable is taken as the vmlinux.\n"
                    + "  Without a vmlinux, the debuginfo cache and the fetchers are asked.\n";
        }

        @Override
        public Result execute(CommandContext ctx, List<String> args) {
            boolean fetch = ctx.fetchAllowed() && !args.contains("--no-fetch");
            List<Path> dumps = new ArrayList<>();
            Path vmlinux = null;
            try {
                for (String a : args) {
                    if (a.equals("--no-fetch")) continue;
                    Path p = ctx.path(a);
                    if (vmlinux == null && java.nio.file.Files.isRegularFile(p) && KdiveShell.isDebugObject(p)) vmlinux = p;
                    else dumps.add(p);
                }
                if (dumps.isEmpty()) throw new CommandException("usage: open DUMP... [VMLINUX]");
                Session s = ctx.sessions().open(new OpenRequest(dumps, vmlinux, fetch));
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("dump", dumps.toString());
                data.put("format", s.dump().info().format());
                data.put("vmlinux", s.vmlinux().map(d -> d.file().toString()).orElse(null));
                data.put("warnings", s.warnings());
                StringBuilder sb = new StringBuilder();
                for (String w : s.warnings()) sb.append("WARNING: ").append(w).append('\n');
                // vmlinux() answers what is loaded now; it never starts an on-demand fetch
                sb.append(String.format("opened %s (%s)%s%n", dumps.get(0).getFileName(), s.dump().info().format(),
                        s.vmlinux().map(d -> " with " + d.file().getFileName()).orElse(" without a vmlinux (the warnings say what it uses)")));
                return Result.of(sb.toString(), data);
            } catch (IOException e) {
                throw new KdiveException(e.getMessage(), e);
            } catch (UncheckedIOException e) {
                throw new KdiveException(e.getCause().getMessage(), e);
            }
        }
    }

    @Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=close")
    public static class Close implements Command {
        @Override public String name() { return "close"; }

        @Override public String description() { return "close the current dump"; }

        @Override public String usage() { return "close - " + description() + "\n\nusage: close\n"; }

        @Override
        public Result execute(CommandContext ctx, List<String> args) {
            ctx.sessions().close();
            return Result.of("", Map.of("closed", true));
        }
    }
}
