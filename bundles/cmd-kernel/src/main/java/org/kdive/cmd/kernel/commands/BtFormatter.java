package org.kdive.cmd.kernel.commands;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.kdive.api.arch.AddressSpace;
import org.kdive.api.arch.Registers;
import org.kdive.api.arch.StackFrame;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.SourceLine;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.util.Hex;
import org.kdive.cmd.kernel.access.Kernel;
import org.kdive.cmd.kernel.tasks.Backtraces;

/** Renders a task's frames as crash's `bt` does; the architecture formats exception frames and names stacks. */
final class BtFormatter {
    private final Session s;
    private final Kernel k;
    private final boolean full;
    private final boolean lines;

    BtFormatter(Session s, boolean full, boolean lines) {
        this.s = s;
        this.k = Kernel.of(s);
        this.full = full;
        this.lines = lines;
    }

    /** Header and frames of one task; the data map gets the JSON form. */
    String format(TaskInfo t, Map<String, Object> data) {
        StringBuilder sb = new StringBuilder();
        sb.append(PsCommand.header(t)).append('\n');
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("pid", t.pid());
        task.put("task", Hex.json(t.task()));
        task.put("cpu", t.cpu());
        task.put("comm", t.comm());
        data.put("task", task);
        Backtraces.Trace trace = Backtraces.of(s, t);
        List<Object> frames = new ArrayList<>();
        data.put("frames", frames);
        if (trace.problem() != null) {
            sb.append("    (cannot show the backtrace: ").append(trace.problem()).append(")\n");
            data.put("problem", trace.problem());
            return sb.toString();
        }
        List<StackFrame> fs = trace.frames();
        for (int i = 0; i < fs.size(); i++) {
            StackFrame f = fs.get(i);
            StackFrame prev = i > 0 ? fs.get(i - 1) : null;
            if (full && prev != null) fullFrame(sb, s.arch().frameWords(prev, f));
            // leaving a stack: after the previous frame (and its exception frame) and the rest of that
            // stack's words (bt -f), before this frame
            if (prev != null && prev.stack() != null && !prev.stack().equals(f.stack())) {
                sb.append("--- <").append(prev.stack()).append("> ---\n");
            }
            // a return address points after the call: name the call site, unless the pc came from an exception frame
            long lookup = s.arch().symbolAddress(prev, f);
            Optional<Symbol> sym = k.containing(lookup);
            String name = sym.map(Symbol::name).orElse(String.format("%x", f.pc()));
            sb.append(String.format("%s#%d [%016x] %s at %016x", f.level() < 10 ? " " : "", f.level(), f.sp(), name, f.pc()));
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
            if (lines) {
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
                if (lines && s.arch().kernelMode(ex)) {
                    line(ex.pc()).ifPresent(sl ->
                            sb.append("    ").append(sl.file()).append(": ").append(sl.line()).append('\n'));
                }
                fd.put("exception", exception(ex));
            }
            frames.add(fd);
        }
        return sb.toString();
    }

    private Optional<SourceLine> line(long addr) {
        try {
            return s.symbols().line(addr);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The stack words between two frames, as the architecture places them for crash's layout. */
    private void fullFrame(StringBuilder sb, AddressSpace.Region range) {
        if (range.isEmpty() || range.end() - range.start() > 16384) return; // another stack, or nonsense
        long from = range.start();
        int words = (int) ((range.end() - from) / 8);
        byte[] b;
        try {
            b = k.memory().read(from, words * 8);
        } catch (RuntimeException e) {
            sb.append(String.format("    (stack at %x not readable: %s)%n", from, e.getMessage()));
            return;
        }
        for (int i = 0; i < words; i++) {
            if ((i & 1) == 0) {
                if (i > 0) sb.append('\n');
                sb.append(String.format("    %x: ", from + 8L * i));
            }
            long v = 0;
            for (int j = 7; j >= 0; j--) v = (v << 8) | (b[i * 8 + j] & 0xff);
            sb.append(String.format("%016x ", v));
        }
        sb.append('\n');
    }

    /** "name+offset" (decimal, no "+0") of a code address, or null when no symbol contains it. */
    private String where(long pc) {
        return k.containing(pc).map(x -> x.name() + (pc - x.address() > 0 ? "+" + (pc - x.address()) : "")).orElse(null);
    }

    /** The JSON form of an exception frame: where it hit (kernel mode: function+offset) and the registers as numbers. */
    private Map<String, Object> exception(Registers r) {
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
