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

/** crash's `ptob`: page frame number to bytes (a decimal or hexadecimal number each). */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=ptob")
public final class PtobCommand implements Command {
    @Override public String name() { return "ptob"; }

    @Override public String description() { return "page to bytes"; }

    @Override
    public String usage() {
        return """
                ptob - page to bytes
                ptob page_number ...
                  The physical address where each page frame number starts (the number shifted left by
                  the dump's page size), printed as "pfn: address" in hexadecimal. A number is decimal
                  when it reads as one, else hexadecimal (with or without 0x).
                """;
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        if (args.isEmpty()) throw new CommandException("Usage: ptob page_number ...", CommandException.USAGE);
        int shift = Integer.numberOfTrailingZeros(PageSizes.of(context.session()));
        StringBuilder sb = new StringBuilder();
        List<Object> rows = new ArrayList<>();
        for (String a : args) {
            long pfn = Numbers.number("ptob", a);
            long addr = pfn << shift;
            sb.append(Long.toHexString(pfn)).append(": ").append(Long.toHexString(addr)).append('\n');
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("pfn", pfn);
            r.put("address", Hex.json(addr));
            rows.add(r);
        }
        return Result.of(sb.toString(), Map.of("pages", rows));
    }
}
