package org.kdive.cmd.kernel.commands;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.kernel.MapleTree;
import org.kdive.api.util.Hex;
import org.kdive.cmd.kernel.access.Kernel;
import org.kdive.cmd.kernel.access.RbTree;
import org.kdive.cmd.kernel.access.XArray;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * crash's `tree`: the entries of a red-black tree (top-down as crash shows them, or in order with
 * -l), of an XArray / radix tree, or of a maple tree (-v: crash's dump of every node and range),
 * each optionally with its position and with -s struct members like `list -s`.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=tree")
public class TreeCommand implements Command {
    private static final String SYNOPSIS = "Usage:\n"
            + "  tree [-t [radix|xarray|rbtree|maple]] [-r offset] [-[s|S] struct[.member[,member]]]\n"
            + "       -[x|d] [-o offset] [-l] [-p] [-v] [-N] start\n"
            + "Enter \"help tree\" for details.";

    @Override public String name() { return "tree"; }

    @Override public String description() { return "display a red-black tree, XArray, radix tree or maple tree"; }

    @Override
    public String usage() {
        return "tree - display radix tree, XArray, red-black tree or maple tree\n"
                + "tree [-t [radix|xarray|rbtree|maple]] [-r offset] [-[s|S] struct[.member[,member]]]\n"
                + "     -[x|d] [-o offset] [-l] [-p] [-v] [-N] start\n"
                + "  -t type       rbtree (default), xarray, radix (an XArray since Linux 4.20) or maple; \"rb\", \"x\", \"ra\", \"m\" suffice\n"
                + "  -r offset     start is a structure holding the root at this offset (number or struct.member)\n"
                + "  -o offset     red-black trees: offset of the rb_node in its containing structure\n"
                + "  -s struct.m,..show these members of each entry (-s struct: the whole struct; may repeat)\n"
                + "  -S struct.m,..like -s, reading members of up to 8 bytes (and strings) straight from memory\n"
                + "  -l            red-black trees: in order, from the leftmost node\n"
                + "  -p            show each entry's position (rbtree: root/l/r; XArray and maple: index and slot path)\n"
                + "  -v            maple trees: every node with its ranges, pivots and slots, and every entry's range\n"
                + "  -x | -d       show integer members in hexadecimal | decimal\n"
                + "  -N            start is an rb_node, xa_node or (encoded) maple node pointer rather than the tree's root\n"
                + "JSON: one record per entry in \"entries\": address; XArray index (number); maple first and last\n"
                + "  (numbers, unsigned); position with -p; members as with list -s; then type (and problem).\n";
    }

    private enum Kind {
        RBTREE("rbtrees"), XARRAY("Xarrays"), MAPLE("maple trees");

        final String plural;

        Kind(String plural) {
            this.plural = plural;
        }
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        Kernel k = Kernel.of(context.session());
        List<String> structs = new ArrayList<>();
        Set<Character> flags = new java.util.HashSet<>();
        Map<Character, String> values = new java.util.HashMap<>();
        List<String> positional = new ArrayList<>();
        Boolean direct = null;
        Kind kind = null;
        for (int i = 0; i < args.size(); i++) {
            String w = args.get(i);
            if (!w.startsWith("-") || w.length() < 2) {
                positional.add(w);
                continue;
            }
            for (int j = 1; j < w.length(); j++) {
                char c = w.charAt(j);
                if ("trosS".indexOf(c) >= 0) {
                    String v = j + 1 < w.length() ? w.substring(j + 1) : ++i < args.size() ? args.get(i) : null;
                    if (v == null) throw new CommandException("option requires an argument -- '" + c + "'\n" + SYNOPSIS);
                    if (c == 's' || c == 'S') {
                        if (direct != null && direct != (c == 'S')) throw new CommandException("-S and -s options are mutually exclusive");
                        direct = c == 'S';
                        structs.add(v);
                    } else if (c == 't') {
                        if (kind != null) throw new CommandException("multiple tree types may not be entered\n" + SYNOPSIS);
                        kind = kind(k, v);
                    } else {
                        if (values.containsKey(c)) {
                            long was = offset(k, "-" + c, values.get(c));
                            throw new CommandException(String.format("%s offset value %d (0x%x) already entered", c == 'r' ? "root" : "node", was, was));
                        }
                        values.put(c, v);
                    }
                    break;
                }
                if ("xdplNv".indexOf(c) < 0) throw new CommandException("invalid option -- '" + c + "'\n" + SYNOPSIS);
                if (c == 'x' && flags.contains('d') || c == 'd' && flags.contains('x')) {
                    throw new CommandException("-d and -x are mutually exclusive");
                }
                flags.add(c);
            }
        }
        long rootOffset = values.containsKey('r') ? offset(k, "-r", values.get('r')) : 0;
        long nodeOffset = values.containsKey('o') ? offset(k, "-o", values.get('o')) : 0;
        if (kind != null && kind != Kind.RBTREE && flags.contains('l')) throw new CommandException("-l option is not applicable to " + kind.plural);
        if (kind != null && kind != Kind.RBTREE && values.containsKey('o')) {
            throw new CommandException("-o option is not applicable to " + kind.plural);
        }
        if (kind != null && kind != Kind.MAPLE && flags.contains('v')) throw new CommandException("-v option is not applicable to " + kind.plural);
        if (values.containsKey('r') && flags.contains('N')) throw new CommandException("-r and -N options are mutually exclusive");
        if (positional.isEmpty()) throw new CommandException("a starting address is required\n" + SYNOPSIS);
        String arg = positional.get(0);
        long start = ListCommand.parseAddress(k, arg).orElseThrow(() -> new CommandException("invalid start argument: " + arg));
        if (positional.size() > 1) throw new CommandException("too many arguments entered\n" + SYNOPSIS);
        Kind type = kind == null ? Kind.RBTREE : kind;
        StructDisplay display = new StructDisplay(k, "tree", structs, flags.contains('x'), Boolean.TRUE.equals(direct));
        boolean positions = flags.contains('p');
        boolean nodePointer = flags.contains('N');
        if (type == Kind.MAPLE) return maple(context, k, nodePointer ? start : start + rootOffset, nodePointer, flags.contains('v'), positions, display);
        boolean rbtree = type == Kind.RBTREE;
        // the tree's node addresses are collected first; entries (with their members) are printed,
        // or become one JSON record each, as they are read
        RbTree t = rbtree ? RbTree.walk(k, nodePointer ? start : k.u64(start + rootOffset + k.requireOffset("rb_root", "rb_node")),
                flags.contains('l'), positions) : null;
        XArray x = rbtree ? null : nodePointer ? XArray.ofNode(k, start) : XArray.ofRoot(k, start + rootOffset);
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

    /** A maple tree's entries as crash prints them, streamed while the tree is walked. */
    private static Result maple(CommandContext context, Kernel k, long start, boolean nodePointer, boolean verbose, boolean positions,
            StructDisplay display) {
        MapleTree tree = MapleTree.of(context.session(), context::checkCancelled);
        String label = nodePointer ? "direct" : "root";
        return Result.stream("entries", out -> {
            StringBuilder sb = new StringBuilder();
            long[] index = {0};
            MapleTree.Visitor v = new MapleTree.Visitor() {
                @Override
                public void root(long address, long flags, long root) {
                    if (verbose) {
                        sb.append(String.format("maple_tree(%x) flags %X, height %d root 0x%x\n\n", address, flags, MapleTree.height(flags), root));
                    }
                }

                @Override
                public void node(MapleTree.Node n) {
                    if (!verbose) return;
                    range(sb, n.min(), n.max(), n.depth());
                    sb.append(String.format("node 0x%x depth %d type %d parent %s", n.address(), n.depth(), n.type(), MapleText.pointer(n.parent())));
                    String contents = MapleText.contents(n);
                    sb.append(contents == null ? " UNKNOWN TYPE\n" : contents.isEmpty() ? "" : contents + "\n");
                    out.text(sb);
                    sb.setLength(0);
                }

                @Override
                public boolean entry(MapleTree.Entry e) {
                    context.checkCancelled();
                    long entry = e.value();
                    // crash indents a range node's entries one level below the node, a dense node's at its level
                    MapleTree.Node n = e.node();
                    int depth = n == null ? 0 : n.kind() == MapleTree.Kind.DENSE ? n.depth() : n.depth() + 1;
                    Map<String, Object> d = null;
                    if (verbose) {
                        range(sb, e.first(), e.last(), depth);
                        sb.append(MapleText.describe(entry)).append('\n');
                    } else if (entry != 0) {
                        sb.append(Long.toHexString(entry)).append('\n');
                    }
                    if (entry != 0) {
                        d = new LinkedHashMap<>();
                        d.put("address", Hex.json(entry));
                        d.put("first", unsigned(e.first()));
                        d.put("last", unsigned(e.last()));
                        if (positions) {
                            String position = (n == null ? "" : label + n.path()) + "/" + e.slot();
                            sb.append("  index: ").append(++index[0]).append("  position: ").append(position).append('\n');
                            d.put("position", position);
                        }
                        display.show(entry, sb, d);
                    }
                    out.text(sb);
                    sb.setLength(0);
                    if (d != null) out.record(d);
                    return true;
                }

                @Override
                public void badPivot(MapleTree.Node n, int slot, long pivot) {
                    out.text(String.format("node %x last (%s) > max (%s) at pivot %d!\n", n.address(), Long.toUnsignedString(pivot),
                            Long.toUnsignedString(n.max()), slot));
                }
            };
            String problem = null;
            try {
                if (nodePointer) tree.walkNode(start, v);
                else tree.walk(start, v);
            } catch (MapleTree.DamagedTreeException e) {
                problem = e.getMessage();
            }
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("type", "maple");
            if (problem != null) {
                context.warn("tree: " + problem);
                summary.put("problem", problem);
            }
            return summary;
        });
    }

    /** crash's "min-max: " (or "min: ") prefix of a maple range, indented two blanks per level. */
    private static void range(StringBuilder sb, long min, long max, int depth) {
        sb.append(" ".repeat(2 * depth)).append(Long.toUnsignedString(min));
        if (min != max) sb.append('-').append(Long.toUnsignedString(max));
        sb.append(": ");
    }

    private static Map<String, Object> entry(StringBuilder sb, long address) {
        sb.append(Long.toHexString(address)).append('\n');
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("address", Hex.json(address));
        return d;
    }

    /**
     * crash's type prefixes. A radix tree is an XArray since Linux 4.20 (radix_tree_root is a
     * macro for xarray there, so the debuginfo has no struct radix_tree_root); crash 8.0.6 then
     * refuses "radix", here it walks the XArray. Older radix trees are not supported.
     */
    private static Kind kind(Kernel k, String t) {
        if (t.startsWith("rb")) return Kind.RBTREE;
        if (t.startsWith("x")) return Kind.XARRAY;
        if (t.startsWith("m")) return Kind.MAPLE;
        if (t.startsWith("ra")) {
            boolean xarrayRoot = k.hasMember("radix_tree_root", "xa_head")
                    || (k.type("struct radix_tree_root").isEmpty() && k.type("struct xarray").isPresent());
            if (xarrayRoot) return Kind.XARRAY;
            throw new CommandException("radix trees before Linux 4.20 are not supported yet");
        }
        throw new CommandException("invalid tree type: " + t + "\n" + SYNOPSIS);
    }

    private static long offset(Kernel k, String option, String value) {
        // crash takes one struct.member only; a member path is refused under the struct's name (crash
        // cuts its argument at the first dot before it finds the second)
        int dot = value.indexOf('.');
        if (dot > 0 && dot < value.length() - 1 && value.indexOf('.', dot + 1) > 0) {
            throw new CommandException("invalid " + option + " argument: " + value.substring(0, dot));
        }
        OptionalLong o = ListCommand.offset(k, value);
        if (o.isEmpty()) throw new CommandException("invalid " + option + " argument: " + value);
        return o.getAsLong();
    }

    /** An unsigned 64-bit value as a JSON number (a BigInteger above Long.MAX_VALUE: maple ranges end at ULONG_MAX). */
    private static Object unsigned(long v) {
        return v >= 0 ? (Object) v : new java.math.BigInteger(Long.toUnsignedString(v));
    }
}
