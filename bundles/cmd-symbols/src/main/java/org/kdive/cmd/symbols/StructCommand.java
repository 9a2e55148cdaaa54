package org.kdive.cmd.symbols;

import java.util.List;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.Result;
import org.kdive.api.kernel.KernelTasks;
import org.kdive.api.symbols.Type.Kind;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** crash's {@code struct}. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=struct")
public final class StructCommand extends DataTypeCommand implements Command {
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile KernelTasks tasks;

    public StructCommand() {
        super("struct", Kind.STRUCT);
    }

    /** Outside OSGi: the task list gives the current context for -u (may be null). */
    public StructCommand(KernelTasks tasks) {
        this();
        this.tasks = tasks;
    }

    @Override KernelTasks tasks() { return tasks; }

    @Override public String name() { return "struct"; }

    @Override public String description() { return "structure declarations, offsets and contents"; }

    @Override public String usage() { return usageText(); }

    @Override public Result execute(CommandContext context, List<String> args) { return run(context, args); }
}
