package org.kdive.triage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.kdive.api.arch.Registers;
import org.kdive.api.arch.StackFrame;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.Progress;
import org.kdive.api.dump.DumpInfo;
import org.kdive.api.fetch.KernelIdentities;
import org.kdive.api.fetch.KernelIdentity;
import org.kdive.api.kernel.BugSite;
import org.kdive.api.kernel.LoadedModule;
import org.kdive.api.kernel.PanicReport;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.session.Session;
import org.kdive.api.session.SessionService;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.Type;

/**
 * Fills one dump's record from an open session. Every step is guarded: what fails is named in
 * the record's "problems" and the rest is still filled.
 */
final class RecordBuilder {
    private static final Pattern BUG_AT = Pattern.compile("kernel BUG at (.+):(\\d+)!");
    private static final Pattern WARN_AT = Pattern.compile("WARNING: CPU: \\d+ PID: \\d+ at (.+):(\\d+) ");
    private static final Pattern SIZE = Pattern.compile("([0-9.]+) (GB|MB|KB|kB)");
    private static final int STACK_MAX = 16;

    private final Session s;
    private final Services svc;
    private final Map<String, Object> r;
    private final List<String> problems;

    RecordBuilder(Session session, Services services, Map<String, Object> record, List<String> problems) {
        this.s = session;
        this.svc = services;
        this.r = record;
        this.problems = problems;
    }

    void fill() {
        identity();
        system();
        panic();
    }

    // ---- kernel and machine -------------------------------------------------------------------

    private void identity() {
        DumpInfo info = s.dump().info();
        r.put("format", info.format());
        r.put("compression", info.compression());
        r.put("dump_level", info.dumpLevel());
        KernelIdentity id = guard("kernel identity", () -> KernelIdentities.of(s.dump()), null);
        r.put("kernel_release", id == null ? null : id.release());
        r.put("kernel_version", id == null ? null : id.version());
        r.put("build_id", id == null ? null : id.buildId().orElse(null));
        r.put("arch", info.machine());
        OptionalLong crash = s.vmcoreinfo().crashTime();
        long time = crash.isPresent() ? crash.getAsLong() : parseLong(info.details().get(DumpInfo.DETAIL_TIMESTAMP), -1);
        r.put("crash_time", time > 0 ? org.kdive.api.util.CtimeFormat.iso(time) : null);
        r.put("host", emptyToNull(info.details().get(DumpInfo.DETAIL_UTS_NODENAME)));
        r.put("cpus", info.cpus() > 0 ? info.cpus() : null);
    }

    /** Uptime, CPUs, memory and host as `sys` computes them. */
    @SuppressWarnings("unchecked")
    private void system() {
        r.put("uptime_seconds", null);
        r.put("memory", null);
        r.put("memory_bytes", null);
        if (svc.sys() == null) {
            problems.add("sys: the command is not installed (kdive-cmd-kernel)");
            return;
        }
        Object data = guard("sys", () -> svc.sys().execute(context(), List.of()).data(), null);
        if (!(data instanceof Map<?, ?> m)) return;
        Map<String, Object> sys = (Map<String, Object>) m;
        // sys's JSON form is typed (docs/json.md): numbers, ISO-8601 date, null when unknown
        if (sys.get("cpus") instanceof Number n) r.put("cpus", n.intValue());
        if (sys.get("uptime_seconds") instanceof Number n) r.put("uptime_seconds", n.longValue());
        String mem = str(sys.get("memory"));
        if (mem != null) {
            r.put("memory", mem);
            r.put("memory_bytes", sys.get("memory_bytes") instanceof Number n ? n.longValue() : bytes(mem));
        }
        String node = str(sys.get("nodename"));
        if (node != null && !node.isEmpty() && !node.startsWith("(")) r.put("host", node);
    }

    // ---- the panic -----------------------------------------------------------------------------

    private void panic() {
        // module symbols from the dump's kallsyms join the session's (as `mod` does)
        if (svc.modules() != null) guard("modules", () -> svc.modules().modules(s), List.<LoadedModule>of());
        PanicReport report = svc.panics() == null ? null : guard("kernel log", () -> svc.panics().read(s), null);
        if (svc.panics() == null) problems.add("panic log: the service is not installed (kdive-autopsy)");
        String detail = report == null ? "UNKNOWN" : report.kind();

        Optional<TaskInfo> task = svc.tasks() == null ? Optional.empty() : guard("panic task", () -> svc.tasks().panicTask(s), Optional.empty());
        Optional<StackFrame> exception = task.isEmpty() ? Optional.empty()
                : guard("exception frame", () -> svc.tasks().panicExceptionFrame(s), Optional.empty());
        // a frame from user space (the syscall entry) is not the fault
        Registers regs = exception.map(StackFrame::exceptionRegs).filter(x -> x.pc() < 0).orElse(null);
        long rip = regs == null ? 0 : regs.pc();

        Optional<BugSite> bug = rip == 0 || svc.bugs() == null ? Optional.empty() : guard("bug table", () -> svc.bugs().at(s, rip), Optional.empty());
        if (bug.isPresent() && ("UNKNOWN".equals(detail) || "PANIC".equals(detail))) detail = bug.get().warning() ? "WARN" : "BUG";
        String kind = kind(detail);
        r.put("panic_kind", kind);
        r.put("panic_detail", detail);
        r.put("panic_message", report == null ? null : report.panicMessage());
        r.put("headline", report == null ? null : report.headline());
        Integer cpu = task.map(TaskInfo::cpu).orElse(null);
        if (cpu == null && svc.tasks() != null) {
            int c = guard("panic cpu", () -> svc.tasks().panicCpu(s), -1);
            if (c >= 0) cpu = c;
        }
        r.put("panic_cpu", cpu);
        r.put("pid", task.map(TaskInfo::pid).orElse(null));
        r.put("comm", task.map(TaskInfo::comm).orElse(null));

        // the stacks: the one the kernel printed (in every dump, no debuginfo needed), and the unwinder's
        List<String> logged = new ArrayList<>();
        PanicReport.TraceEntry logTop = null;
        if (report != null) {
            for (PanicReport.TraceEntry e : report.trace()) {
                if (!e.reliable()) continue;
                logged.add(e.function());
                if (logTop == null && !Frames.GENERIC.contains(Frames.function(e.function()))) logTop = e;
            }
        }
        List<String> logStack = Frames.normalize(logged, STACK_MAX);
        List<String> unwound = new ArrayList<>();
        String stackOf = null;
        // the unwinder needs types and ORC: from vmlinux, or from the dump's own BTF and ORC tables
        if (svc.tasks() != null) {
            TaskInfo whose = task.orElse(null);
            if ("HUNG_TASK".equals(kind) && report != null && !report.hungPids().isEmpty()) {
                int pid = report.hungPids().get(0);
                whose = guard("task list", () -> svc.tasks().tasks(s), List.<TaskInfo>of()).stream()
                        .filter(t -> t.pid() == pid).findFirst().orElse(whose);
            }
            if (whose != null) {
                TaskInfo t = whose;
                stackOf = "pid " + t.pid();
                unwound = Frames.normalize(functions(guard("backtrace", () -> svc.tasks().backtrace(s, t), List.<StackFrame>of())), STACK_MAX);
            }
        }
        List<String> stack = !logStack.isEmpty() ? logStack : unwound;
        r.put("stack", stack);
        r.put("stack_source", !logStack.isEmpty() ? "kernel log" : unwound.isEmpty() ? null : "unwinder");
        r.put("unwound_stack", unwound.isEmpty() ? null : unwound);
        r.put("unwound_task", unwound.isEmpty() ? null : stackOf);

        // the faulting function: the exception's RIP, else the first frame that is not panic machinery
        String function = null;
        Long offset = null;
        String module = null;
        if (rip != 0) {
            Optional<Symbol> sym = guard("symbol", () -> s.symbols().containing(rip), Optional.empty());
            if (sym.isPresent()) {
                function = sym.get().name();
                offset = rip - sym.get().address();
                module = sym.get().module();
            }
            if (module == null) module = moduleAt(rip);
            r.put("fault_address", "0x" + Long.toHexString(rip));
        } else {
            r.put("fault_address", null);
        }
        if (function == null && logTop != null) {
            function = logTop.function();
            offset = logTop.offset();
            module = logTop.module();
        }
        if (function == null && !stack.isEmpty()) function = stack.get(0);
        r.put("fault_function", function);
        r.put("fault_offset", offset);
        r.put("module", module);
        moduleDetails(module);

        // BUG()/WARN() site
        String file = bug.map(BugSite::file).orElse(null);
        Integer line = bug.map(BugSite::line).filter(l -> l > 0).orElse(null);
        if (file == null && report != null && report.headline() != null) {
            for (Pattern p : List.of(BUG_AT, WARN_AT)) {
                Matcher m = p.matcher(report.headline() + " ");
                if (m.find()) {
                    file = m.group(1);
                    line = Integer.parseInt(m.group(2));
                    break;
                }
            }
        }
        r.put("bug_file", file);
        r.put("bug_line", line);
        taint(report);

        // the signature: nothing that changes between formats, boots, KASLR or builds
        List<String> top = "MCE".equals(kind) ? List.of() : Frames.top(stack, Signature.FRAMES);
        String input = Signature.input(kind, "MCE".equals(kind) ? null : module, top);
        r.put("signature_input", input);
        r.put("signature", Signature.of(input));
    }

    /** The triage kinds, coarser than the log's (page fault, GPF and NULL dereference are all OOPS). */
    static String kind(String detail) {
        return switch (detail) {
            case "BUG", "WARN", "SYSRQ", "HUNG_TASK", "SOFT_LOCKUP", "HARD_LOCKUP", "PANIC", "UNKNOWN" -> detail;
            case "NULL_DEREFERENCE", "PAGE_FAULT", "GENERAL_PROTECTION" -> "OOPS";
            case "OUT_OF_MEMORY" -> "OOM";
            case "MACHINE_CHECK" -> "MCE";
            default -> "UNKNOWN";
        };
    }

    /** Function names of an unwound stack; an exception frame adds the function it interrupted. */
    private List<String> functions(List<StackFrame> frames) {
        List<String> out = new ArrayList<>();
        int cut = -1;
        for (StackFrame f : frames) {
            out.add(name(f.pc()));
            Registers x = f.exceptionRegs();
            if (x != null && x.pc() < 0) {
                if (cut < 0) cut = out.size(); // the innermost kernel exception: what led to it is the handler
                out.add(name(x.pc()));
            }
        }
        return cut < 0 ? out : new ArrayList<>(out.subList(cut, out.size()));
    }

    private String name(long pc) {
        try {
            return s.symbols().containing(pc).map(Symbol::name).orElse("?");
        } catch (RuntimeException e) {
            return "?";
        }
    }

    private String moduleAt(long addr) {
        if (svc.modules() == null) return null;
        for (LoadedModule m : guard("modules", () -> svc.modules().modules(s), List.<LoadedModule>of())) {
            if (Long.compareUnsigned(addr, m.base()) >= 0 && Long.compareUnsigned(addr, m.base() + m.size()) < 0) return m.name();
        }
        return null;
    }

    /** version and srcversion from the module's struct module (needs vmlinux types), build-id from its notes. */
    private void moduleDetails(String module) {
        r.put("module_version", null);
        r.put("module_srcversion", null);
        r.put("module_build_id", null);
        if (module == null || svc.modules() == null) return;
        List<LoadedModule> loaded = guard("modules", () -> svc.modules().modules(s), List.<LoadedModule>of());
        LoadedModule m = loaded.stream().filter(x -> x.name().equals(module)).findFirst().orElse(null);
        if (m == null) return;
        Optional<Type> t = s.vmlinux().isPresent() ? guard("struct module", () -> s.symbols().type("struct module"), Optional.<Type>empty())
                : Optional.empty();
        if (t.isPresent()) {
            r.put("module_version", moduleString(t.get(), m.struct(), "version"));
            r.put("module_srcversion", moduleString(t.get(), m.struct(), "srcversion"));
        }
        r.put("module_build_id", guard("module build-id", () -> svc.modules().buildId(s, module), Optional.<String>empty()).orElse(null));
    }

    private String moduleString(Type module, long struct, String member) {
        Optional<Member> f = module.member(member);
        if (f.isEmpty()) return null;
        try {
            long p = s.memory().pointer(struct + f.get().offset());
            return p == 0 ? null : s.memory().cString(p, 128);
        } catch (RuntimeException e) {
            problems.add("module " + member + ": " + e.getMessage());
            return null;
        }
    }

    /** tainted_mask from memory (kallsyms has it even without vmlinux), else the oops line's letters. */
    private void taint(PanicReport report) {
        Long mask = null;
        try {
            List<Symbol> t = s.symbols().byName("tainted_mask");
            if (!t.isEmpty()) mask = s.memory().u64(t.get(0).address());
        } catch (RuntimeException e) {
            problems.add("tainted_mask: " + e.getMessage());
        }
        r.put("taint_mask", mask);
        if (mask != null) {
            r.put("taint", Taint.letters(mask));
        } else if (report != null && report.taint() != null) {
            r.put("taint", report.taint().replace("G", "").replace(" ", ""));
        } else {
            r.put("taint", null);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private CommandContext context() {
        Session session = s;
        SessionService sessions = svc.sessions();
        return new CommandContext() {
            @Override public Session session() { return session; }
            @Override public Optional<Session> maybeSession() { return Optional.of(session); }
            @Override public SessionService sessions() { return sessions; }
            @Override public void warn(String message) { }
            @Override public Progress progress(String task, long total) { return Progress.NONE; }
            @Override public boolean json() { return true; }
        };
    }

    private <T> T guard(String what, Supplier<T> f, T fallback) {
        try {
            return f.get();
        } catch (RuntimeException | LinkageError | StackOverflowError e) {
            // one broken step (or bundle) leaves the rest of the record
            problems.add(what + ": " + Triage.describe(e));
            return fallback;
        }
    }

    static Long uptime(String s) {
        if (s == null) return null;
        Matcher m = Pattern.compile("(?:(\\d+) days?, )?(\\d+):(\\d\\d):(\\d\\d)").matcher(s);
        if (!m.matches()) return null;
        long days = m.group(1) == null ? 0 : Long.parseLong(m.group(1));
        return days * 86400 + Long.parseLong(m.group(2)) * 3600 + Long.parseLong(m.group(3)) * 60 + Long.parseLong(m.group(4));
    }

    static Long bytes(String s) {
        Matcher m = SIZE.matcher(s);
        if (!m.find()) return null;
        double v = Double.parseDouble(m.group(1));
        long unit = switch (m.group(2)) {
            case "GB" -> 1L << 30;
            case "MB" -> 1L << 20;
            default -> 1L << 10;
        };
        return Math.round(v * unit);
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static long parseLong(String s, long fallback) {
        try {
            return s == null ? fallback : Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
