package org.kdive.cmd.kernel.commands;

import java.util.ArrayList;
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
import org.kdive.api.util.Hex;
import org.kdive.cmd.kernel.access.Kernel;
import org.kdive.cmd.kernel.access.RbTree;
import org.kdive.cmd.kernel.access.XArray;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * crash's `tree`: the entries of a red-black tree (top-down as crash shows them, or in order with
 * -l) or of an XArray / radix tree, each optionally with its position and with -s struct members
 * like `list -s`. Maple trees are not known to crash 8.0.2, nor here.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=tree")
public class TreeCommand implements Command {
    @Override public String name() { return "tree"; }

    @Override public String description() { return "display a red-black tree, XArray or radix tree"; }

    @Override
    public String usage() {
        return "tree - display radix tree, XArray or red-black tree\n"
                + "tree [-t [radix|xarray|rbtree]] [-r offset] [-[s|S] struct[.member[,member]]]\n"
                + "     -[x|d] [-o offset] [-l] [-p] [-N] start\n"
                + "  -t type       rbtree (default), xarray, or radix (an XArray since Linux 4.20); \"rb\", \"x\", \"ra\" suffice\n"
                + "  -r offset     start is a structure holding the root at this offset (number or struct.member)\n"
                + "  -o offset     red-black trees: offset of the rb_node in its containing structure\n"
                + "  -s struct.m,..show these members of each entry (-s struct: the whole struct; may repeat)\n"
                + "  -S struct.m,..like -s, without gdb's trailing commas\n"
                + "  -l            red-black trees: in order, from the leftmost node\n"
                + "  -p            show each entry's position (rbtree: root/l/r; XArray: index and slot path)\n"
                + "  -x | -d       show integer members in hexadecimal | decimal\n"
                + "  -N            start is an rb_node or xa_node pointer rather than the tree's root\n";
    }

    private enum Kind { RBTREE, XARRAY }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        List<String> rest = new ArrayList<>();
        List<String> structs = new ArrayList<>();
        boolean parsed = false;
        boolean direct = false;
        for (int i = 0; i < args.size(); i++) {
            String s = args.get(i);
            if ((s.equals("-s") || s.equals("-S")) && i + 1 < args.size()) {
                if (s.equals("-s") ? direct : parsed) throw new CommandException("tree: -S and -s options are mutually exclusive");
                parsed |= s.equals("-s");
                direct |= s.equals("-S");
                structs.add(args.get(++i));
            } else {
                rest.add(s);
            }
        }
        Args a = Args.parse(rest, Set.of("x", "d", "p", "l", "N"), Set.of("t", "r", "o"));
        Kernel k = Kernel.of(context.session());
        Kind kind = a.has("t") ? kind(k, a.value("t")) : Kind.RBTREE;
        String what = kind == Kind.XARRAY ? "Xarrays" : null;
        if (what != null && a.has("l")) throw new CommandException("tree: -l option is not applicable to " + what);
        if (what != null && a.has("o")) throw new CommandException("tree: -o option is not applicable to " + what);
        if (a.has("r") && a.has("N")) throw new CommandException("tree: -r and -N options are mutually exclusive");
        if (a.has("x") && a.has("d")) throw new CommandException("tree: -d and -x are mutually exclusive");
        long rootOffset = a.has("r") ? offset(k, "-r", a.value("r")) : 0;
        long nodeOffset = a.has("o") ? offset(k, "-o", a.value("o")) : 0;
        if (a.positional().isEmpty()) throw new CommandException("tree: a starting address is required");
        if (a.positional().size() > 1) throw new CommandException("tree: too many arguments entered");
        String arg = a.positional(0);
        long start = ListCommand.parseAddress(k, arg).orElseThrow(() -> new CommandException("tree: invalid start argument: " + arg));
        StructDisplay display = new StructDisplay(k, "tree", structs, a.has("x"), direct);

        boolean positions = a.has("p");
        boolean rbtree = kind == Kind.RBTREE;
        // the tree's node addresses are collected first; entries (with their members) are printed,
        // or become one JSON record each, as they are read
        RbTree t = rbtree ? RbTree.walk(k, a.has("N") ? start : k.u64(start + rootOffset + k.requireOffset("rb_root", "rb_node")),
                a.has("l"), positions) : null;
        XArray x = rbtree ? null : a.has("N") ? XArray.ofNode(k, start) : XArray.ofRoot(k, start + rootOffset);
        return Result.stream("entries", out -> {
            StringBuilder sb = new StringBuilder();
            String problem;
            if (rbtree) {
                for (int i = 0; i < t.nodes().size(); i++) {
                    context.checkCancelled();
                    long entry = t.nodes().get(i) - nodeOffset;
                    Map<String, Object> d = entry(sb, entry);
                    if (positions) {
                        sb.append("  position: ").append(t.positions().get(i)).append('\n');
                        d.put("position", t.positions().get(i));
                    }
                    display.show(entry, sb, d);
                    out.text(sb);
                    sb.setLength(0);
                    out.record(d);
                }
                problem = t.problem();
            } else {
                for (XArray.Entry e : x.entries()) {
                    context.checkCancelled();
                    Map<String, Object> d = entry(sb, e.value());
                    d.put("index", e.index());
                    if (positions) {
                        String position = e.path() + "/" + x.slotOf(e);
                        sb.append("  index: ").append(e.index()).append("  position: ").append(position).append('\n');
                        d.put("position", position);
                    }
                    display.show(e.value(), sb, d);
                    out.text(sb);
                    sb.setLength(0);
                    out.record(d);
                }
                problem = x.problem();
            }
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("type", rbtree ? "rbtree" : "xarray");
            if (problem != null) {
                context.warn("tree: " + problem);
                summary.put("problem", problem);
            }
            return summary;
        });
    }

    private static Map<String, Object> entry(StringBuilder sb, long address) {
        sb.append(Long.toHexString(address)).append('\n');
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("address", Hex.json(address));
        return d;
    }

    /**
     * crash's type prefixes. A radix tree is an XArray since Linux 4.20 (radix_tree_root is a
     * macro for xarray there, so the debuginfo has no struct radix_tree_root); crash 8.0.2 then
     * refuses "radix", here it walks the XArray. Older radix trees are not supported.
     */
    private static Kind kind(Kernel k, String t) {
        if (t.startsWith("rb")) return Kind.RBTREE;
        if (t.startsWith("x")) return Kind.XARRAY;
        if (t.startsWith("ra")) {
            boolean xarrayRoot = k.hasMember("radix_tree_root", "xa_head")
                    || (k.type("struct radix_tree_root").isEmpty() && k.type("struct xarray").isPresent());
            if (xarrayRoot) return Kind.XARRAY;
            throw new CommandException("tree: radix trees before Linux 4.20 are not supported yet");
        }
        throw new CommandException("tree: invalid tree type: " + t);
    }

    private static long offset(Kernel k, String option, String value) {
        OptionalLong o = ListCommand.offset(k, value);
        if (o.isEmpty()) throw new CommandException("tree: invalid " + option + " argument: " + value);
        return o.getAsLong();
    }
}
