package org.kdive.cmd.devices.dev;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.HashSet;
import org.kdive.api.command.CommandContext;
import org.kdive.api.util.Hex;
import org.kdive.cmd.devices.access.Fmt;
import org.kdive.cmd.devices.access.Kern;

/** crash's do_io: the ioport_resource and iomem_resource trees, depth first, names wrapped at 80 columns. */
final class Resources {
    private final Kern k;
    private final CommandContext ctx;
    private final Set<Long> seen = new HashSet<>();

    Resources(Kern k, CommandContext ctx) {
        this.k = k;
        this.ctx = ctx;
    }

    String text(Map<String, Object> data) {
        StringBuilder sb = new StringBuilder();
        for (String root : new String[] {"ioport_resource", "iomem_resource"}) {
            long r = k.requireSymbol(root);
            long end = k.u64(r + k.off("resource", "end"));
            int size = Long.compareUnsigned(end, 0xffff) > 0 ? 8 : 4;
            if (root.equals("iomem_resource")) sb.append('\n');
            sb.append(Fmt.mk("RESOURCE", k.vaddrLen(), Fmt.CENTER | Fmt.LJUST)).append("  ")
                    .append(Fmt.mk("RANGE", size * 2 + 1, Fmt.CENTER | Fmt.LJUST)).append("  NAME\n");
            List<Object> rows = new java.util.ArrayList<>();
            walk(r, size, sb, rows, 0);
            data.put(root.equals("ioport_resource") ? "ioports" : "iomem", rows);
        }
        return sb.toString();
    }

    private void walk(long first, int size, StringBuilder sb, List<Object> rows, int depth) {
        int wrap = k.vaddrLen() + 2 + (size * 2 + 1) + 2;
        long entry = first;
        while (entry != 0) {
            ctx.checkCancelled();
            if (!seen.add(entry)) {
                ctx.warn("dev: resource " + Long.toHexString(entry) + " seen twice: the resource tree is corrupt");
                return;
            }
            long start = k.u64(entry + k.off("resource", "start"));
            long end = k.u64(entry + k.off("resource", "end"));
            String name = k.string(k.ptr(entry + k.off("resource", "name")), 1024);
            if (name == null) name = "(unknown)";
            long child = k.ptr(entry + k.off("resource", "child"));
            long sibling = k.ptr(entry + k.off("resource", "sibling"));
            String digits = size == 4 ? "%04x" : "%08x";
            sb.append(String.format("%8x  " + digits + "-" + digits, entry, start, end));
            if (wrap + name.length() <= 80) {
                sb.append("  ").append(name).append('\n');
            } else {
                // cut at the last blank that leaves enough room, the rest on the next line
                int len = wrap + name.length() - 80;
                int cut = -1;
                for (int c = 0, p = name.length() - 1; p > 0; p--, c++) {
                    if (name.charAt(p) != ' ') continue;
                    if (c >= len) {
                        cut = p;
                        break;
                    }
                }
                if (cut < 0) {
                    sb.append("  ").append(name).append('\n');
                } else {
                    sb.append("  ").append(name, 0, cut).append('\n').append(" ".repeat(wrap)).append(name.substring(cut + 1)).append('\n');
                }
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("resource", Hex.json(entry));
            r.put("start", Hex.json(start));
            r.put("end", Hex.json(end));
            r.put("name", name);
            r.put("depth", depth);
            rows.add(r);
            if (child != 0 && child != entry) walk(child, size, sb, rows, depth + 1);
            entry = sibling;
        }
    }
}
