package org.kdive.autopsy.analysis;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.kdive.api.KdiveException;
import org.kdive.api.arch.BugTrap;
import org.kdive.api.arch.CodeModel.Operand;
import org.kdive.api.arch.Registers;
import org.kdive.api.arch.StackFrame;
import org.kdive.api.dis.Disassembler;
import org.kdive.api.dis.Instruction;
import org.kdive.api.kernel.BugSite;
import org.kdive.api.kernel.BugTable;
import org.kdive.api.kernel.KernelLog;
import org.kdive.api.kernel.KernelTasks;
import org.kdive.api.kernel.LoadedModule;
import org.kdive.api.kernel.Modules;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.DebugInfo;
import org.kdive.api.symbols.SourceLine;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.Type;
import org.kdive.autopsy.code.DataFlow;
import org.kdive.autopsy.code.FunctionCode;
import org.kdive.autopsy.panic.Oops;
import org.kdive.autopsy.panic.PanicKind;
import org.kdive.autopsy.report.Report;
import org.kdive.autopsy.source.Condition;
import org.kdive.autopsy.source.SourceFinder;
import org.kdive.autopsy.types.Layouts;
import org.kdive.autopsy.types.StructPrinter;

/** One autopsy of the open dump: finds the panic, works out why, writes the report. */
public final class Autopsy {
    /** The services the analysis uses; bugs, modules and log may be null when their bundle is missing. */
    public record Services(Disassembler dis, KernelTasks tasks, BugTable bugs, Modules modules, KernelLog log) {
    }

    /** --source DIR and --debuginfo DIR, either may be null. */
    public record Options(Path source, Path debuginfo) {
    }

    private final Session s;
    private final Services svc;
    private final Options opt;
    private final Report r = new Report();
    private final List<String> next = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();

    public Autopsy(Session session, Services services, Options options) {
        this.s = session;
        this.svc = services;
        this.opt = options;
    }

    public Report run() {
        Optional<TaskInfo> task = svc.tasks().panicTask(s);
        int cpu = svc.tasks().panicCpu(s);
        Optional<StackFrame> frame = task.isPresent() ? safe(() -> svc.tasks().panicExceptionFrame(s), Optional.<StackFrame>empty())
                : Optional.empty();
        // a frame from user space (the syscall entry of the panicking task) is not the fault
        Registers regs = frame.map(StackFrame::exceptionRegs).filter(x -> x.pc() < 0).orElse(null);
        Oops oops = Oops.of(svc.log() == null ? List.of() : safe(() -> svc.log().messages(s), List.of()));
        PanicKind kind = oops.kind();

        // the faulting function, its module's debuginfo, the trap site
        long rip = regs == null ? 0 : regs.pc();
        List<LoadedModule> loaded = svc.modules() == null ? List.of() : safe(() -> svc.modules().modules(s), List.of());
        Optional<Symbol> fn = rip == 0 ? Optional.empty() : s.symbols().containing(rip);
        String module = fn.map(Symbol::module).orElse(null);
        for (LoadedModule m : loaded) {
            if (module == null && Long.compareUnsigned(rip, m.base()) >= 0 && Long.compareUnsigned(rip, m.base() + m.size()) < 0) module = m.name();
        }
        ModuleDebuginfo.Outcome debug = null;
        if (module != null && svc.modules() != null) debug = ModuleDebuginfo.ensure(s, svc.modules(), module, opt.debuginfo());
        if (debug != null) fn = s.symbols().containing(rip); // module debuginfo brings ELF symbols with sizes
        Optional<BugSite> bug = rip == 0 || svc.bugs() == null ? Optional.empty() : safe(() -> svc.bugs().at(s, rip), Optional.empty());
        if (bug.isPresent() && (kind == PanicKind.UNKNOWN || kind == PanicKind.PANIC)) kind = bug.get().warning() ? PanicKind.WARN : PanicKind.BUG;

        panicSection(kind, task, cpu, oops);
        if (regs != null) exceptionSection(regs, fn);
        if (debug != null) debuginfoSection(module, debug);

        FunctionCode code = null;
        if (regs != null && fn.isPresent()) {
            code = safe(() -> FunctionCode.containing(s, svc.dis(), rip), Optional.<FunctionCode>empty()).orElse(null);
        }
        Optional<SourceLine> line = rip == 0 ? Optional.empty() : safe(() -> s.symbols().line(rip), Optional.empty());
        List<String> source = List.of();
        Path sourceFile = null;
        String sourceName = line.map(SourceLine::file).orElse(bug.map(BugSite::file).orElse(null));
        if (sourceName != null) {
            List<Path> nearby = new ArrayList<>();
            if (debug != null && debug.debugInfo().isPresent()) addDirs(nearby, debug.debugInfo().get().file());
            for (Path f : s.dump().files()) addDirs(nearby, f);
            sourceFile = new SourceFinder(opt.source(), nearby).find(sourceName).orElse(null);
            if (sourceFile != null) source = SourceFinder.lines(sourceFile);
        }
        FunctionContext ctx = code == null ? null : new FunctionContext(s, code, regs, source);

        switch (kind) {
            case BUG, WARN -> trapSection(kind, ctx, rip, bug, line, source, sourceFile, oops);
            case NULL_DEREFERENCE, PAGE_FAULT, GENERAL_PROTECTION -> faultSection(ctx, rip, oops);
            case SOFT_LOCKUP -> softLockupSection(oops);
            case HUNG_TASK -> hungTaskSection(oops);
            case OUT_OF_MEMORY -> oomSection(oops);
            case SYSRQ -> sysrqSection(task);
            default -> {
            }
        }
        if (ctx != null) argumentsSection(ctx);
        if (task.isPresent()) backtraceSection(task.get());
        nextSection(kind, fn, module, debug);
        if (!problems.isEmpty()) {
            r.heading("PROBLEMS");
            problems.forEach(r::line);
            r.data().put("problems", problems);
        }
        return r;
    }

    private static void addDirs(List<Path> dirs, Path file) {
        Path abs = file.toAbsolutePath();
        if (abs.getParent() != null) dirs.add(abs.getParent());
        try {
            Path real = abs.toRealPath();
            if (real.getParent() != null) dirs.add(real.getParent());
        } catch (java.io.IOException e) {
            // the link target is optional
        }
    }

    // ---- sections ------------------------------------------------------------------------------

    private void panicSection(PanicKind kind, Optional<TaskInfo> task, int cpu, Oops oops) {
        r.heading("PANIC");
        Map<String, Object> d = r.section("panic");
        r.field("kind", kind.title());
        d.put("kind", kind.name());
        oops.headline().ifPresent(h -> {
            r.field("message", h);
            d.put("message", h);
        });
        r.field("panic", oops.panicMessage().orElse(kind == PanicKind.UNKNOWN ? "(none logged)"
                : "(none logged: the dump was taken before panic() printed it)"));
        d.put("panic_message", oops.panicMessage().orElse(null));
        if (task.isPresent()) {
            TaskInfo t = task.get();
            r.field("task", String.format("PID: %d  TASK: %016x  CPU: %d  COMMAND: \"%s\"", t.pid(), t.task(), t.cpu(), t.comm()));
            Map<String, Object> td = new LinkedHashMap<>();
            td.put("pid", t.pid());
            td.put("task", hex(t.task()));
            td.put("cpu", t.cpu());
            td.put("comm", t.comm());
            d.put("task", td);
        } else {
            r.field("task", "unknown (no panic task found)");
        }
        d.put("cpu", cpu);
        if (!oops.block().isEmpty()) {
            r.line("kernel log:");
            List<String> shown = new ArrayList<>();
            for (String l : oops.block()) {
                if (l.strip().startsWith("Code:") || l.strip().startsWith("Call Trace:")) break;
                if (shown.size() >= 24) break;
                shown.add(l);
                r.line("  " + l);
            }
            d.put("log", shown);
        }
    }

    private void exceptionSection(Registers regs, Optional<Symbol> fn) {
        r.heading("EXCEPTION");
        long rip = regs.pc();
        String where = s.symbols().describe(rip);
        String mod = fn.map(Symbol::module).map(m -> " [" + m + "]").orElse("");
        String insn = "";
        try {
            List<Instruction> one = svc.dis().disassemble(s.arch().machine(), s.memory().read(rip, 16), rip, 1);
            if (!one.isEmpty()) insn = ": " + one.get(0).mnemonic() + (one.get(0).operands().isEmpty() ? "" : " " + one.get(0).operands());
        } catch (RuntimeException e) {
            insn = ": (code unreadable)";
        }
        r.line("[exception " + regs.pcName().toUpperCase() + ": " + (where == null ? hex(rip) : where) + "]" + mod + insn);
        for (String l : s.arch().formatRegisters(regs)) r.raw(l);
        Map<String, Object> d = r.section("exception");
        d.put(regs.pcName(), hex(rip));
        d.put("symbol", where);
        d.put("module", fn.map(Symbol::module).orElse(null));
        Map<String, Object> rv = new LinkedHashMap<>();
        // register values as numbers (unsigned), as bt's JSON gives them (docs/json.md)
        regs.values().forEach((k, v) -> rv.put(k, v >= 0 ? (Object) v : new java.math.BigInteger(Long.toUnsignedString(v))));
        d.put("registers", rv);
    }

    private void debuginfoSection(String module, ModuleDebuginfo.Outcome o) {
        r.heading("MODULE DEBUGINFO");
        r.field(module, o.note());
        for (String t : o.tried()) r.line("  skipped " + t);
        Map<String, Object> d = r.section("module_debuginfo");
        d.put("module", module);
        d.put("file", o.debugInfo().map(DebugInfo::file).map(Path::toString).orElse(null));
        d.put("note", o.note());
    }

    private void trapSection(PanicKind kind, FunctionContext ctx, long rip, Optional<BugSite> bug, Optional<SourceLine> line,
            List<String> source, Path sourceFile, Oops oops) {
        r.heading(kind == PanicKind.WARN ? "WARNING" : "BUG");
        Map<String, Object> d = r.section(kind == PanicKind.WARN ? "warning" : "bug");
        if (kind == PanicKind.WARN) oops.line("WARNING: CPU:").ifPresent(w -> r.field("warning", w));
        bug.ifPresent(b -> {
            r.field("site", (b.file() == null ? "?" : b.file()) + ":" + b.line() + "  (__bug_table" + (b.warning() ? ", WARN" : ", BUG") + ")");
            d.put("site_file", b.file());
            d.put("site_line", b.line());
        });
        line.ifPresent(l -> {
            r.field("line", l.file() + ":" + l.line() + "  (DWARF line table)");
            d.put("file", l.file());
            d.put("line", l.line());
        });
        int lineNo = line.map(SourceLine::line).orElse(bug.map(BugSite::line).orElse(0));
        Condition cond = null;
        if (sourceFile != null && lineNo > 0 && lineNo <= source.size()) {
            r.field("source", sourceFile.toString());
            for (int i = Math.max(1, lineNo - 2); i <= Math.min(source.size(), lineNo + 1); i++) {
                r.line(String.format("  %s%5d  %s", i == lineNo ? ">" : " ", i, source.get(i - 1).replace("\t", "    ")));
            }
            d.put("source_file", sourceFile.toString());
            d.put("source_line", source.get(lineNo - 1).strip());
            cond = Condition.at(source, lineNo).orElse(null);
            if (cond != null) {
                r.field("condition", cond.text() + "   (" + cond.macro() + ")");
                d.put("condition", cond.text());
                d.put("macro", cond.macro());
            }
        } else {
            r.field("source", "not found (give the source tree with autopsy --source DIR)");
            d.put("source_file", null);
        }
        if (ctx == null) {
            problems.add("the faulting function's code could not be decoded");
            return;
        }
        TrapAnalysis.Result t = safe(() -> TrapAnalysis.analyse(ctx, rip), null);
        if (t == null) {
            r.field("branch", "none: the trap is reached unconditionally (BUG()/WARN() without a compare)");
            return;
        }
        FunctionCode code = ctx.code;
        String trap = s.arch().bugTrap().map(BugTrap::mnemonic).orElse("trap");
        r.field("branch", code.where(t.branch().address()) + ": " + t.branch().mnemonic() + " " + t.branch().operands()
                + (t.taken() ? "  -> " + trap + " at " + code.where(rip) : "  (skips the " + trap + " when not taken)"));
        d.put("branch", Map.of("address", hex(t.branch().address()), "instruction", t.branch().mnemonic() + " " + t.branch().operands(),
                "taken_to_trap", t.taken()));
        if (t.compare() == null) return;
        r.field("compare", code.where(t.compare().address()) + ": " + t.compare().mnemonic() + " " + t.compare().operands());
        List<Object> sides = new ArrayList<>();
        for (TrapAnalysis.Side side : List.of(t.left(), t.right())) {
            if (side == null) continue;
            r.field(side.text(), describeSide(side, ctx, t.compare()));
            Map<String, Object> sd = new LinkedHashMap<>();
            sd.put("operand", side.text());
            sd.put("value", side.value().isPresent() ? side.value().getAsLong() : null);
            sd.put("expression", side.what() == null ? null : side.what().c());
            sd.put("named", side.what() == null ? null : side.what().named());
            sides.add(sd);
        }
        d.put("compare", Map.of("address", hex(t.compare().address()), "instruction", t.compare().mnemonic() + " " + t.compare().operands(),
                "operands", sides));
        if (t.left() == null || t.right() == null) return;
        String relation = t.relation();
        String rv = t.right().value().isPresent() ? Long.toUnsignedString(t.right().value().getAsLong()) : "?";
        String lv = t.left().value().isPresent() ? Long.toUnsignedString(t.left().value().getAsLong()) : "?";
        String trapped = relation.endsWith("0") ? t.right().text() + (t.left().text().equals(t.right().text()) ? "" : " & " + t.left().text())
                + " " + relation + "  (" + rv + ")" : t.right().text() + " " + relation + " " + t.left().text() + "  (" + rv + " " + relation
                + " " + lv + (t.signed() ? ", signed" : ", unsigned") + ")";
        r.field("trapped as", trapped);
        d.put("trapped_as", trapped);
        if (cond != null && cond.operator() != null) {
            Map<String, TrapAnalysis.Side> m = TrapAnalysis.match(cond, t);
            TrapAnalysis.Side ls = m.get(cond.left());
            TrapAnalysis.Side rs = m.get(cond.right());
            if (ls != null && rs != null && ls.value().isPresent() && rs.value().isPresent()) {
                long a = ls.value().getAsLong();
                long b = rs.value().getAsLong();
                String verdict = cond.left() + " (" + Long.toUnsignedString(a) + ") " + cond.operator() + " " + cond.right() + " ("
                        + Long.toUnsignedString(b) + ")";
                r.field("verdict", verdict);
                d.put("verdict", verdict);
                Map<String, Object> values = new LinkedHashMap<>();
                values.put(cond.left(), a);
                values.put(cond.right(), b);
                d.put("values", values);
            }
        }
    }

    private static String describeSide(TrapAnalysis.Side side, FunctionContext ctx, Instruction compare) {
        StringBuilder sb = new StringBuilder();
        if (side.value().isPresent()) {
            long v = side.value().getAsLong();
            sb.append(Long.toUnsignedString(v)).append(" (0x").append(Long.toHexString(v)).append(')');
        } else {
            sb.append("? (changed before the fault)");
        }
        Expressions.Described w = side.what();
        if (w != null && side.operand().kind() != Operand.Kind.IMMEDIATE) {
            sb.append(" = ").append(w.c());
            if (w.named() != null && !w.named().equals(w.c())) sb.append(" = ").append(w.named());
            if (w.via() != null && w.via() != compare) {
                sb.append("  [").append(w.via().mnemonic()).append(' ').append(w.via().operands()).append(" at ")
                        .append(ctx.code.where(w.via().address())).append(']');
            }
        }
        return sb.toString();
    }

    private void faultSection(FunctionContext ctx, long rip, Oops oops) {
        r.heading("FAULT");
        Map<String, Object> d = r.section("fault");
        OptionalLong addr = oops.faultAddress();
        r.field("address", addr.isPresent() ? String.format("%016x", addr.getAsLong()) + "  (from the oops: BUG: line / CR2)"
                : "unknown (no CR2 in the log)");
        d.put("address", addr.isPresent() ? hex(addr.getAsLong()) : null);
        oops.line("#PF:").ifPresent(l -> r.field("access", l));
        for (String l : oops.block()) if (l.strip().startsWith("#PF: error_code")) r.field("", l.strip());
        if (ctx == null) return;
        int idx = ctx.code.indexOf(rip);
        if (idx < 0) return;
        Instruction in = ctx.code.instructions().get(idx);
        r.field("instruction", ctx.code.where(rip) + ": " + in.mnemonic() + " " + in.operands());
        d.put("instruction", in.mnemonic() + " " + in.operands());
        List<Operand> operands = ctx.code.model().operands(in);
        for (Operand o : operands) {
            if (!o.isMemory() || o.base() == null || o.pcRelative()) continue;
            long base = ctx.reg(o.base());
            long ea = base + o.displacement() + (o.index() == null ? 0 : ctx.reg(o.index()) * o.scale());
            r.field("operand", o.text() + "  with " + o.base().toUpperCase() + " = " + String.format("%016x", base) + "  -> "
                    + String.format("%016x", ea) + (addr.isPresent() && addr.getAsLong() == ea ? "  (= the faulting address)" : ""));
            int width = ctx.code.model().accessWidth(in);
            List<Instruction> path = ctx.code.instructions().subList(0, idx + 1);
            DataFlow.Origin origin = new DataFlow.Load(ctx.flow.origin(path, o.base(), idx), o.base(), o.displacement(), Math.max(1, width), in);
            Expressions.Described what = Expressions.describe(ctx, origin);
            Expressions.Described baseWhat = Expressions.describe(ctx, ctx.flow.origin(path, o.base(), idx));
            r.field("accessing", what.c() + (what.named() != null && !what.named().equals(what.c()) ? " = " + what.named() : ""));
            r.field(o.base().toUpperCase() + " is", baseWhat.c() + (baseWhat.named() != null && !baseWhat.named().equals(baseWhat.c())
                    ? " = " + baseWhat.named() : "") + (base == 0 ? "  (NULL)" : ""));
            d.put("operand", o.text());
            d.put("base_register", o.base());
            d.put("base_value", hex(base));
            d.put("effective_address", hex(ea));
            d.put("expression", what.c());
            d.put("base_expression", baseWhat.c());
            break;
        }
    }

    private void softLockupSection(Oops oops) {
        r.heading("SOFT LOCKUP");
        Map<String, Object> d = r.section("soft_lockup");
        oops.softLockup().ifPresent(x -> {
            r.field("stuck", "CPU " + x[0] + " for " + x[1] + "s in PID " + x[3] + " (" + x[2] + ")");
            d.put("cpu", Integer.parseInt(x[0]));
            d.put("seconds", Integer.parseInt(x[1]));
            d.put("pid", Integer.parseInt(x[3]));
            d.put("comm", x[2]);
            try {
                int cpu = Integer.parseInt(x[0]);
                svc.tasks().tasks(s).stream().filter(t -> t.active() && t.cpu() == cpu).findFirst().ifPresent(t -> {
                    r.field("on cpu", String.format("PID: %d  TASK: %016x  COMMAND: \"%s\"", t.pid(), t.task(), t.comm()));
                    frames(t, 6).forEach(f -> r.line("  " + f));
                });
            } catch (RuntimeException e) {
                problems.add("stuck CPU's task: " + e.getMessage());
            }
        });
        oops.line("RIP:").ifPresent(l -> r.field("looping at", l));
    }

    private void hungTaskSection(Oops oops) {
        r.heading("HUNG TASKS");
        List<Object> list = r.list("hung_tasks");
        for (String[] h : oops.hungTasks()) {
            r.field("blocked", "PID " + h[1] + " (" + h[0] + ") for more than " + h[2] + " seconds");
            list.add(Map.of("pid", Integer.parseInt(h[1]), "comm", h[0], "seconds", Integer.parseInt(h[2])));
        }
        try {
            List<TaskInfo> un = svc.tasks().tasks(s).stream().filter(t -> "UN".equals(t.stateName())).toList();
            r.field("UN tasks", un.size() + " in uninterruptible sleep");
            for (TaskInfo t : un.subList(0, Math.min(8, un.size()))) {
                r.line(String.format("  PID: %d  TASK: %016x  COMMAND: \"%s\"", t.pid(), t.task(), t.comm()));
                frames(t, 4).forEach(f -> r.line("      " + f));
            }
        } catch (RuntimeException e) {
            problems.add("task list: " + e.getMessage());
        }
    }

    private void oomSection(Oops oops) {
        r.heading("OUT OF MEMORY");
        oops.anyLine("invoked oom-killer").ifPresent(l -> r.field("invoked by", l));
        oops.anyLine("OUT OF MEMORY").ifPresent(l -> r.field("oom", l));
        oops.anyLine("Free swap").ifPresent(l -> r.field("swap", l));
        oops.anyLine("pages RAM").ifPresent(l -> r.field("ram", l));
        r.section("oom").put("invoked", oops.anyLine("invoked oom-killer").orElse(null));
    }

    private void sysrqSection(Optional<TaskInfo> task) {
        r.heading("SYSRQ");
        r.field("cause", "a deliberate crash: sysrq 'c' (echo c > /proc/sysrq-trigger, or the keyboard/serial sysrq)");
        task.ifPresent(t -> r.field("by", "PID " + t.pid() + " (" + t.comm() + ") on CPU " + t.cpu()));
        r.section("sysrq").put("deliberate", true);
    }

    private void argumentsSection(FunctionContext ctx) {
        if (!ctx.hasParameters()) {
            r.heading("ARGUMENTS");
            r.line("no DWARF parameters for " + ctx.code.symbol().name() + " (load the module's debuginfo: mod -s)");
            return;
        }
        r.heading("ARGUMENTS of " + ctx.code.symbol().name() + " (" + ctx.roles.convention() + " registers at the fault)");
        List<String> argRegs = ctx.roles.arguments();
        List<Object> args = r.list("arguments");
        long rip = ctx.regs.pc();
        int faultIdx = ctx.code.indexOf(rip);
        List<Instruction> path = pathTo(ctx, rip, faultIdx);
        int nameW = ctx.paramNames.stream().mapToInt(String::length).max().orElse(4);
        int typeW = ctx.paramTypes.stream().mapToInt(t -> t.cName().length()).max().orElse(4);
        List<Object[]> structs = new ArrayList<>();
        for (int i = 0; i < ctx.paramTypes.size(); i++) {
            String name = ctx.paramNames.get(i);
            Type type = ctx.paramTypes.get(i);
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("name", name);
            a.put("type", type.cName());
            String prefix = String.format("%-" + nameW + "s  %-" + typeW + "s  %-3s ", name, type.cName(), i < argRegs.size() ? argRegs.get(i).toUpperCase() : "");
            if (i >= argRegs.size()) {
                r.line(prefix + "on the stack (not decoded)");
                args.add(a);
                continue;
            }
            String reg = argRegs.get(i);
            a.put("register", reg);
            long v = ctx.reg(reg);
            int w = (int) Math.max(1, Math.min(8, type.resolve().size()));
            long tv = DataFlow.truncate(v, w);
            int writer = ctx.flow.lastWriter(path, reg, path.size());
            Optional<DataFlow.Copy> copy = writer < 0 ? Optional.empty() : ctx.flow.entryCopy(path, reg, w);
            if (copy.isPresent()) {
                // the argument register was reused, but the code kept the argument in another one
                Instruction wi = path.get(writer);
                DataFlow.Copy c = copy.get();
                v = ctx.reg(c.holder());
                Type agg = Layouts.pointee(type);
                boolean pointer = agg != null || type.resolve().kind() == Type.Kind.POINTER;
                tv = DataFlow.truncate(v, w);
                r.line(prefix + (pointer ? String.format("%016x", v) : Long.toUnsignedString(tv) + " (0x" + Long.toHexString(tv) + ")")
                        + "  (kept in " + c.holder().toUpperCase() + ": " + c.at().mnemonic() + " " + c.at().operands() + " at "
                        + ctx.code.where(c.at().address()) + "; " + reg.toUpperCase() + " changed at " + ctx.code.where(wi.address()) + ")");
                a.put("value", pointer ? hex(v) : (Object) tv);
                a.put("kept_in", c.holder());
                a.put("copied_at", hex(c.at().address()));
                a.put("changed_at", hex(wi.address()));
                if (agg != null && v != 0 && s.memory().isReadable(v)) structs.add(new Object[] {name, agg, v, a});
            } else if (writer >= 0) {
                Instruction wi = path.get(writer);
                r.line(prefix + "changed at " + ctx.code.where(wi.address()) + " (" + wi.mnemonic() + " "
                        + wi.operands() + "): the argument is gone; " + reg.toUpperCase() + " now 0x" + Long.toHexString(v));
                a.put("value", null);
                a.put("changed_at", hex(wi.address()));
            } else {
                Type agg = Layouts.pointee(type);
                String shown = agg != null || type.resolve().kind() == Type.Kind.POINTER ? String.format("%016x", v)
                        : Long.toUnsignedString(tv) + " (0x" + Long.toHexString(tv) + ")";
                r.line(prefix + shown);
                a.put("value", agg != null || type.resolve().kind() == Type.Kind.POINTER ? hex(v) : (Object) tv);
                if (agg != null && v != 0 && s.memory().isReadable(v)) structs.add(new Object[] {name, agg, v, a});
            }
            args.add(a);
        }
        for (Object[] st : structs) structures(ctx, (String) st[0], (Type) st[1], (long) st[2], (Map<String, Object>) st[3]);
    }

    /** The code leading to the fault: up to the branch into the trap when there is one, else to the fault. */
    private static List<Instruction> pathTo(FunctionContext ctx, long rip, int faultIdx) {
        List<Instruction> code = ctx.code.instructions();
        for (int j : ctx.code.jumpsTo(rip)) if (j < faultIdx) return code.subList(0, j + 1);
        return faultIdx < 0 ? code : code.subList(0, faultIdx);
    }

    @SuppressWarnings("unchecked")
    private void structures(FunctionContext ctx, String name, Type agg, long addr, Map<String, Object> arg) {
        StructPrinter p = new StructPrinter(s);
        r.heading("STRUCT " + name + " = (" + Layouts.spell(agg) + " *) " + hex(addr));
        try {
            StructPrinter.Printed pr = p.print(agg, addr, "  ");
            pr.lines().forEach(r::raw);
            arg.put("points_to", Map.of("type", Layouts.spell(agg), "members", pr.values()));
        } catch (KdiveException e) {
            r.line("unreadable: " + e.getMessage());
        }
        List<Object> conts = new ArrayList<>();
        for (Layouts.Container c : ctx.containersOf(agg)) {
            String outer = Layouts.spell(c.outer());
            r.heading("CONTAINER container_of(" + name + ", " + outer + ", " + c.member() + ") = (" + outer + " *) " + hex(addr));
            try {
                StructPrinter.Printed pr = p.print(c.outer(), addr, "  ");
                pr.lines().forEach(r::raw);
                conts.add(Map.of("type", outer, "member", c.member(), "address", hex(addr), "members", pr.values()));
            } catch (KdiveException e) {
                r.line("unreadable: " + e.getMessage());
            }
        }
        if (!conts.isEmpty()) arg.put("containers", conts);
    }

    private void backtraceSection(TaskInfo t) {
        List<String> f = frames(t, 16);
        if (f.isEmpty()) return;
        r.heading("BACKTRACE (PID " + t.pid() + ")");
        f.forEach(r::line);
        r.data().put("backtrace", f);
    }

    private List<String> frames(TaskInfo t, int max) {
        List<String> out = new ArrayList<>();
        List<StackFrame> frames = safe(() -> svc.tasks().backtrace(s, t), List.<StackFrame>of());
        StackFrame prev = null;
        for (StackFrame f : frames) {
            if (out.size() >= max) break;
            // named as bt names it (the call site of a return address: panic, not the add_taint.cold after it)
            String sym = s.symbols().describe(s.arch().symbolAddress(prev, f));
            prev = f;
            out.add(String.format("#%-2d %s at %016x", f.level(), sym == null ? "?" : sym.replaceAll("\\+\\d+$", ""), f.pc()));
            if (f.exceptionRegs() != null) {
                String e = s.symbols().describe(f.exceptionRegs().pc());
                out.add("    [exception " + f.exceptionRegs().pcName().toUpperCase() + ": " + (e == null ? hex(f.exceptionRegs().pc()) : e) + "]");
            }
        }
        return out;
    }

    private void nextSection(PanicKind kind, Optional<Symbol> fn, String module, ModuleDebuginfo.Outcome debug) {
        r.heading("NEXT");
        List<String> cmds = new ArrayList<>();
        for (String c : kind.next()) {
            if (c.contains("FUNCTION") && fn.isEmpty() || c.contains("MODULE") && (module == null
                    || debug != null && debug.debugInfo().isPresent()) || c.contains("TYPE") || c.contains("ADDRESS") || c.contains("PID")) {
                continue;
            }
            cmds.add(c.replace("FUNCTION", fn.map(Symbol::name).orElse("")).replace("MODULE", module == null ? "" : module));
        }
        if (module != null && (debug == null || debug.debugInfo().isEmpty())) cmds.add("mod -s " + module + " FILE.ko.debug");
        for (Object a : r.list("arguments")) {
            if (a instanceof Map<?, ?> m && m.get("points_to") instanceof Map<?, ?> pt) {
                cmds.add("struct " + pt.get("type").toString().replace("struct ", "") + " " + m.get("value").toString().substring(2));
                if (m.get("containers") instanceof List<?> cs) {
                    for (Object c : cs) {
                        if (c instanceof Map<?, ?> cm) cmds.add("struct " + cm.get("type").toString().replace("struct ", "") + " "
                                + cm.get("address").toString().substring(2));
                    }
                }
            }
        }
        if (!cmds.contains("bt")) cmds.add(0, "bt");
        if (!cmds.contains("log")) cmds.add(1, "log");
        cmds.stream().distinct().forEach(c -> r.line("kdive> " + c));
        r.data().put("next", cmds.stream().distinct().toList());
    }

    // ---- helpers -------------------------------------------------------------------------------

    private <T> T safe(java.util.function.Supplier<T> f, T fallback) {
        try {
            return f.get();
        } catch (RuntimeException e) {
            // one failing step leaves the rest of the report
            problems.add(e.getClass().getSimpleName() + ": " + e.getMessage());
            return fallback;
        }
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
