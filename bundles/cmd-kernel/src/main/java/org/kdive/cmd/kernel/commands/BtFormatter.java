package org.kdive.cmd.kernel.commands;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.kdive.api.arch.AddressSpace;
import org.kdive.api.arch.ExceptionFrame;
import org.kdive.api.arch.Registers;
import org.kdive.api.arch.StackFrame;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.SourceLine;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.util.Columns;
import org.kdive.api.util.Hex;
import org.kdive.cmd.kernel.access.Kernel;
import org.kdive.cmd.kernel.slab.Slub;
import org.kdive.cmd.kernel.tasks.Backtraces;
import org.kdive.cmd.kernel.tasks.TaskStack;

/**
 * Renders a task's backtrace as crash's {@code bt} does, in each of its modes (frames, -t/-T text
 * symbols, -e exception-frame search, -r raw stack, -o scanned frames); the architecture finds
 * frames and formats registers, this class only lays them out.
 */
final class BtFormatter {
    /** What bt shows and how: crash's flags. */
    record Options(boolean full, int symbolic, boolean lines, boolean symbolOffset, int radix, boolean oldMethod) {
        static final Options PLAIN = new Options(false, 0, false, false, 10, false);

        static Options frames(boolean full, boolean lines) {
            return new Options(full, 0, lines, false, 10, false);
        }
    }

    private final Session s;
    private final Kernel k;
    private final Options o;
    private Slub slub;

    BtFormatter(Session s, Options o) {
        this.s = s;
        this.k = Kernel.of(s);
        this.o = o;
    }

    /** Header and frames of one task; the data map gets the JSON form. */
    String format(TaskInfo t, Map<String, Object> data) {
        StringBuilder sb = new StringBuilder();
        sb.append(PsCommand.header(t)).append('\n');
        data.put("task", task(t));
        List<Object> frames = new ArrayList<>();
        data.put("frames", frames);
        List<StackFrame> fs;
        if (o.oldMethod()) {
            fs = scanned(t);
        } else {
            Backtraces.Trace trace = Backtraces.of(s, t);
            if (trace.problem() != null) {
                sb.append("    (cannot show the backtrace: ").append(trace.problem()).append(")\n");
                data.put("problem", trace.problem());
                return sb.toString();
            }
            fs = trace.frames();
        }
        frames(sb, fs, frames);
        return sb.toString();
    }

    /** bt -o: the architecture's scan of the task stack from the starting registers. */
    private List<StackFrame> scanned(TaskInfo t) {
        Backtraces.Trace trace = Backtraces.of(s, t);
        if (trace.frames().isEmpty()) return List.of();
        StackFrame first = trace.frames().get(0);
        Registers start = Backtraces.startRegisters(s, t).orElse(null);
        if (start == null) return List.of();
        Registers at = start.with(start.spName(), first.sp()).with(start.pcName(), first.pc());
        AddressSpace.Region stack = TaskStack.of(s).regionHolding(t, first.sp());
        return s.arch().unwindByScan(s, at, stack, !t.kernelThread());
    }

    static Map<String, Object> task(TaskInfo t) {
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("pid", t.pid());
        task.put("task", Hex.json(t.task()));
        task.put("cpu", t.cpu());
        task.put("comm", t.comm());
        return task;
    }

    private void frames(StringBuilder sb, List<StackFrame> fs, List<Object> frames) {
        for (int i = 0; i < fs.size(); i++) {
            StackFrame f = fs.get(i);
            StackFrame prev = i > 0 ? fs.get(i - 1) : null;
            if (o.full() && prev != null) {
                List<Object> words = fullFrame(sb, s.arch().frameWords(prev, f));
                @SuppressWarnings("unchecked")
                Map<String, Object> prevData = (Map<String, Object>) frames.get(frames.size() - 1);
                prevData.put("stack_words", words);
            }
            // leaving a stack: after the previous frame (and its exception frame) and the rest of that
            // stack's words (bt -f), before this frame
            if (prev != null && prev.stack() != null && !prev.stack().equals(f.stack())) {
                sb.append("--- <").append(prev.stack()).append("> ---\n");
            }
            // a return address points after the call: name the call site, unless the pc came from an exception frame
            long lookup = s.arch().symbolAddress(prev, f);
            Optional<Symbol> sym = k.containing(lookup);
            String name = sym.map(x -> name(x, f.pc())).orElse(String.format("%x", f.pc()));
            sb.append(f.level() < 10 ? " " : "").append('#').append(f.level()).append(" [");
            Columns.hex16(sb, f.sp()).append("] ").append(name).append(" at ");
            Columns.hex16(sb, f.pc());
            sym.map(Symbol::module).filter(m -> m != null).ifPresent(m -> sb.append(" [").append(m).append(']'));
            sb.append('\n');
            Map<String, Object> fd = new LinkedHashMap<>();
            fd.put("level", f.level());
            fd.put("function", sym.map(Symbol::name).orElse(null));
            fd.put("offset", sym.map(x -> f.pc() - x.address()).orElse(null));
            fd.put("module", sym.map(Symbol::module).orElse(null));
            fd.put("address", Hex.json(f.pc()));
            fd.put("sp", Hex.json(f.sp()));
            fd.put("method", f.method());
            fd.put("reliable", f.reliable());
            if (o.lines()) {
                Optional<SourceLine> l = line(lookup);
                l.ifPresent(sl -> {
                    sb.append("    ").append(sl.file()).append(": ").append(sl.line()).append('\n');
                    fd.put("file", sl.file());
                    fd.put("line", sl.line());
                });
            }
            if (f.exceptionRegs() != null) {
                Registers ex = f.exceptionRegs();
                s.arch().formatException(ex, this::where).forEach(l -> sb.append(l).append('\n'));
                if (o.lines() && s.arch().kernelMode(ex)) {
                    line(ex.pc()).ifPresent(sl ->
                            sb.append("    ").append(sl.file()).append(": ").append(sl.line()).append('\n'));
                }
                fd.put("exception", exception(ex));
            }
            frames.add(fd);
        }
    }

    /** A frame's function as bt names it: with -s its offset too, in the radix -x/-d chose. */
    private String name(Symbol sym, long pc) {
        long off = pc - sym.address();
        if (!o.symbolOffset() || off == 0) return sym.name();
        return sym.name() + (o.radix() == 16 ? String.format("+0x%x", off) : "+" + off);
    }

    /** bt -t / -T: every text address on the stack, with the START line for -t. */
    String textSymbols(TaskInfo t, boolean all, Map<String, Object> data) {
        StringBuilder sb = new StringBuilder(PsCommand.header(t)).append('\n');
        data.put("task", task(t));
        TaskStack ts = TaskStack.of(s);
        long from;
        AddressSpace.Region stack;
        if (all) {
            stack = ts.region(t);
            from = stack.start() + ts.belowFrames();
        } else {
            Backtraces.Trace trace = Backtraces.of(s, t);
            if (trace.frames().isEmpty()) {
                sb.append("    (cannot show the backtrace: ").append(trace.problem()).append(")\n");
                data.put("problem", trace.problem());
                return sb.toString();
            }
            StackFrame first = trace.frames().get(0);
            Optional<Symbol> startSym = k.containing(first.pc());
            sb.append(String.format("%14sSTART: %s at %x%n", "", startSym.map(Symbol::name)
                    .orElse(String.format("%x", first.pc())), first.pc()));
            Map<String, Object> start = new LinkedHashMap<>();
            start.put("function", startSym.map(Symbol::name).orElse(null));
            start.put("address", Hex.json(first.pc()));
            start.put("sp", Hex.json(first.sp()));
            data.put("start", start);
            from = first.sp();
            stack = ts.regionHolding(t, from);
        }
        List<Object> words = new ArrayList<>();
        StackFrame prev = null;
        for (StackFrame f : s.arch().textWords(s, stack, from, !t.kernelThread())) {
            // off an IRQ stack onto the interrupted one, as in the frames' listing
            if (prev != null && prev.stack() != null && !prev.stack().equals(f.stack())) {
                sb.append("--- <").append(prev.stack()).append("> ---\n");
            }
            prev = f;
            Optional<Symbol> sym = k.containing(f.pc());
            String name = sym.map(x -> name(x, f.pc())).orElse(String.format("%x", f.pc()));
            sb.append(String.format("  [%016x] %s at %x", f.sp(), name, f.pc()));
            sym.map(Symbol::module).filter(m -> m != null).ifPresent(m -> sb.append(" [").append(m).append(']'));
            sb.append('\n');
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("sp", Hex.json(f.sp()));
            w.put("address", Hex.json(f.pc()));
            w.put("function", sym.map(Symbol::name).orElse(null));
            w.put("offset", sym.map(x -> f.pc() - x.address()).orElse(null));
            w.put("module", sym.map(Symbol::module).orElse(null));
            if (f.exceptionRegs() != null) {
                s.arch().formatException(f.exceptionRegs(), this::where).forEach(l -> sb.append(l).append('\n'));
                w.put("exception", exception(f.exceptionRegs()));
            }
            words.add(w);
        }
        data.put("text_symbols", words);
        return sb.toString();
    }

    /** bt -e: the exception frames found anywhere on the task's stack. */
    String exceptionSearch(TaskInfo t, Map<String, Object> data) {
        StringBuilder sb = new StringBuilder(PsCommand.header(t)).append('\n');
        data.put("task", task(t));
        AddressSpace.Region stack = TaskStack.of(s).region(t);
        data.put("exception_frames", found(sb, s.arch().searchExceptionFrames(s, stack, stack.start(), !t.kernelThread())));
        return sb.toString();
    }

    /** Prints found exception frames as crash does; returns their JSON form. */
    List<Object> found(StringBuilder sb, List<ExceptionFrame> frames) {
        List<Object> out = new ArrayList<>();
        boolean first = true;
        for (ExceptionFrame f : frames) {
            s.arch().formatFoundException(f, first, this::where).forEach(l -> sb.append(l).append('\n'));
            first = false;
            Map<String, Object> m = exception(f.regs());
            m.put("frame", Hex.json(f.address()));
            m.put("kernel_mode", s.arch().kernelMode(f.regs()));
            out.add(m);
        }
        return out;
    }

    /** bt -r: the whole stack as rd -s shows memory: two words a line, symbols by name. */
    String raw(TaskInfo t, Map<String, Object> data) {
        StringBuilder sb = new StringBuilder(PsCommand.header(t)).append('\n');
        data.put("task", task(t));
        AddressSpace.Region stack = TaskStack.of(s).region(t);
        data.put("stack", Hex.json(stack.start()));
        data.put("size", stack.end() - stack.start());
        List<Object> words = new ArrayList<>();
        for (long a = stack.start(); Long.compareUnsigned(a, stack.end()) < 0; a += 16) {
            sb.append(String.format("%x:  ", a));
            for (long w = a; w < a + 16; w += 8) {
                String v;
                Map<String, Object> wd = new LinkedHashMap<>();
                wd.put("address", Hex.json(w));
                try {
                    long x = k.u64(w);
                    String sym = symbol(x);
                    v = sym != null ? String.format("%-16s", sym) : String.format("%016x", x);
                    wd.put("value", Hex.json(x));
                    wd.put("symbol", sym);
                } catch (RuntimeException e) {
                    v = "????????????????";
                    wd.put("value", null);  // unreadable
                    wd.put("symbol", null);
                }
                words.add(wd);
                sb.append(v).append(' ');
            }
            sb.append('\n');
        }
        data.put("words", words);
        return sb.toString();
    }

    private Optional<SourceLine> line(long addr) {
        try {
            return s.symbols().line(addr);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The stack words between two frames, as the architecture places them for crash's layout; their
     * JSON form: {address, value} each, with -F/-FF the symbol ("name+off") or slab cache it points into.
     */
    private List<Object> fullFrame(StringBuilder sb, AddressSpace.Region range) {
        List<Object> out = new ArrayList<>();
        if (range.isEmpty() || range.end() - range.start() > 16384) return out; // another stack, or nonsense
        long from = range.start();
        int words = (int) ((range.end() - from) / 8);
        byte[] b;
        try {
            b = k.memory().read(from, words * 8);
        } catch (RuntimeException e) {
            sb.append(String.format("    (stack at %x not readable: %s)%n", from, e.getMessage()));
            return out;
        }
        for (int i = 0; i < words; i++) {
            if ((i & 1) == 0) {
                if (i > 0) sb.append('\n');
                sb.append(String.format("    %x: ", from + 8L * i));
            }
            long v = 0;
            for (int j = 7; j >= 0; j--) v = (v << 8) | (b[i * 8 + j] & 0xff);
            sb.append(o.symbolic() > 0 ? symbolicWord(v) : String.format("%016x", v)).append(' ');
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("address", Hex.json(from + 8L * i));
            w.put("value", Hex.json(v));
            if (o.symbolic() > 0) {
                String sym = symbol(v);
                w.put("symbol", sym);
                w.put("slab_cache", sym == null ? slabCache(v) : null);
            }
            out.add(w);
        }
        sb.append('\n');
        return out;
    }

    /**
     * bt -F: a stack word by the symbol it points into ("name+off"), else by the slab cache of the
     * object it points into ("[cache]", -FF "[address:cache]"), else in hex; 16 columns wide.
     */
    private String symbolicWord(long v) {
        String sym = symbol(v);
        if (sym != null) return String.format("%-16s", sym);
        String cache = slabCache(v);
        if (cache != null) return String.format("%-16s", o.symbolic() > 1 ? String.format("[%x:%s]", v, cache) : "[" + cache + "]");
        return String.format("%016x", v);
    }

    /** "name+off" of an address inside the kernel's or a module's symbols, or null (crash's in_ksymbol_range). */
    private String symbol(long v) {
        if (v >= 0) return null;
        Optional<Symbol> sym = k.containing(v);
        if (sym.isEmpty()) return null;
        Symbol x = sym.get();
        if (x.module() == null) {
            if (!inKernelSymbols(v)) return null;
        } else if (x.size() > 0 && v - x.address() >= x.size()) {
            return null;
        }
        long off = v - x.address();
        if (off == 0 && x.module() == null) {
            // crash's table search names an address shared by several kernel symbols after the first
            // it keeps there (__sched_class_highest, not stop_sched_class), as rd -s and dis do
            try {
                List<Symbol> here = s.symbols().at(v);
                if (!here.isEmpty() && here.get(0).module() == null) return here.get(0).name();
            } catch (RuntimeException e) {
                // keep the symbol found
            }
        }
        return off == 0 ? x.name() : x.name() + "+" + off;
    }

    private long kernelSymbolsEnd = 0;

    private boolean inKernelSymbols(long v) {
        if (kernelSymbolsEnd == 0) kernelSymbolsEnd = k.symbol("_end").orElse(-1L);
        return Long.compareUnsigned(v, kernelSymbolsEnd) < 0 && s.arch().addressSpace(s).kernelImage().contains(v);
    }

    /** The slab cache whose slab holds a direct-map address, or null. */
    private String slabCache(long v) {
        try {
            if (!s.arch().addressSpace(s).directMap().contains(v) || !s.memory().isReadable(v)) return null;
            if (slub == null) slub = Slub.of(k);
            long page = slub.pageOf(v);
            if (!slub.isSlabPage(page)) return null;
            return slub.name(slub.cacheOf(page));
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** "name+offset" (decimal, no "+0") of a code address, or null when no symbol contains it. */
    String where(long pc) {
        return k.containing(pc).map(x -> x.name() + (pc - x.address() > 0 ? "+" + (pc - x.address()) : "")).orElse(null);
    }

    /** The JSON form of an exception frame: where it hit (kernel mode: function+offset) and the registers as numbers. */
    Map<String, Object> exception(Registers r) {
        Map<String, Object> m = new LinkedHashMap<>();
        long rip = r.pc();
        Optional<Symbol> sym = s.arch().kernelMode(r) ? k.containing(rip) : Optional.empty();
        m.put("function", sym.map(Symbol::name).orElse(null));
        m.put("offset", sym.map(x -> rip - x.address()).orElse(null));
        m.put("module", sym.map(Symbol::module).orElse(null));
        m.put("address", Hex.json(rip));
        m.put("registers", regs(r));
        return m;
    }

    /** Register values as JSON numbers (unsigned 64-bit). */
    static Map<String, Object> regs(Registers r) {
        Map<String, Object> m = new LinkedHashMap<>();
        r.values().forEach((n, v) -> m.put(n, v >= 0 ? (Object) v : new java.math.BigInteger(Long.toUnsignedString(v))));
        return m;
    }
}
