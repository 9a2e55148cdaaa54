package org.kdive.cmd.devices.timer;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.kdive.api.command.Args;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Output;
import org.kdive.api.command.Result;
import org.kdive.api.symbols.Type;
import org.kdive.api.util.Hex;
import org.kdive.cmd.devices.access.Clock;
import org.kdive.cmd.devices.access.Cpus;
import org.kdive.cmd.devices.access.Fmt;
import org.kdive.cmd.devices.access.Kern;
import org.kdive.cmd.devices.access.Lists;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * crash's {@code timer}: the pending timer_list timers of each CPU's timer wheel bases (Linux 4.8+
 * timer_bases), sorted by expiry, with jiffies; {@code -r} the hrtimers of each CPU's clock bases;
 * {@code -C} a CPU selection.
 *
 * <p>Where crash 8.0.6 is wrong: it assumes two wheel bases per CPU (BASE_STD, BASE_DEF). Linux 6.9
 * has three (BASE_LOCAL, BASE_GLOBAL, BASE_DEF): crash labels the second "BASE_DEF" and never shows
 * the third. kdive takes the number of bases from the timer_bases array in the debuginfo and shows
 * every one under its kernel name.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=timer")
public class TimerCommand implements Command {
    @Override public String name() { return "timer"; }

    @Override public String description() { return "pending timers of the timer wheel, or hrtimers (-r)"; }

    @Override
    public String usage() {
        return """
                timer - timer queue data
                timer [-r][-C cpu]
                  Shows jiffies and, per CPU and timer wheel base (timer_bases[]), the pending
                  timer_list timers sorted by expiry: EXPIRES, TTE (jiffies to expiry), the timer_list
                  and its function.
                    -r      the hrtimers instead: per CPU and clock base, the current time in ns and each
                            timer's soft and hard expiry, time to expiry, hrtimer and function.
                    -C cpu  only these CPUs ("1", "0,2", "1-3", "all").
                  kdive shows every wheel base of the kernel (3 since Linux 6.9: BASE_LOCAL, BASE_GLOBAL,
                  BASE_DEF), where crash 8.0.6 shows two.
                """;
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        Args a = Args.parse(args, Set.of("r"), Set.of("C"));
        if (!a.positional().isEmpty()) {
            throw new CommandException("Usage:\n  timer [-r][-C cpu]\nEnter \"help timer\" for details.", CommandException.USAGE);
        }
        Kern k = Kern.of(context.session());
        BitSet cpus = a.value("C") == null ? null : Cpus.parse(a.value("C"), k.cpus(), "timer");
        return a.has("r") ? hrtimers(k, context, cpus) : wheel(k, context, cpus);
    }

    // ---- the timer wheel ----------------------------------------------------------------------

    private record Timer(long address, long expires, long function, long tte) {
    }

    private Result wheel(Kern k, CommandContext ctx, BitSet sel) {
        long bases = k.symbol("timer_bases").orElseThrow(() ->
                new CommandException("this kernel has no timer_bases (before Linux 4.8): not supported"));
        long baseSize = k.requireSize("timer_base");
        Optional<Type> arr = k.variableType("timer_bases").map(Type::resolve);
        int nrBases = arr.isPresent() && arr.get().kind() == Type.Kind.ARRAY && arr.get().count() > 0 ? (int) arr.get().count() : 1;
        String[] names = nrBases == 3 ? new String[] {"BASE_LOCAL", "BASE_GLOBAL", "BASE_DEF"}
                : nrBases == 2 ? new String[] {"BASE_STD", "BASE_DEF"} : new String[] {"BASE_STD"};
        int nvec = (int) k.memberLength("timer_base", "vectors");
        if (nvec <= 0) throw new CommandException("cannot determine timer_base.vectors[] array size");
        long vecOff = k.off("timer_base", "vectors");
        long entryOff = k.off("timer_list", "entry");
        long expOff = k.off("timer_list", "expires");
        long fnOff = k.off("timer_list", "function");
        long jiffies = k.u64(k.requireSymbol("jiffies"));
        int flen = Math.max(Long.toUnsignedString(jiffies).length(), "JIFFIES".length());
        int cpus = k.cpus();
        return Result.stream("bases", out -> {
            out.text(Fmt.mk("JIFFIES", flen, Fmt.LJUST) + "\n" + Fmt.mk(Long.toUnsignedString(jiffies), flen, Fmt.RJUST) + "\n\n");
            boolean first = true;
            for (int cpu = 0; cpu < cpus; cpu++) {
                if (sel != null && !sel.get(cpu)) continue;
                if (!first) out.text("\n");
                first = false;
                long base = k.perCpu(bases, cpu);
                for (int b = 0; b < nrBases; b++, base += baseSize) {
                    ctx.checkCancelled();
                    out.text("TIMER_BASES[" + cpu + "][" + names[b] + "]: " + Fmt.hex(base) + "\n");
                    List<Timer> timers = new ArrayList<>();
                    for (int v = 0; v < nvec; v++) {
                        long head = k.ptr(base + vecOff + 8L * v);
                        if (head == 0) continue;
                        for (long node : Lists.chain(k, head, 0, ctx)) {
                            long t = node - entryOff;
                            long exp;
                            long fn;
                            try {
                                exp = k.u64(t + expOff);
                                fn = k.ptr(t + fnOff);
                            } catch (RuntimeException e) {
                                continue;
                            }
                            timers.add(new Timer(t, exp, fn, exp - jiffies));
                        }
                    }
                    timers.sort(Comparator.comparing(Timer::expires, Long::compareUnsigned));
                    long highest = 0;
                    for (Timer t : timers) {
                        long abs = Math.abs((int) t.tte()) & 0xffffffffL;   // crash's abs() of an int
                        if (abs > highest) highest = abs;
                    }
                    int tlen = Math.max(Long.toString(highest).length() + 1, 3);
                    StringBuilder sb = new StringBuilder();
                    sb.append("  ").append(Fmt.mk("EXPIRES", flen, Fmt.LJUST)).append("     ")
                            .append(Fmt.mk("TTE", tlen, Fmt.LJUST)).append("     TIMER_LIST     FUNCTION\n");
                    List<Object> rows = new ArrayList<>();
                    for (Timer t : timers) {
                        long fn = t.function();
                        if (!k.isText(fn)) {
                            try {
                                long ind = k.ptr(fn);
                                if (k.isText(ind)) fn = ind;
                            } catch (RuntimeException e) {
                                // a dump shows the stale entry as it is
                            }
                        }
                        sb.append("  ").append(Fmt.mk(Long.toUnsignedString(t.expires()), flen, Fmt.RJUST))
                                .append("  ").append(Fmt.mk(Long.toString(t.tte()), tlen, Fmt.RJUST))
                                .append("  ").append(Fmt.mk(Fmt.mk(Fmt.hex(t.address()), k.vaddrLen(), Fmt.RJUST), 16, Fmt.CENTER))
                                .append("  ").append(Fmt.mk(Fmt.hex(t.function()), k.vaddrLen(), Fmt.RJUST))
                                .append("  <").append(k.symstr(fn)).append(">\n");
                        Map<String, Object> r = new LinkedHashMap<>();
                        r.put("expires", t.expires());
                        r.put("tte", t.tte());
                        r.put("timerList", Hex.json(t.address()));
                        r.put("function", Hex.json(t.function()));
                        r.put("symbol", k.symstr(fn));
                        rows.add(r);
                    }
                    if (timers.isEmpty()) sb.append("  (none)\n");
                    out.text(sb);
                    if (out.json()) {
                        Map<String, Object> r = new LinkedHashMap<>();
                        r.put("cpu", cpu);
                        r.put("base", names[b]);
                        r.put("timerBase", Hex.json(base));
                        r.put("timers", rows);
                        out.record(r);
                    }
                }
            }
            return Map.of("jiffies", jiffies);
        });
    }

    // ---- hrtimers -----------------------------------------------------------------------------

    private Result hrtimers(Kern k, CommandContext ctx, BitSet sel) {
        if (!k.hasStruct("hrtimer_clock_base")) throw new CommandException("-r option not supported on this kernel");
        long bases = k.requireSymbol("hrtimer_bases");
        long clockSize = k.requireSize("hrtimer_clock_base");
        int nclocks = 2;
        if (k.hasSymbol("ktime_get_boottime")) {
            long total = k.memberSize("hrtimer_cpu_base", "clock_base");
            if (total > 0) nclocks = (int) (total / clockSize);
        }
        final int clocks = nclocks;
        long clockOff = k.off("hrtimer_cpu_base", "clock_base");
        long getTimeOff = k.off("hrtimer_clock_base", "get_time");
        long offsetOff = k.offset("hrtimer_clock_base", "offset").orElse(-1);
        long firstOff = k.off("hrtimer_clock_base", "active") + firstNodeOffset(k);
        long nodeOff = k.off("hrtimer", "node") + k.offset("timerqueue_node", "node").orElse(0);
        long hExpOff = k.hasMember("hrtimer", "expires") ? k.off("hrtimer", "expires")
                : k.hasMember("hrtimer", "_expires") ? k.off("hrtimer", "_expires")
                : k.off("hrtimer", "node") + k.off("timerqueue_node", "expires");
        long softOff = k.offset("hrtimer", "_softexpires").orElse(-1);
        long fnOff = k.off("hrtimer", "function");
        long nsPerTick = 1_000_000_000L / Clock.hz(k);
        long uptime = Clock.uptimeJiffies(k);
        int cpus = k.cpus();
        return Result.stream("clocks", out -> {
            boolean firstCpu = true;
            for (int cpu = 0; cpu < cpus; cpu++) {
                if (sel != null && !sel.get(cpu)) continue;
                if (!firstCpu) out.text("\n");
                firstCpu = false;
                long cpuBase = k.perCpu(bases, cpu);
                out.text("CPU: " + cpu + "  HRTIMER_CPU_BASE: " + Fmt.hex(cpuBase) + "\n");
                for (int c = 0; c < clocks; c++) {
                    ctx.checkCancelled();
                    if (c > 0) out.text("\n");
                    long base = cpuBase + clockOff + clockSize * c;
                    long getTime = k.ptr(base + getTimeOff);
                    out.text("  CLOCK: " + c + "  HRTIMER_CLOCK_BASE: " + Fmt.hex(base) + "  [" + k.symstr(getTime) + "]\n");
                    long now = uptime * nsPerTick + (offsetOff >= 0 ? ktime(k, base + offsetOff) : 0);
                    List<Long> timers = new ArrayList<>();
                    Set<Long> seen = new HashSet<>();
                    long node = k.ptr(base + firstOff);
                    while (node != 0 && seen.add(node) && timers.size() < Lists.MAX) {
                        timers.add(node - nodeOff);
                        node = rbNext(k, node);
                    }
                    List<Object> rows = new ArrayList<>();
                    if (timers.isEmpty()) {
                        out.text("  (empty)\n");
                    } else {
                        long last = timers.get(timers.size() - 1);
                        int expLen = Math.max(Long.toString(ktime(k, last + hExpOff)).length(), 7);
                        int softLen = softOff >= 0 ? Math.max(Long.toString(ktime(k, last + softOff)).length(), 11) : -1;
                        int tteLen = Long.toString(ktime(k, last + hExpOff) - now).length();
                        StringBuilder sb = new StringBuilder();
                        int w = softLen > -1 ? softLen : expLen;
                        sb.append("  ").append(Fmt.mk("CURRENT", w, Fmt.CENTER | Fmt.RJUST)).append('\n');
                        sb.append("  ").append(Fmt.mk(Long.toString(now), w, Fmt.CENTER | Fmt.RJUST)).append('\n');
                        sb.append("  ");
                        if (softLen > -1) sb.append(Fmt.mk("SOFTEXPIRES", softLen, Fmt.CENTER | Fmt.RJUST)).append("  ");
                        sb.append(Fmt.mk("EXPIRES", expLen, Fmt.CENTER | Fmt.RJUST)).append("  ")
                                .append(Fmt.mk("TTE", tteLen, Fmt.CENTER | Fmt.RJUST)).append("  ")
                                .append(Fmt.mk("HRTIMER", k.vaddrLen(), Fmt.CENTER | Fmt.LJUST)).append("  ")
                                .append(Fmt.mk("FUNCTION", k.vaddrLen(), Fmt.CENTER | Fmt.LJUST)).append('\n');
                        for (long t : timers) {
                            sb.append("  ");
                            if (!k.readable(t)) {
                                sb.append("(destroyed timer)\n");
                                continue;
                            }
                            long exp = ktime(k, t + hExpOff);
                            long soft = softOff >= 0 ? ktime(k, t + softOff) : 0;
                            if (softLen > -1) sb.append(Fmt.mk(Long.toString(soft), softLen, Fmt.CENTER | Fmt.RJUST)).append("  ");
                            sb.append(Fmt.mk(Long.toString(exp), expLen, Fmt.CENTER | Fmt.RJUST)).append("  ")
                                    .append(Fmt.mk(Long.toString(exp - now), tteLen, Fmt.RJUST)).append("  ")
                                    .append(Fmt.hex(t)).append("  ");
                            long fn = 0;
                            boolean fnRead = true;
                            try {
                                fn = k.ptr(t + fnOff);
                                sb.append(Fmt.hex(fn)).append("  <").append(k.symstr(fn)).append('>');
                            } catch (RuntimeException e) {
                                fnRead = false;
                            }
                            sb.append('\n');
                            Map<String, Object> r = new LinkedHashMap<>();
                            r.put("hrtimer", Hex.json(t));
                            if (softOff >= 0) r.put("softexpires", soft);
                            r.put("expires", exp);
                            r.put("tte", exp - now);
                            r.put("function", fnRead ? Hex.json(fn) : null);
                            r.put("symbol", fnRead ? k.symstr(fn) : null);
                            rows.add(r);
                        }
                        out.text(sb);
                    }
                    if (out.json()) {
                        Map<String, Object> r = new LinkedHashMap<>();
                        r.put("cpu", cpu);
                        r.put("clock", c);
                        r.put("clockBase", Hex.json(base));
                        r.put("getTime", k.symstr(getTime));
                        r.put("now", now);
                        r.put("timers", rows);
                        out.record(r);
                    }
                }
            }
            return null;
        });
    }

    /** Where the leftmost (first to expire) node of a timerqueue_head is: rb_root_cached.rb_leftmost, or head.next. */
    private static long firstNodeOffset(Kern k) {
        if (k.hasMember("timerqueue_head", "next")) return k.off("timerqueue_head", "next");
        if (k.hasMember("timerqueue_head", "rb_root.rb_leftmost")) return k.off("timerqueue_head", "rb_root.rb_leftmost");
        throw new CommandException("cannot find the first node of a timerqueue_head");
    }

    /** A ktime_t: a plain s64 in nanoseconds on every kernel kdive reads. */
    private static long ktime(Kern k, long addr) {
        try {
            return k.u64(addr);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** The in-order successor of an rb_node. */
    static long rbNext(Kern k, long node) {
        long rightOff = k.off("rb_node", "rb_right");
        long leftOff = k.off("rb_node", "rb_left");
        long parentOff = k.off("rb_node", "__rb_parent_color");
        long right = k.ptr(node + rightOff);
        if (right != 0) {
            long n = right;
            long l;
            while ((l = k.ptr(n + leftOff)) != 0) n = l;
            return n;
        }
        long n = node;
        long parent;
        while ((parent = k.ptr(n + parentOff) & ~3L) != 0 && n == k.ptr(parent + rightOff)) n = parent;
        return parent;
    }
}
