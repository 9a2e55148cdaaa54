package org.kdive.cmd.kernel.commands;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.kdive.api.command.Args;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.cmd.kernel.access.Clock;
import org.kdive.cmd.kernel.access.Kernel;
import org.kdive.cmd.kernel.printk.LogExtras;
import org.kdive.cmd.kernel.printk.LogFormatter;
import org.kdive.cmd.kernel.printk.PrintkReader;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** crash's `log`: the kernel message buffer. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=log")
public class LogCommand implements Command {
    @Override public String name() { return "log"; }

    @Override public String description() { return "dump the kernel message buffer (printk ring)"; }

    @Override
    public String usage() {
        return "log - dump system message buffer\n"
                + "log [-tTdmcas]\n"
                + "  -t  do not show the timestamps\n"
                + "  -T  show timestamps as human-readable dates (boot time + offset)\n"
                + "  -d  show SUBSYSTEM= and DEVICE= of dev_printk messages\n"
                + "  -m  show the log level <N> of each message\n"
                + "  -c  show the caller id [Tpid] or [Ccpu]\n"
                + "  -a  the audit messages still queued (type=N text)\n"
                + "  -s  the per-CPU printk_safe buffers (Linux 4.11 to 5.14; empty on later kernels)\n";
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        Args a = Args.parse(args, Set.of("t", "T", "d", "m", "c", "a", "s", "R"), Set.of());
        if (!a.positional().isEmpty()) throw new CommandException("log: unexpected argument: " + a.positional(0));
        Kernel k = Kernel.of(context.session());
        LogExtras extras = new LogExtras(k);
        if (a.has("a")) return audit(extras);
        if (a.has("s")) {
            List<Object> buffers = new java.util.ArrayList<>();
            String text = extras.safeBuffers(true, a.has("t"), a.has("m"), buffers);
            if (!extras.hasSafeBuffers() && !k.type("struct printk_safe_seq_buf").isEmpty()) {
                throw new CommandException("-s not supported with this kernel version");
            }
            return Result.of(text, Map.of("buffers", buffers));
        }
        PrintkReader.Log log = new PrintkReader(k).read(a.has("m"));
        for (String p : log.problems()) context.warn(p);
        if (log.isPlain()) {
            if (a.has("T") || a.has("d") || a.has("t")) {
                throw new CommandException("log: option not supported on this kernel's plain log buffer");
            }
            return Result.of(log.plainText(), Map.of("text", log.plainText()));
        }
        long boot = a.has("T") ? new Clock(k).bootDate() : 0;
        LogFormatter f = new LogFormatter(a.has("t"), a.has("T"), a.has("m"), a.has("d"), a.has("c"), boot);
        // message by message: printed, or one JSON record each
        return Result.stream("records", out -> {
            StringBuilder sb = new StringBuilder();
            for (var r : log.records()) {
                f.format(sb, r);
                out.text(sb);
                sb.setLength(0);
                if (out.json()) out.record(LogFormatter.data(List.of(r)).get(0));
            }
            // what the printk_safe buffers still hold (kernels before 5.15), after the log as crash shows it
            out.text(extras.safeBuffers(false, a.has("t"), a.has("m"), null));
            return null;
        });
    }

    /** log -a: the audit messages still queued, "type=N text" each. */
    private static Result audit(LogExtras extras) {
        if (!extras.hasAudit()) throw new CommandException("-a option not supported or applicable on this architecture or kernel");
        List<LogExtras.AuditRecord> records = extras.audit();
        if (records.isEmpty()) return Result.of("log: kernel audit log is empty\n", Map.of("audit", List.of()));
        StringBuilder sb = new StringBuilder();
        List<Object> data = new java.util.ArrayList<>();
        for (LogExtras.AuditRecord r : records) {
            sb.append("type=").append(r.type()).append(' ').append(r.text()).append('\n');
            data.add(Map.of("type", r.type(), "text", r.text()));
        }
        return Result.of(sb.toString(), Map.of("audit", data));
    }
}
