package org.kdive.cmd.symbols;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.kdive.api.command.Args;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.kernel.KernelTasks;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.session.Session;
import org.kdive.cmd.symbols.modules.KernelModules;
import org.kdive.cmd.symbols.paging.KernelRanges;
import org.kdive.cmd.symbols.search.PageScan;
import org.kdive.cmd.symbols.search.PageSink;
import org.kdive.cmd.symbols.search.SearchOutput;
import org.kdive.cmd.symbols.search.StringMatcher;
import org.kdive.cmd.symbols.search.WordMatcher;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * crash's {@code search}: values (8, 4 or 2 bytes, with a don't-care mask) or strings in physical
 * memory or kernel virtual memory, over the ranges crash walks (see {@link KernelRanges}).
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=search")
public final class SearchCommand implements Command {
    private static final String SYNOPSIS = """
            search [-s start] [ -[kKV] | -u | -p | -t | -T ] [-e end | -l length] [-m mask]
                   [-x count] -[cwh] [value | (expression) | symbol | string] ...""";
    private static final int PAGE = 4096;
    private static final int MAX_VALUES = 256;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile KernelTasks tasks;

    public SearchCommand() {
    }

    /** Outside OSGi: the task list tells whether the current context has a user address space (may be null). */
    public SearchCommand(KernelTasks tasks) {
        this.tasks = tasks;
    }

    @Override public String name() { return "search"; }

    @Override public String description() { return "search memory"; }

    @Override
    public String usage() {
        return "search - search memory\n" + SYNOPSIS + """

                  -s start   start at this address or symbol    -e end / -l length  stop there / after length bytes
                  -k         kernel virtual memory (default)    -K  without vmalloc, module and struct page memory
                  -V         without the direct map and the kernel image
                  -p         physical memory                    -u  the current context's user memory
                  -m mask    ignore the bits set in mask        -x count  show count words before and after
                  -c         search strings                     -w / -h  search 32-bit / 16-bit values
                  value      hexadecimal value, symbol or (expression); a string with -c""";
    }

    @Override
    public Result execute(CommandContext context, List<String> raw) {
        Session s = context.session();
        Args args = Args.parse(raw, Set.of("k", "K", "V", "p", "u", "t", "T", "c", "w", "h"), Set.of("s", "e", "l", "m", "x"));
        if (args.has("t") || args.has("T")) {
            if (args.has("t") && args.has("T")) throw new CommandException("-t and -T options are mutually exclusive");
            throw new CommandException("-" + (args.has("t") ? "t" : "T") + ": searching task stacks is not supported yet");
        }
        boolean physical = args.has("p");
        if (args.has("u")) userSpace(s);
        int width = args.has("c") ? 0 : args.has("h") ? 2 : args.has("w") ? 4 : 8;
        Long start = args.value("s") == null ? null : address(s, args.value("s"));
        Long end = null;
        if (args.value("e") != null) {
            end = address(s, args.value("e"));
            if (end == 0) throw new CommandException("invalid ending address: 0");
        }
        long length = args.value("l") == null ? 0 : number(args.value("l"));
        long mask = args.value("m") == null ? 0 : hex(args.value("m"));
        int around = args.value("x") == null ? 0 : (int) Math.min(Integer.MAX_VALUE, number(args.value("x")));
        if (args.positional().isEmpty() || length != 0 && end != null) throw new CommandException(usageError());
        if (args.positional().size() > MAX_VALUES) throw new CommandException("too many values (at most " + MAX_VALUES + ")");

        long maxPfn = s.arch().addressSpace(s).maxPfn();
        KernelRanges ranges = physical ? null : KernelRanges.of(s);
        long from = start != null ? start : physical ? 0 : ranges.ranges().get(0).start();
        if (!physical && Long.compareUnsigned(from, KernelRanges.kernelBase(s)) < 0) {
            throw new CommandException("invalid kernel virtual address: " + Long.toHexString(from) + "\n" + usageError());
        }
        long to;
        if (end != null) {
            to = end;
        } else if (length != 0) {
            to = from + length;
        } else if (physical) {
            to = maxPfn > 0 ? maxPfn * PAGE : s.dump().memory().limit();
        } else {
            to = ranges.ranges().stream().mapToLong(KernelRanges.Range::end).reduce(0, (a, b) -> Long.compareUnsigned(a, b) >= 0 ? a : b);
        }
        if (Long.compareUnsigned(to, from) < 0) {
            throw new CommandException("ending address " + Long.toHexString(to) + " is below starting address " + Long.toHexString(from)
                    + "\n" + usageError());
        }
        List<String> notes = new ArrayList<>();
        if (mask != 0 && width == 0) notes.add("search: mask ignored on string search");
        if (around != 0) {
            if (width == 0) throw new CommandException("-x option is not allowed with -c");
            int max = PAGE / width;
            if (around > max || around < 0) throw new CommandException("context value " + around + " is too large: maximum is " + max);
        }

        SearchOutput out;
        java.util.function.Supplier<PageSink> matcher; // a fresh one per run of the output (matchers keep state across pages)
        List<String> shownValues = new ArrayList<>();
        if (width == 0) {
            List<byte[]> targets = new ArrayList<>();
            for (String w : args.positional()) {
                String t = unquoted(w);
                if (t.isEmpty()) continue; // crash skips empty strings
                targets.add(t.getBytes(StandardCharsets.UTF_8));
                shownValues.add(t);
            }
            if (targets.isEmpty()) throw new CommandException(usageError());
            out = new SearchOutput(0, null, shownValues.toArray(new String[0]), 0, null);
            byte[][] wanted = targets.toArray(new byte[0][]);
            SearchOutput o = out;
            matcher = () -> new StringMatcher(wanted, o);
        } else {
            long[] values = new long[args.positional().size()];
            String[] names = new String[values.length];
            for (int i = 0; i < values.length; i++) {
                String w = args.positional(i);
                Value v = value(s, w);
                values[i] = v.value;
                names[i] = mask != 0 || !v.named ? "" : w.startsWith("(") ? w : "(" + w + ")";
                if (width < 8 && Long.compareUnsigned(v.value, (1L << (8 * width)) - 1) > 0) {
                    throw new CommandException(String.format("value too large for -%s option: %x %s", width == 4 ? "w" : "h", v.value, names[i]));
                }
                shownValues.add("0x" + Long.toHexString(v.value));
            }
            SearchOutput.Reader reader = physical ? (a, b) -> s.dump().memory().read(a, b, 0, b.length) : (a, b) -> s.memory().read(a, b, 0, b.length);
            out = new SearchOutput(width, names, null, around, reader);
            SearchOutput o = out;
            matcher = () -> new WordMatcher(width, values, mask, o);
        }
        notes.forEach(out::note);
        if ((from & 7) != 0) {
            from &= ~7L;
            out.note("search: rounding down start address to: " + Long.toHexString(from));
        }
        long first = from;
        long last = to;
        SearchOutput hits = out;
        java.util.function.Supplier<PageSink> matchers = matcher;
        // matches are printed (or become JSON records) as the scan finds them
        return Result.stream("matches", o -> {
            hits.to(o);
            PageScan scan = new PageScan(s);
            PageSink scanned = matchers.get();
            PageSink checked = (address, page, f, t) -> {
                context.checkCancelled();
                return scanned.chunk(address, page, f, t);
            };
            boolean complete = physical ? scan.physical(first, last, checked)
                    : scan.kernel(first, last, !args.has("V"), !args.has("K"), checked);
            if (!complete) hits.note("search: stopped after " + SearchOutput.MAX_MATCHES + " matches (narrow it with -s, -e or -l)");
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("memory", physical ? "physical" : "kernel");
            data.put("start", "0x" + Long.toHexString(first));
            data.put("end", "0x" + Long.toHexString(last));
            data.put("mode", width == 0 ? "string" : (width * 8) + "-bit");
            data.put(width == 0 ? "strings" : "values", shownValues);
            if (mask != 0 && width != 0) data.put("mask", "0x" + Long.toHexString(mask));
            data.put("truncated", hits.truncated());
            return data;
        });
    }

    static String usageError() {
        return "Usage:\n  " + SYNOPSIS.replace("\n", "\n  ") + "\nEnter \"help search\" for details.";
    }

    private record Value(long value, boolean named) {
    }

    /** crash's order: an (expression), a symbol, else a hexadecimal number. */
    private static Value value(Session s, String w) {
        if (w.startsWith("(")) return new Value(RdCommand.expression(s, w), true);
        Optional<Long> symbol = symbol(s, w);
        if (symbol.isPresent()) return new Value(symbol.get(), true);
        return new Value(hex(w), false);
    }

    /** -s / -e: a symbol or a hexadecimal address. */
    private static long address(Session s, String w) {
        return symbol(s, w).orElseGet(() -> hex(w));
    }

    private static Optional<Long> symbol(Session s, String w) {
        if (!VtopCommand.HexWord.isHex(w)) KernelModules.ensureKallsyms(s); // module symbols too, as crash knows them
        return Names.defined(s, w).isEmpty() ? Optional.empty() : Optional.of(Names.address(s, w));
    }

    private static long hex(String w) {
        if (!VtopCommand.HexWord.isHex(w)) throw new CommandException("invalid input: \"" + w + "\"");
        return VtopCommand.HexWord.parse(w);
    }

    /** crash's stol/dtoi: decimal, or hexadecimal after 0x. */
    private static long number(String w) {
        try {
            return w.startsWith("0x") || w.startsWith("0X") ? Long.parseUnsignedLong(w.substring(2), 16) : Long.parseLong(w);
        } catch (NumberFormatException e) {
            throw new CommandException("invalid input: \"" + w + "\"");
        }
    }

    /** The shell may hand over a quoted string with its quotes. */
    private static String unquoted(String w) {
        return w.length() >= 2 && w.startsWith("\"") && w.endsWith("\"") ? w.substring(1, w.length() - 1) : w;
    }

    /** -u: crash refuses a context without user memory; walking a process's page tables is not done yet. */
    private void userSpace(Session s) {
        KernelTasks kt = tasks;
        Optional<TaskInfo> current = kt == null ? Optional.empty() : kt.currentTask(s);
        if (current.isPresent() && VtopCommand.mm(s, current.get().task()) == 0) {
            throw new CommandException("current context has no user address space");
        }
        throw new CommandException("-u: searching user virtual memory is not supported yet");
    }
}
