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
import org.kdive.cmd.symbols.user.UserSpace;
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
                  -t         every task's kernel stack (a header names the task with matches)
                  -T         the kernel stacks of the active tasks only
                  -m mask    ignore the bits set in mask        -x count  show count words before and after
                  -c         search strings                     -w / -h  search 32-bit / 16-bit values
                  value      hexadecimal value, symbol or (expression); a string with -c""";
    }

    @Override
    public Result execute(CommandContext context, List<String> raw) {
        Session s = context.session();
        Args args = Args.parse(raw, Set.of("k", "K", "V", "p", "u", "t", "T", "c", "w", "h"), Set.of("s", "e", "l", "m", "x"));
        boolean stacks = args.has("t") || args.has("T");
        if (args.has("t") && args.has("T")) throw new CommandException("-t and -T options are mutually exclusive");
        if (stacks && (args.has("u") || args.has("p") || args.has("k") || args.has("K") || args.has("V") || args.value("s") != null
                || args.value("e") != null || args.value("l") != null)) {
            throw new CommandException("-" + (args.has("t") ? "t" : "T") + " option cannot be used with other memory-selection options");
        }
        boolean physical = args.has("p");
        UserSpace user = args.has("u") ? UserSpace.current(s, tasks) : null;
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
        KernelRanges ranges = physical || user != null ? null : KernelRanges.of(s);
        long from = start != null ? start : physical ? 0 : user != null ? Math.max(0, user.firstVmaStart()) : ranges.ranges().get(0).start();
        if (user != null && from < 0) throw new CommandException("invalid user virtual address: " + Long.toHexString(from) + "\n" + usageError());
        if (!physical && user == null && !stacks && Long.compareUnsigned(from, KernelRanges.kernelBase(s)) < 0) {
            throw new CommandException("invalid kernel virtual address: " + Long.toHexString(from) + "\n" + usageError());
        }
        long to;
        if (end != null) {
            to = end;
        } else if (length != 0) {
            to = from + length;
        } else if (physical) {
            to = maxPfn > 0 ? maxPfn * PAGE : s.dump().memory().limit();
        } else if (user != null) {
            to = USER_END;
        } else {
            to = ranges.ranges().stream().mapToLong(KernelRanges.Range::end).reduce(0, (a, b) -> Long.compareUnsigned(a, b) >= 0 ? a : b);
        }
        if (user != null && Long.compareUnsigned(to, USER_END) > 0) {
            throw new CommandException("ending address " + Long.toHexString(to) + " is in kernel space\n" + usageError());
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
            SearchOutput.Reader reader = physical ? (a, b) -> s.dump().memory().read(a, b, 0, b.length)
                    : user != null ? (a, b) -> user.read(a, b, "") : (a, b) -> s.memory().read(a, b, 0, b.length);
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
        boolean activeOnly = args.has("T");
        return Result.stream("matches", o -> {
            TaskHeaders headed = new TaskHeaders(o);
            hits.to(headed);
            PageScan scan = new PageScan(s);
            PageSink scanned = matchers.get();
            PageSink checked = (address, page, f, t) -> {
                context.checkCancelled();
                return scanned.chunk(address, page, f, t);
            };
            boolean complete;
            if (stacks) {
                complete = true;
                long size = threadSize(s);
                for (TaskInfo t : taskList(s)) {
                    if (activeOnly && !t.active()) continue;
                    long base = stackBase(s, t.task());
                    if (base == 0) continue;
                    headed.next(t);
                    // a fresh matcher per stack: strings do not run from one task's stack into the next
                    PageSink one = matchers.get();
                    complete = scan.kernel(base, base + size, true, true, (address, page, f, end2) -> {
                        context.checkCancelled();
                        return one.chunk(address, page, f, end2);
                    });
                    if (!complete) break;
                }
            } else if (user != null) {
                complete = scan.walked(user.pgdPhys(), first, last, checked);
            } else {
                complete = physical ? scan.physical(first, last, checked)
                        : scan.kernel(first, last, !args.has("V"), !args.has("K"), checked);
            }
            if (!complete) hits.note("search: stopped after " + SearchOutput.MAX_MATCHES + " matches (narrow it with -s, -e or -l)");
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("memory", physical ? "physical" : user != null ? "user" : stacks ? "task stacks" : "kernel");
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

    /** The end of user space (exclusive): every address below the kernel's half. */
    private static final long USER_END = Long.MIN_VALUE;

    private List<TaskInfo> taskList(Session s) {
        KernelTasks kt = tasks;
        if (kt == null) throw new CommandException("the task list is not available");
        return kt.tasks(s);
    }

    /** task_struct.stack: the base of the task's kernel stack (crash's GET_STACKBASE). */
    private static long stackBase(Session s, long task) {
        var m = s.symbols().type("struct task_struct").flatMap(t -> org.kdive.cmd.symbols.types.OffsetLayout.findMember(t, "stack"))
                .orElseThrow(() -> new CommandException("struct task_struct.stack is not known (no vmlinux debuginfo?)"));
        try {
            return s.memory().u64(task + m.offset());
        } catch (org.kdive.api.KdiveException e) {
            return 0;
        }
    }

    /**
     * The kernel's THREAD_SIZE, from the kernel itself: the init task's stack area the linker script
     * lays out (__start_init_task .. __end_init_task to 6.1, __start_init_stack .. __end_init_stack by
     * 6.12), else the declared type of init_stack (sched/task.h: unsigned long[THREAD_SIZE / sizeof(long)],
     * in the DWARF of the 5.10, 6.1 and 6.12 kernels), else the size of union thread_union (often not in the DWARF).
     */
    static long threadSize(Session s) {
        return org.kdive.api.kernel.ThreadSize.of(s)
                .orElseThrow(() -> new CommandException(
                        "the kernel stack size is unknown (no __end_init_task or __end_init_stack, no init_stack type, no union thread_union)"));
    }

    /** The Output of search -t/-T: a task's header before its first match, a blank line between tasks. */
    private static final class TaskHeaders implements org.kdive.api.command.Output {
        private final org.kdive.api.command.Output out;
        private TaskInfo pending;
        private int found;

        TaskHeaders(org.kdive.api.command.Output out) {
            this.out = out;
        }

        void next(TaskInfo t) {
            pending = t;
        }

        private void header() {
            if (pending == null) return;
            TaskInfo t = pending;
            pending = null;
            out.text((found++ > 0 ? "\n" : "") + String.format("PID: %-7d  TASK: %x  CPU: %-3d  COMMAND: \"%s\"%n", t.pid(), t.task(), t.cpu(), t.comm()));
            Map<String, Object> task = new LinkedHashMap<>();
            task.put("pid", t.pid());
            task.put("task", "0x" + Long.toHexString(t.task()));
            task.put("cpu", t.cpu());
            task.put("command", t.comm());
            out.record(Map.of("task", task));
        }

        @Override public boolean json() { return out.json(); }

        @Override public void text(CharSequence text) {
            header();
            out.text(text);
        }

        @Override public void record(Object record) {
            header();
            out.record(record);
        }

        @Override public void error(String code, CharSequence text) { out.error(code, text); }
    }
}
