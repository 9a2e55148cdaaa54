package com.example.kdive;

import java.util.List;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.Result;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** Throws while activating, as a buggy vendor component would. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, immediate = true)
public class BoomCommand implements Command {
    @Activate
    void activate() {
        throw new IllegalStateException("boom: this sample fails on purpose");
    }

    @Override public String name() { return "boom"; }

    @Override public String description() { return "never available"; }

    @Override public String usage() { return "boom\n"; }

    @Override
    public Result execute(CommandContext ctx, List<String> args) {
        return Result.text("unreachable\n");
    }
}
