package org.kdive.triage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.kdive.api.command.Args;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Output;
import org.kdive.api.command.Result;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** `triage DUMP…`: one record per dump with its crash signature, streamed as the dumps are read. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=triage")
public class TriageCommand extends Components implements Command {
    public TriageCommand() {
    }

    /** Outside OSGi (tests, tools). */
    public TriageCommand(Services services) {
        sessions = services.sessions();
        tasks = services.tasks();
        modules = services.modules();
        bugs = services.bugs();
        log = services.log();
        panics = services.panics();
        sys = services.sys();
    }

    @Override public String name() { return "triage"; }

    @Override public String description() { return "one record per dump with a crash signature, for many dumps"; }

    @Override
    public String usage() {
        return """
                triage - one record per dump with a crash signature, for many dumps
                triage [--vmlinux FILE]... [--debuginfo DIR]... [--no-fetch] [--timeout SECONDS] DUMP...
                  Reads each dump on its own (the open dump, if any, stays open) and prints one line per dump:
                  SIGNATURE, panic kind, faulting function and module, kernel release, dump. With --json, one
                  record per dump: kernel release and build-id, arch, panic kind (BUG, OOPS, WARN, SYSRQ,
                  HUNG_TASK, SOFT_LOCKUP, HARD_LOCKUP, OOM, MCE, PANIC, UNKNOWN) and detail, panic message,
                  faulting function, offset and module (version, srcversion, build-id), BUG/WARN file:line, the
                  normalized stack, taint, uptime, CPUs, memory, host, crash time, and the signature: a hash of
                  kind, module and top 5 normalized frames, the same for one bug across formats, boots, KASLR.
                  A dump that cannot be read gives a record with "error"; the others go on.
                  Debuginfo: the given vmlinux files, vmlinux-RELEASE in the --debuginfo folders, the fetch
                  cache, then the fetchers (not with --no-fetch); without any the record says so and is built
                  from the kernel log, kallsyms and VMCOREINFO.
                  --vmlinux FILE     a vmlinux to use for the dumps whose build-id it matches (repeatable)
                  --debuginfo DIR    a folder of vmlinux-RELEASE files (repeatable)
                  --no-fetch         never download debuginfo
                  --timeout SECONDS  time allowed per dump (default 120)""";
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        List<Path> dumps = new ArrayList<>();
        Options opt = parse(context, args, dumps);
        if (dumps.isEmpty()) throw new CommandException("triage: no dump given (usage: triage DUMP...)", CommandException.USAGE);
        Triage triage = new Triage(services(), opt);
        return Result.stream(out -> produce(context, triage, dumps, out));
    }

    private static Object produce(CommandContext context, Triage triage, List<Path> dumps, Output out) {
        if (!out.json()) out.line(String.format("%-16s  %-11s  %-40s  %-24s  %s", "SIGNATURE", "KIND", "FUNCTION [MODULE]", "RELEASE", "DUMP"));
        Map<String, Integer> bySignature = new TreeMap<>();
        int errors = 0;
        for (Path d : dumps) {
            context.checkCancelled();
            Map<String, Object> rec = triage.run(List.of(d), d.toString());
            if (Boolean.TRUE.equals(rec.get("ok"))) bySignature.merge((String) rec.get("signature"), 1, Integer::sum);
            else errors++;
            out.record(rec);
            if (!out.json()) out.line(line(rec));
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("dumps", dumps.size());
        summary.put("errors", errors);
        summary.put("signatures", bySignature);
        if (!out.json()) {
            out.line("");
            out.line(dumps.size() + " dumps, " + bySignature.size() + " signatures, " + errors + " errors");
        }
        return summary;
    }

    static String line(Map<String, Object> r) {
        if (!Boolean.TRUE.equals(r.get("ok"))) {
            String dump = String.valueOf(r.get("dump"));
            String error = String.valueOf(r.get("error"));
            if (error.startsWith(dump + ": ")) error = error.substring(dump.length() + 2); // errors name their file
            return String.format("%-16s  %-11s  %s: %s", "-", "ERROR", dump, error);
        }
        String fn = r.get("fault_function") == null ? "?" : r.get("fault_function") + (r.get("fault_offset") == null ? ""
                : "+0x" + Long.toHexString(((Number) r.get("fault_offset")).longValue()));
        if (r.get("module") != null) fn += " [" + r.get("module") + "]";
        return String.format("%-16s  %-11s  %-40s  %-24s  %s", r.get("signature"), r.get("panic_kind"), fn, r.get("kernel_release"), r.get("dump"));
    }

    /** The options; DUMP arguments go into {@code dumps}. */
    private static Options parse(CommandContext context, List<String> args, List<Path> dumps) {
        List<Path> vmlinux = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        boolean fetch = true;
        Duration budget = Options.DEFAULT_BUDGET;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--vmlinux", "--debuginfo", "--timeout" -> {
                    if (i + 1 >= args.size()) throw new CommandException("triage: " + a + " needs a value", CommandException.USAGE);
                    String v = args.get(++i);
                    if (a.equals("--timeout")) {
                        try {
                            budget = Duration.ofSeconds(Long.parseLong(v));
                        } catch (NumberFormatException e) {
                            throw new CommandException("triage: --timeout " + v + ": not a number of seconds", CommandException.USAGE);
                        }
                    } else {
                        Path p = context.path(v);
                        if (a.equals("--vmlinux") && !Files.isRegularFile(p)) throw new CommandException("triage: --vmlinux " + v + ": no such file", CommandException.NOT_FOUND);
                        if (a.equals("--debuginfo") && !Files.isDirectory(p)) throw new CommandException("triage: --debuginfo " + v + ": not a directory", CommandException.NOT_FOUND);
                        (a.equals("--vmlinux") ? vmlinux : dirs).add(p);
                    }
                }
                case "--no-fetch" -> fetch = false;
                default -> {
                    if (a.startsWith("--")) throw new CommandException("triage: unknown option: " + a, CommandException.USAGE);
                    dumps.add(context.path(a));
                }
            }
        }
        return new Options(vmlinux, dirs, fetch, budget);
    }
}
