package org.kdive.cmd.memory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.util.Hex;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** crash's `btop`: bytes to page frame number, for each hexadecimal address. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=btop")
public final class BtopCommand implements Command {
    @Override public String name() { return "btop"; }

    @Override public String description() { return "bytes to page"; }

    @Override
    public String usage() {
        return """
                btop - bytes to page
                btop address ...
                  The page frame number of each hexadecimal address (the address shifted right by the
                  dump's page size), printed as "address: pfn" in hexadecimal.
                """;
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        if (args.isEmpty()) throw new CommandException("Usage: btop address ...", CommandException.USAGE);
        int shift = Integer.numberOfTrailingZeros(PageSizes.of(context.session()));
        StringBuilder sb = new StringBuilder();
        List<Object> rows = new ArrayList<>();
        for (String a : args) {
            long v = Numbers.hex("btop", a);
            long pfn = v >>> shift;
            sb.append(Long.toHexString(v)).append(": ").append(Long.toHexString(pfn)).append('\n');
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("address", Hex.json(v));
            r.put("pfn", pfn);
            rows.add(r);
        }
        return Result.of(sb.toString(), Map.of("pages", rows));
    }
}
