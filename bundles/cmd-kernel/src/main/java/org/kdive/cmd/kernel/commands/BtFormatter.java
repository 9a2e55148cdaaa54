package org.kdive.cmd.kernel.commands;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.kdive.api.arch.Registers;
import org.kdive.api.arch.StackFrame;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.SourceLine;
import org.kdive.api.symbols.Symbol;
import org.kdive.cmd.kernel.access.Kernel;
import org.kdive.cmd.kernel.tasks.Backtraces;

/** Renders a task's frames as crash's x86_64 `bt` does. */
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
        data.put("task", Map.of("pid", t.pid(), "task", String.format("%016x", t.task()), "cpu", t.cpu(), "comm", t.comm()));
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
            if (full && prev != null) fullFrame(sb, prev.sp(), f.sp());
            // a return address points after the call: name the call site, unless the pc came from an exception frame
            boolean exact = prev != null && prev.exceptionRegs() != null && prev.exceptionRegs().pc() == f.pc();
            long lookup = exact ? f.pc() : f.pc() - 1;
            Optional<Symbol> sym = k.containing(lookup);
            String name = sym.map(Symbol::name).orElse(String.format("%x", f.pc()));
            sb.append(String.format("%s#%d [%016x] %s at %016x", f.level() < 10 ? " " : "", f.level(), f.sp(), name, f.pc()));
            sym.map(Symbol::module).filter(m -> m != null).ifPresent(m -> sb.append(" [").append(m).append(']'));
            sb.append('\n');
            Map<String, Object> fd = new LinkedHashMap<>();
            fd.put("level", f.level());
            fd.put("sp", String.format("%016x", f.sp()));
            fd.put("pc", String.format("%016x", f.pc()));
            fd.put("function", name);
            sym.map(Symbol::module).filter(m -> m != null).ifPresent(m -> fd.put("module", m));
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
                exceptionFrame(sb, f.exceptionRegs());
                if (lines && (get(f.exceptionRegs(), "cs") & 3) == 0) {
                    line(f.exceptionRegs().pc()).ifPresent(sl ->
                            sb.append("    ").append(sl.file()).append(": ").append(sl.line()).append('\n'));
                }
                fd.put("exception", regs(f.exceptionRegs()));
                StackFrame next = i + 1 < fs.size() ? fs.get(i + 1) : null;
                String from = stackName(t, f.sp());
                if (next != null && from != null && !from.equals(stackName(t, next.sp()))) {
                    sb.append("--- <").append(from).append("> ---\n");
                }
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

    /** Stack words from just above the previous frame up to and including this frame's slot. */
    private void fullFrame(StringBuilder sb, long prevSp, long sp) {
        long from = prevSp + 8;
        if (sp < from || sp - from > 16384) return; // another stack, or nonsense
        int words = (int) ((sp - from) / 8 + 1);
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

    private void exceptionFrame(StringBuilder sb, Registers r) {
        long rip = r.pc();
        long cs = get(r, "cs");
        if ((cs & 3) == 0) {
            Optional<Symbol> sym = k.containing(rip);
            String where = sym.map(x -> x.name() + (rip - x.address() > 0 ? "+" + (rip - x.address()) : ""))
                    .orElse("unknown or invalid address");
            sb.append("    [exception RIP: ").append(where).append("]\n");
        }
        sb.append(String.format("    RIP: %016x  RSP: %016x  RFLAGS: %08x%n", rip, r.sp(), get(r, "rflags", "eflags", "flags")));
        sb.append(String.format("    RAX: %016x  RBX: %016x  RCX: %016x%n", get(r, "rax", "ax"), get(r, "rbx", "bx"), get(r, "rcx", "cx")));
        sb.append(String.format("    RDX: %016x  RSI: %016x  RDI: %016x%n", get(r, "rdx", "dx"), get(r, "rsi", "si"), get(r, "rdi", "di")));
        sb.append(String.format("    RBP: %016x   R8: %016x   R9: %016x%n", get(r, "rbp", "bp"), get(r, "r8"), get(r, "r9")));
        sb.append(String.format("    R10: %016x  R11: %016x  R12: %016x%n", get(r, "r10"), get(r, "r11"), get(r, "r12")));
        sb.append(String.format("    R13: %016x  R14: %016x  R15: %016x%n", get(r, "r13"), get(r, "r14"), get(r, "r15")));
        sb.append(String.format("    ORIG_RAX: %016x  CS: %04x  SS: %04x%n", get(r, "orig_rax", "orig_ax"), cs, get(r, "ss")));
    }

    static long get(Registers r, String... names) {
        for (String n : names) {
            OptionalLong v = r.get(n);
            if (v.isPresent()) return v.getAsLong();
            v = r.get(n.toUpperCase());
            if (v.isPresent()) return v.getAsLong();
        }
        return 0;
    }

    static Map<String, Object> regs(Registers r) {
        Map<String, Object> m = new LinkedHashMap<>();
        r.values().forEach((n, v) -> m.put(n, String.format("%016x", v)));
        return m;
    }

    /**
     * Which special stack an address is on: one of the CPU's exception stacks (cpu_entry_area)
     * or its hard-IRQ stack; null for the task's own stack or when unknown.
     */
    private String stackName(TaskInfo t, long sp) {
        int cpu = t.cpu();
        try {
            OptionalLong ces = k.symbol("cea_exception_stacks");
            if (ces.isPresent()) {
                long base = k.u64(ces.getAsLong() + k.perCpuOffset(cpu));
                String[][] stacks = {{"DF_stack", "DOUBLEFAULT"}, {"NMI_stack", "NMI"}, {"DB_stack", "DEBUG"},
                        {"MCE_stack", "MCE"}, {"VC_stack", "VC"}, {"VC2_stack", "VC"}};
                for (String[] st : stacks) {
                    OptionalLong off = k.offset("cea_exception_stacks", st[0]);
                    if (off.isEmpty()) continue;
                    long size = k.member("cea_exception_stacks", st[0]).map(m -> m.type().size()).orElse(4096L);
                    long lo = base + off.getAsLong();
                    if (sp >= lo && sp < lo + size) return st[1] + " exception stack";
                }
            }
            OptionalLong irq = k.symbol("hardirq_stack_ptr");
            if (irq.isPresent()) {
                long top = k.u64(irq.getAsLong() + k.perCpuOffset(cpu)) + 8;
                if (sp < top && sp >= top - 16384) return "IRQ stack";
            }
        } catch (RuntimeException e) {
            return null;
        }
        return null;
    }
}
