package org.kdive.cmd.kernel.commands;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
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
 * crash's `list`: walks a linked list. Two forms, as in crash:
 * <ul>
 * <li>without -h/-H/-r each entry is a structure and the word at {@code offset} in it points at the
 *     next structure (the start is printed first);</li>
 * <li>with -h/-H/-r the links are embedded list_heads: {@code -o} is the list_head's offset in its
 *     structure, entries are printed as link address minus that offset; -H starts at a bare
 *     list_head (not printed), -h at a structure containing one, -O at a head list_head whose
 *     offset differs from the entries' (-o), -r follows the prev pointers.</li>
 * </ul>
 * The walk ends at a NULL pointer, at {@code -e end}, or when it comes back to its start, its
 * first entry or the same entry. {@code -l offset} (with -s/-S) says the printed addresses are
 * links at that offset inside the structures to display. -B walks without remembering entries,
 * detecting loops with Brent's algorithm instead.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=list")
public class ListCommand implements Command {
    /** Stops walks over garbage or huge lists. */
    private static final int MAX_ENTRIES = 1_000_000;
    private static final String SYNOPSIS = "Usage:\n"
            + "  list [[-o] offset][-e end][-[s|S] struct[.member[,member] [-l offset]] -[x|d]]\n"
            + "       [-r|-B] [-h [-O head_offset]|-H] start\n"
            + "Enter \"help list\" for details.";

    @Override public String name() { return "list"; }

    @Override public String description() { return "walk a linked list"; }

    @Override
    public String usage() {
        return "list - linked list\n"
                + "list [[-o] offset][-e end][-[s|S] struct[.member[,member] [-l offset]] -[x|d]]\n"
                + "     [-r|-B] [-h [-O head_offset]|-H] start\n"
                + "  -o offset      offset of the next pointer (number or struct.member); a struct.member\n"
                + "                 argument without -o means the same\n"
                + "  -e end         stop when a next pointer equals end\n"
                + "  -s struct.m,.. show these members of each entry (-s struct: the whole struct; may repeat)\n"
                + "  -S struct.m,.. like -s, reading members of up to 8 bytes (and strings) straight from memory\n"
                + "  -l offset      with -s/-S: the entries are links at this offset (number or struct.member)\n"
                + "                 inside the structures to display\n"
                + "  -x | -d        show integer members in hexadecimal | decimal\n"
                + "  -h             start is a structure containing the list_head (at -o)\n"
                + "  -O offset      with -h: the head's list_head is at this offset of start (entries' at -o)\n"
                + "  -H             start is a list_head that is not an entry itself\n"
                + "  -r             follow the prev pointers of list_heads (implies -h unless -H)\n"
                + "  -B             no table of seen entries: Brent's algorithm detects loops (long lists)\n"
                + "JSON: one record per entry in \"entries\": address, members {member: value as printed}\n"
                + "  (-s/-S member) or value (-s struct); then problem when the walk stopped early.\n";
    }

    /** The parsed command line, named after crash's list_data fields. */
    private static final class Request {
        long start;
        boolean startEntered;
        long memberOffset;
        boolean offsetEntered;
        long listHeadOffset;
        long structListOffset;
        boolean structListOffsetEntered;
        long headMemberOffset;
        boolean headOffsetEntered;
        long end;
        boolean headFormat;
        boolean headPointer;
        boolean reverse;
        boolean brent;
        boolean hex;
        boolean decimal;
        Boolean direct;
        final List<String> structs = new ArrayList<>();
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        Session s = context.session();
        Kernel k = Kernel.of(s);
        Request r = parse(k, args);

        StructDisplay display = new StructDisplay(k, "list", r.structs, r.hex, Boolean.TRUE.equals(r.direct));
        if (r.headFormat) {
            r.listHeadOffset = r.memberOffset;
            r.memberOffset = r.reverse ? 8 : 0;
            if (r.headPointer || r.headOffsetEntered) {
                long head = r.headPointer ? r.start : r.start + r.headMemberOffset;
                if (r.end == 0) r.end = r.headPointer ? r.start : head;
                r.start = read(k, head + r.memberOffset, "LIST_HEAD contents");
                if (r.start == r.end) return Result.of("(empty)\n", Map.of("entries", List.of()));
            } else {
                r.start += r.listHeadOffset;
            }
        }
        long displayOffset = r.listHeadOffset + r.structListOffset;
        long first;
        try {
            first = k.u64(r.start + r.memberOffset);
        } catch (RuntimeException e) {
            throw new CommandException("invalid list entry: " + Long.toHexString(r.start));
        }
        // entries (with their members) are printed, or become one JSON record each, as they are read
        return Result.stream("entries", out -> {
            StringBuilder sb = new StringBuilder();
            Set<Long> seen = r.brent ? null : new HashSet<>();
            Brent loop = r.brent ? new Brent(k, r.start, r.memberOffset) : null;
            String problem = null;
            String invalid = null; // crash's error for a link at a non-kernel address, which ends the command
            long next = r.start;
            for (int count = 1; ; count++) {
                context.checkCancelled();
                long entry = next - r.listHeadOffset;
                sb.append(Long.toHexString(entry)).append('\n');
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("address", Hex.json(entry));
                // crash reads members only at kernel addresses: a user address ("60" from a
                // non-list word taken as the link) is listed bare, then its link cannot be read
                if (isKernelAddress(next - displayOffset)) display.show(next - displayOffset, sb, d);
                else display.showUnreadable(sb);
                out.text(sb);
                sb.setLength(0);
                out.record(d);
                // as crash: an entry seen before is printed again, then the walk stops
                if (seen != null && next != 0 && !seen.add(entry)) {
                    problem = "duplicate list entry: " + Long.toHexString(next);
                    break;
                }
                long last = next;
                if (!isKernelAddress(next + r.memberOffset)) {
                    invalid = String.format("invalid kernel virtual address: %x  type: \"list entry\"", next + r.memberOffset);
                    break;
                }
                try {
                    next = k.u64(next + r.memberOffset);
                } catch (RuntimeException e) {
                    problem = String.format("cannot read the next pointer at %x: %s", next + r.memberOffset, e.getMessage());
                    break;
                }
                if (next == 0) {
                    if (r.headFormat) problem = "invalid list entry: 0";
                    break;
                }
                if (next == r.end || next == r.start || next == last || (next == first && count != 1)) break;
                if (loop != null && (problem = loop.step()) != null) break;
                if (count >= MAX_ENTRIES) {
                    problem = "more than " + MAX_ENTRIES + " entries: stopped";
                    break;
                }
            }
            Map<String, Object> summary = new LinkedHashMap<>();
            if (invalid != null) {
                out.error("memory-invalid", "list: " + invalid + "\n");
                summary.put("problem", invalid);
            }
            if (problem != null) {
                context.warn("list: " + problem);
                summary.put("problem", problem);
            }
            return summary;
        });
    }

    /**
     * Brent's cycle detection over the next pointers (crash's -B): a "hare" runs ahead in powers
     * of two and the "tortoise" jumps to it; they meet only inside a loop. Then the loop's length
     * and the distance from the start to it are measured from the start.
     */
    private static final class Brent {
        private final Kernel k;
        private final long start;
        private final long linkOffset;
        private long tortoise;
        private long hare;
        private long power = 1;
        private long length;

        Brent(Kernel k, long start, long linkOffset) {
            this.k = k;
            this.start = start;
            this.linkOffset = linkOffset;
            this.tortoise = start;
            this.hare = start;
        }

        /** Advances the hare once per entry printed; a message when the list loops. */
        String step() {
            hare = next(hare);
            length++;
            if (hare == 0) return null;
            if (hare == tortoise) return loopMessage(length);
            if (length == power) {
                tortoise = hare;
                power *= 2;
                length = 0;
            }
            return null;
        }

        private String loopMessage(long lambda) {
            long t = start;
            long h = start;
            for (long i = 0; i < lambda; i++) h = next(h);
            long mu = 0;
            while (t != h && mu < MAX_ENTRIES) {
                t = next(t);
                h = next(h);
                mu++;
            }
            return String.format("loop detected, loop length: %d, length from start to loop: %d (duplicate list entry: %x)", lambda, mu, t);
        }

        private long next(long link) {
            return link == 0 ? 0 : k.u64(link + linkOffset);
        }
    }

    private static long read(Kernel k, long addr, String what) {
        try {
            return k.u64(addr);
        } catch (RuntimeException e) {
            throw new CommandException(String.format("invalid kernel virtual address: %x  type: \"%s\"", addr, what));
        }
    }

    /** crash's option and argument rules (cmd_list), its messages included. */
    private static Request parse(Kernel k, List<String> args) {
        Request r = new Request();
        List<String> pos = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("-") || a.length() < 2) {
                pos.add(a);
                continue;
            }
            for (int j = 1; j < a.length(); j++) {
                char c = a.charAt(j);
                if ("sSeoOl".indexOf(c) >= 0) {
                    String v = j + 1 < a.length() ? a.substring(j + 1) : ++i < args.size() ? args.get(i) : null;
                    if (v == null) throw new CommandException("option requires an argument -- '" + c + "'\n" + SYNOPSIS);
                    option(k, r, c, v);
                    break;
                }
                switch (c) {
                    case 'B' -> r.brent = true;
                    case 'H' -> {
                        r.headFormat = true;
                        r.headPointer = true;
                    }
                    case 'h' -> r.headFormat = true;
                    case 'r' -> {
                        r.headFormat = true;
                        r.reverse = true;
                    }
                    case 'x' -> {
                        if (r.decimal) throw new CommandException("-d and -x are mutually exclusive");
                        r.hex = true;
                    }
                    case 'd' -> {
                        if (r.hex) throw new CommandException("-d and -x are mutually exclusive");
                        r.decimal = true;
                    }
                    default -> throw new CommandException("invalid option -- '" + c + "'\n" + SYNOPSIS);
                }
            }
        }
        if (pos.size() > 2) throw new CommandException("too many arguments\n" + SYNOPSIS);
        if (r.structs.isEmpty() && r.structListOffsetEntered && r.structListOffset != 0) {
            throw new CommandException("-l option can only be used with -s or -S option\n" + SYNOPSIS);
        }
        for (int i = 0; i < pos.size(); i++) {
            String a = pos.get(i);
            String following = i + 1 < pos.size() ? pos.get(i + 1) : null;
            OptionalLong member = a.contains(".") ? memberOffset(k, a) : OptionalLong.empty();
            if (member.isPresent()) {
                enterOffset(r, member.getAsLong());
                continue;
            }
            OptionalLong sym = k.symbol(a);
            if (sym.isPresent()) {
                enterStart(r, sym.getAsLong());
                continue;
            }
            if (!isNumber(a)) {
                OptionalLong v = eval(k, a);
                if (v.isPresent() && isKernelAddress(v.getAsLong())) {
                    enterStart(r, v.getAsLong());
                    continue;
                }
                throw new CommandException("invalid argument: " + a);
            }
            if (r.startEntered) {
                r.memberOffset = number(a);
                r.offsetEntered = true;
                break;
            }
            if (r.offsetEntered || following == null) {
                long v = Hex.parseAddress(a.startsWith("0x") ? a : "0x" + a);
                if (!isKernelAddress(v)) throw new CommandException("invalid kernel virtual address: " + a);
                r.start = v;
                r.startEntered = true;
                break;
            }
            if (!isNumber(following) && k.symbol(following).isPresent()) {
                enterOffset(r, number(a));
                continue;
            }
            if (!isNumber(following) && eval(k, following).isEmpty() && !following.contains(".")) {
                throw new CommandException("symbol not found: " + following);
            }
            if (a.matches("[0-9]+") && following.matches("[0-9]+")) {
                throw new CommandException("ambiguous arguments: \"" + a + "\" and \"" + following + "\": -o is required\n" + SYNOPSIS);
            }
            if (hexOnly(a)) {
                long v = Hex.parseAddress(a.startsWith("0x") ? a : "0x" + a);
                if (isKernelAddress(v)) {
                    r.start = v;
                    r.startEntered = true;
                    continue;
                }
            }
            enterOffset(r, number(a));
        }
        if (!r.startEntered) throw new CommandException("starting address required\n" + SYNOPSIS);
        if (r.offsetEntered && r.structListOffset != 0 && !r.structs.isEmpty()) {
            throw new CommandException("-l and -o are mutually exclusive\n" + SYNOPSIS);
        }
        if (r.structs.isEmpty()) r.structListOffset = 0;
        return r;
    }

    private static void option(Kernel k, Request r, char c, String v) {
        switch (c) {
            case 's', 'S' -> {
                boolean direct = c == 'S';
                if (r.direct != null && r.direct != direct) throw new CommandException("-S and -s options are mutually exclusive");
                r.direct = direct;
                r.structs.add(v);
            }
            case 'l' -> {
                r.structListOffset = offsetArg(k, v).orElseThrow(() -> new CommandException("invalid -l option: " + v));
                r.structListOffsetEntered = true;
            }
            case 'O' -> {
                if (r.headOffsetEntered) throw alreadyEntered(r.headMemberOffset);
                r.headMemberOffset = offsetArg(k, v).orElseThrow(() -> new CommandException("invalid -O argument: " + v));
                r.headOffsetEntered = true;
            }
            case 'o' -> {
                if (r.offsetEntered) throw alreadyEntered(r.memberOffset);
                r.memberOffset = offsetArg(k, v).orElseThrow(() -> new CommandException("invalid -o argument: " + v));
                r.offsetEntered = true;
            }
            case 'e' -> r.end = Hex.parseAddress(v.startsWith("0x") ? v : "0x" + v);
            default -> throw new IllegalStateException();
        }
    }

    private static CommandException alreadyEntered(long offset) {
        return new CommandException(String.format("offset value %d (0x%x) already entered", offset, offset));
    }

    private static void enterOffset(Request r, long offset) {
        if (r.offsetEntered) throw alreadyEntered(r.memberOffset);
        r.memberOffset = offset;
        r.offsetEntered = true;
    }

    private static void enterStart(Request r, long start) {
        if (r.startEntered) throw new CommandException("list start already entered");
        r.start = start;
        r.startEntered = true;
    }

    /** An offset option's value: a number, or struct.member (a member path). */
    private static OptionalLong offsetArg(Kernel k, String v) {
        if (isNumber(v)) return OptionalLong.of(number(v));
        return memberOffset(k, v);
    }

    private static OptionalLong memberOffset(Kernel k, String s) {
        int dot = s.indexOf('.');
        if (dot <= 0 || dot == s.length() - 1) return OptionalLong.empty();
        try {
            return k.offset(s.substring(0, dot), s.substring(dot + 1));
        } catch (RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** crash's IS_A_NUMBER: decimal digits, or hexadecimal digits with an optional 0x. */
    private static boolean isNumber(String s) {
        return s.matches("[0-9]+") || s.matches("(0[xX])?[0-9a-fA-F]+");
    }

    /** A number that cannot be read as decimal (crash's hexadecimal_only). */
    private static boolean hexOnly(String s) {
        return isNumber(s) && !s.matches("[0-9]+");
    }

    /** crash's stol: decimal when the digits allow, hexadecimal otherwise. */
    private static long number(String s) {
        if (s.matches("[0-9]+")) return Long.parseLong(s);
        return Long.parseUnsignedLong(s.replaceFirst("^0[xX]", ""), 16);
    }

    /**
     * A name's address as crash's own symbol table finds it: the kernel's, else the module with the
     * lowest address that defines it (crash keeps its modules in address order), not the module whose
     * debuginfo is loaded: list -h __this_module+80 starts at virtio's kobject when vqbug's is loaded.
     */
    private static OptionalLong crashsSymbol(Kernel k, String s) {
        List<org.kdive.api.symbols.Symbol> all;
        try {
            all = k.session().symbols().byName(s);
        } catch (RuntimeException e) {
            return k.symbol(s);
        }
        if (all.isEmpty() || all.stream().anyMatch(x -> x.module() == null)) return k.symbol(s);
        return all.stream().filter(x -> x.address() != 0).mapToLong(org.kdive.api.symbols.Symbol::address)
                .reduce((a, b) -> Long.compareUnsigned(a, b) <= 0 ? a : b);
    }

    /** A simple "symbol+offset" / "address-offset" expression, as crash evaluates start arguments. */
    private static OptionalLong eval(Kernel k, String s) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([A-Za-z_0-9.]+)([+-])(0[xX][0-9a-fA-F]+|[0-9]+)").matcher(s);
        if (!m.matches()) return OptionalLong.empty();
        OptionalLong base = parseAddress(k, m.group(1));
        if (base.isEmpty()) return OptionalLong.empty();
        long delta = number(m.group(3));
        return OptionalLong.of(m.group(2).equals("+") ? base.getAsLong() + delta : base.getAsLong() - delta);
    }

    /** The upper half of the address space, where x86_64's and arm64's kernel addresses live. */
    private static boolean isKernelAddress(long v) {
        return v < 0;
    }

    /**
     * Collects the entry addresses of a list_head list (for other commands): entries are
     * containers, link address minus offset. Returns a problem (cycle, unreadable pointer) or null.
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

    /** A byte offset given as a decimal or 0x number or as struct.member (a dotted member path). */
    static OptionalLong offset(Kernel k, String s) {
        if (s.matches("\\d+")) return OptionalLong.of(Long.parseLong(s));
        if (s.matches("0x[0-9a-fA-F]+")) return OptionalLong.of(Long.parseLong(s.substring(2), 16));
        int dot = s.indexOf('.');
        if (dot < 0) return OptionalLong.empty();
        return k.offset(s.substring(0, dot), s.substring(dot + 1));
    }

    static long address(Kernel k, String s) {
        return parseAddress(k, s).orElseThrow(() -> new CommandException("invalid address or symbol: " + s));
    }

    /** A kernel symbol's address or a hexadecimal address; a name that is both counts as the symbol. */
    static OptionalLong parseAddress(Kernel k, String s) {
        OptionalLong sym = crashsSymbol(k, s);
        if (sym.isPresent() && !s.matches("[0-9a-fA-Fx]+")) return sym;
        if (Hex.looksLikeAddress(s) || s.matches("(0x)?[0-9a-fA-F]+")) return OptionalLong.of(Hex.parseAddress(s));
        return sym;
    }
}
