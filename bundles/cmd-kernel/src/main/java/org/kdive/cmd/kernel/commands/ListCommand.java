package org.kdive.cmd.kernel.commands;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.kdive.api.command.Args;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.session.Session;
import org.kdive.api.util.Hex;
import org.kdive.cmd.kernel.access.Kernel;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * crash's `list`: walks a linked list. The link's offset comes from {@code -o offset},
 * {@code -o struct.member} or a leading {@code struct.member} argument; {@code -h start} starts
 * at a structure, {@code -H start} at a list_head that is not itself an entry.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=list")
public class ListCommand implements Command {
    /** Stops walks over garbage or huge lists. */
    private static final int MAX_ENTRIES = 1_000_000;

    @Override public String name() { return "list"; }

    @Override public String description() { return "walk a linked list"; }

    @Override
    public String usage() {
        return "list - linked list\n"
                + "list [[-o] offset | struct.member] [-s struct[.member[,member]]] [-r] [-h start | -H start | start]\n"
                + "  -o offset      offset of the next pointer (number or struct.member)\n"
                + "  -s struct.m,.. show these members of each entry (-s struct: the whole struct)\n"
                + "  -h start       start is a structure containing the list_head\n"
                + "  -H start       start is a list_head that is not an entry itself\n"
                + "  -r             follow the prev pointers (list_head lists)\n";
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        Args a = Args.parse(args, Set.of("r"), Set.of("o", "s", "h", "H"));
        Session s = context.session();
        Kernel k = Kernel.of(s);
        long offset = 0;
        List<String> pos = new ArrayList<>(a.positional());
        if (a.has("o")) offset = offsetOf(k, a.value("o"));
        if (!pos.isEmpty() && !a.has("o") && isOffsetArg(pos.get(0)) && (pos.size() > 1 || a.has("h") || a.has("H"))) {
            offset = offsetOf(k, pos.remove(0));
        }
        boolean listHead = a.has("H");
        boolean headIsEntry = a.has("h");
        String startArg = listHead ? a.value("H") : headIsEntry ? a.value("h") : pos.isEmpty() ? null : pos.remove(0);
        if (startArg == null) throw new CommandException("list: no start address given");
        long start = address(k, startArg);

        StructDisplay display = new StructDisplay(k, "list", a.has("s") ? List.of(a.value("s")) : List.of(), false, false);

        List<Long> entries = new ArrayList<>();
        String problem = walk(k, start, offset, listHead, headIsEntry, a.has("r") ? 8 : 0, entries);
        // entries (with their members) are printed, or become one JSON record each, as they are read
        return Result.stream("entries", out -> {
            StringBuilder sb = new StringBuilder();
            for (long e : entries) {
                context.checkCancelled();
                sb.append(Long.toHexString(e)).append('\n');
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("address", Hex.json(e));
                display.show(e, sb, d);
                out.text(sb);
                sb.setLength(0);
                out.record(d);
            }
            Map<String, Object> summary = new LinkedHashMap<>();
            if (problem != null) {
                context.warn("list: " + problem);
                summary.put("problem", problem);
            }
            return summary;
        });
    }

    /**
     * Collects the entry addresses. Entries are containers: link address minus offset.
     * Returns a problem (cycle, unreadable pointer) or null.
     */
    public static String walk(Kernel k, long start, long offset, boolean listHead, boolean headIsEntry, int prevDelta,
            List<Long> out) {
        Set<Long> seen = new HashSet<>();
        long head;
        long link;
        if (listHead) {
            head = start;
            link = start;
        } else {
            head = start + offset;
            link = head;
            out.add(start);
            seen.add(head);
        }
        for (int n = 0; n < MAX_ENTRIES; n++) {
            long next;
            try {
                next = k.u64(link + prevDelta);
            } catch (RuntimeException e) {
                return String.format("cannot read the next pointer at %x: %s", link + prevDelta, e.getMessage());
            }
            if (next == 0) return headIsEntry || listHead ? "NULL next pointer at " + Long.toHexString(link) : null;
            if (next == head) return null;
            if (!seen.add(next)) return String.format("duplicate list entry: %x (the list loops)", next - offset);
            out.add(next - offset);
            link = next;
        }
        return "more than " + MAX_ENTRIES + " entries: stopped";
    }

    private static boolean isOffsetArg(String s) {
        return s.matches("[A-Za-z_][A-Za-z0-9_]*\\.[A-Za-z_][A-Za-z0-9_.]*") || s.matches("\\d+");
    }

    private static long offsetOf(Kernel k, String s) {
        if (s.indexOf('.') < 0 && !isNumber(s)) throw new CommandException("list: invalid offset: " + s);
        return offset(k, s).orElseThrow(() -> new CommandException("list: invalid structure member: " + s));
    }

    private static boolean isNumber(String s) {
        return s.matches("\\d+") || s.matches("0x[0-9a-fA-F]+");
    }

    /** A byte offset given as a decimal or 0x number or as struct.member (a dotted member path). */
    static OptionalLong offset(Kernel k, String s) {
        if (s.matches("\\d+")) return OptionalLong.of(Long.parseLong(s));
        if (s.matches("0x[0-9a-fA-F]+")) return OptionalLong.of(Long.parseLong(s.substring(2), 16));
        int dot = s.indexOf('.');
        if (dot < 0) return OptionalLong.empty();
        return k.offset(s.substring(0, dot), s.substring(dot + 1));
    }

    static long address(Kernel k, String s) {
        return parseAddress(k, s).orElseThrow(() -> new CommandException("list: invalid address or symbol: " + s));
    }

    /** A kernel symbol's address or a hexadecimal address; a name that is both counts as the symbol. */
    static OptionalLong parseAddress(Kernel k, String s) {
        OptionalLong sym = k.symbol(s);
        if (sym.isPresent() && !s.matches("[0-9a-fA-Fx]+")) return sym;
        if (Hex.looksLikeAddress(s) || s.matches("(0x)?[0-9a-fA-F]+")) return OptionalLong.of(Hex.parseAddress(s));
        return sym;
    }
}
