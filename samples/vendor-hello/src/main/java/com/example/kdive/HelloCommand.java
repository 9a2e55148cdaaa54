package com.example.kdive;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.Result;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * A vendor's command: a DS component implementing the kdive Command SPI. Drop the jar into
 * plugins/ and `hello` appears in the running shell.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=hello")
public class HelloCommand implements Command {
    @Override public String name() { return "hello"; }

    @Override public String description() { return "example vendor command: greets the open dump's kernel"; }

    @Override public String usage() { return "hello - " + description() + "\n\nusage: hello [NAME]\n"; }

    @Override
    public Result execute(CommandContext ctx, List<String> args) {
        String who = args.isEmpty() ? "vendor" : args.get(0);
        String release = ctx.maybeSession().flatMap(s -> s.vmcoreinfo().osRelease()).orElse("(no dump open)");
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("greeting", "hello from " + who);
        data.put("release", release);
        return Result.of("hello from " + who + ": kernel " + release + "\n", data);
    }
}
