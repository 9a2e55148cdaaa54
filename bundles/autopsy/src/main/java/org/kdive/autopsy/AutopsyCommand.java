package org.kdive.autopsy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.kdive.api.command.Args;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.dis.Disassembler;
import org.kdive.api.kernel.BugTable;
import org.kdive.api.kernel.KernelLog;
import org.kdive.api.kernel.KernelTasks;
import org.kdive.api.kernel.Modules;
import org.kdive.api.session.Session;
import org.kdive.autopsy.analysis.Autopsy;
import org.kdive.autopsy.report.Report;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** `autopsy`: the whole panic analysis in one report. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=autopsy")
public class AutopsyCommand implements Command {
    /** One per architecture bundle: the one for the dump's machine is used. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private volatile List<Disassembler> disassemblers = new java.util.concurrent.CopyOnWriteArrayList<>();
    @Reference
    private volatile KernelTasks tasks;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile BugTable bugs;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Modules modules;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile KernelLog log;

    public AutopsyCommand() {
    }

    /** Outside OSGi (tests, tools): the services given directly; bugs, modules and log may be null. */
    public AutopsyCommand(Disassembler disassembler, KernelTasks tasks, BugTable bugs, Modules modules, KernelLog log) {
        this.disassemblers = List.of(disassembler);
        this.tasks = tasks;
        this.bugs = bugs;
        this.modules = modules;
        this.log = log;
    }

    @Override public String name() { return "autopsy"; }

    @Override public String description() { return "the whole panic analysis in one report"; }

    @Override
    public String usage() {
        return """
                autopsy - the whole panic analysis in one report
                autopsy [--source DIR] [--debuginfo DIR]
                  Finds the panic (task, CPU, message, exception registers) and explains it: for BUG_ON()/WARN_ON()
                  the source line, the condition, the branch to the trap and the compared values with the C
                  expressions they are; for page faults the faulting address, register and member; for lockups,
                  hung tasks, sysrq and OOM the key facts. Decodes the faulting function's arguments and prints
                  the structures they point to (and the structures that embed them: container_of). Loads the
                  faulting module's debuginfo when it is found next to the dump, in DIR or in the fetch cache.
                  --source DIR     source tree to show the code from (default: the DWARF path, then next to
                                   the debuginfo and the dump)
                  --debuginfo DIR  where to look for the module's .ko.debug / .ko""";
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        Args a = Args.parse(args, Set.of(), Set.of("source", "debuginfo"));
        if (!a.positional().isEmpty()) throw new CommandException("autopsy: unexpected argument: " + a.positional(0));
        Path source = dir(context, a.value("source"), "--source");
        Path debuginfo = dir(context, a.value("debuginfo"), "--debuginfo");
        Session s = context.session();
        Disassembler dis = disassemblers.stream().filter(d -> d.supports(s.arch().machine())).findFirst()
                .orElseThrow(() -> new CommandException("autopsy: no disassembler for " + s.arch().machine()));
        Report report = new Autopsy(s, new Autopsy.Services(dis, tasks, bugs, modules, log), new Autopsy.Options(source, debuginfo)).run();
        return Result.of(report.text(), report.data());
    }

    private static Path dir(CommandContext context, String value, String option) {
        if (value == null) return null;
        Path p = context.path(value.startsWith("~/") ? System.getProperty("user.home") + value.substring(1) : value);
        if (!Files.isDirectory(p)) throw new CommandException("autopsy: " + option + " " + value + ": not a directory");
        return p;
    }
}
