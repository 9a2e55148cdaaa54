package org.kdive.cmd.symbols;

import java.util.List;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.Result;
import org.kdive.api.symbols.Type.Kind;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** crash's {@code struct}. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=struct")
public final class StructCommand extends DataTypeCommand implements Command {
    public StructCommand() {
        super("struct", Kind.STRUCT);
    }

    @Override public String name() { return "struct"; }

    @Override public String description() { return "structure declarations, offsets and contents"; }

    @Override public String usage() { return usageText(); }

    @Override public Result execute(CommandContext context, List<String> args) { return run(context, args); }
}
