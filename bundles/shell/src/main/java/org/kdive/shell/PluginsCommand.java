package org.kdive.shell;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kdive.api.Plugin;
import org.kdive.api.arch.Architecture;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.Result;
import org.kdive.api.dis.Disassembler;
import org.kdive.api.dump.DumpFormat;
import org.kdive.api.fetch.DebuginfoFetcher;
import org.kdive.api.symbols.DebugInfoProvider;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;

/** `plugins`: every discovered format, architecture, debuginfo reader, fetcher, disassembler and command. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=plugins")
public class PluginsCommand implements Command {
    private static final Map<String, Class<? extends Plugin>> KINDS = new LinkedHashMap<>();

    static {
        KINDS.put("format", DumpFormat.class);
        KINDS.put("arch", Architecture.class);
        KINDS.put("debuginfo", DebugInfoProvider.class);
        KINDS.put("fetcher", DebuginfoFetcher.class);
        KINDS.put("disassembler", Disassembler.class);
        KINDS.put("command", Command.class);
    }

    private BundleContext context;

    @Reference
    DropIns dropIns;

    @Activate
    void activate(BundleContext ctx) {
        context = ctx;
    }

    @Override public String name() { return "plugins"; }

    @Override public String description() { return "list formats, architectures, fetchers, commands and their bundles"; }

    @Override
    public String usage() {
        return "plugins - " + description() + "\n\nusage: plugins [-b]\n  -b  also list every bundle with its state\n";
    }

    @Override
    public Result execute(CommandContext ctx, List<String> args) {
        boolean bundles = args.contains("-b");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map.Entry<String, Class<? extends Plugin>> kind : KINDS.entrySet()) {
            ServiceReference<?>[] refs;
            try {
                refs = context.getServiceReferences(kind.getValue().getName(), null);
            } catch (InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            }
            if (refs == null) continue;
            List<Map<String, Object>> kindRows = new ArrayList<>();
            for (ServiceReference<?> ref : refs) {
                Object svc = context.getService(ref);
                if (svc == null) continue;
                try {
                    Plugin p = (Plugin) svc;
                    Bundle b = ref.getBundle();
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("kind", kind.getKey());
                    row.put("name", p.name());
                    row.put("version", p.version());
                    row.put("bundle", b == null ? "?" : b.getSymbolicName());
                    row.put("state", b == null ? "?" : state(b));
                    row.put("description", p.description());
                    kindRows.add(row);
                } finally {
                    context.ungetService(ref);
                }
            }
            kindRows.sort((a, b) -> String.valueOf(a.get("name")).compareTo(String.valueOf(b.get("name"))));
            rows.addAll(kindRows);
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-12s %-18s %-16s %-28s %s%n", "KIND", "NAME", "VERSION", "BUNDLE", "STATE"));
        for (Map<String, Object> r : rows) {
            sb.append(String.format("%-12s %-18s %-16s %-28s %s%n", r.get("kind"), r.get("name"), r.get("version"),
                    r.get("bundle"), r.get("state")));
        }
        List<Map<String, Object>> bundleRows = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            boolean failed = dropIns.failed(b) || (b.getState() == Bundle.INSTALLED && b.getHeaders().get("Fragment-Host") == null);
            if (!bundles && !failed) continue;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", b.getBundleId());
            row.put("bundle", b.getSymbolicName());
            row.put("version", b.getVersion().toString());
            row.put("state", failed ? "FAILED" : state(b));
            row.put("location", b.getLocation());
            bundleRows.add(row);
        }
        if (!bundleRows.isEmpty()) {
            sb.append(String.format("%n%4s %-40s %-16s %s%n", "ID", "BUNDLE", "VERSION", "STATE"));
            for (Map<String, Object> r : bundleRows) {
                sb.append(String.format("%4s %-40s %-16s %s%n", r.get("id"), r.get("bundle"), r.get("version"), r.get("state")));
            }
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("plugins", rows);
        data.put("bundles", bundleRows);
        return Result.of(sb.toString(), data);
    }

    static String state(Bundle b) {
        return switch (b.getState()) {
            case Bundle.ACTIVE -> "ACTIVE";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            default -> "UNINSTALLED";
        };
    }
}
