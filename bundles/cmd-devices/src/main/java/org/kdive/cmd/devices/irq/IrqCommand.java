package org.kdive.cmd.devices.irq;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.kdive.api.arch.InterruptVector;
import org.kdive.api.command.Args;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Output;
import org.kdive.api.command.Result;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Type;
import org.kdive.api.util.Hex;
import org.kdive.cmd.devices.access.Cpus;
import org.kdive.cmd.devices.access.Fmt;
import org.kdive.cmd.devices.access.Kern;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * crash's {@code irq}: interrupt descriptors and their actions, {@code -u} those in use, {@code -a}
 * affinity, {@code -b} the softirq vectors, {@code -s [-c CPUS]} per-CPU counts as /proc/interrupts,
 * {@code -d} the CPU's interrupt vector table (x86's IDT, from the architecture).
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=irq")
public class IrqCommand implements Command {
    @Override public String name() { return "irq"; }

    @Override public String description() { return "interrupt descriptors, affinity, softirqs and per-CPU counts"; }

    @Override
    public String usage() {
        return """
                irq - IRQ data
                irq [[[index ...] | -u] | -d | -b | -a | -s [-c cpu(s)]]
                  Without arguments, lists every IRQ with its irq_desc, its irqaction(s) and their names.
                    index  show only these IRQ numbers (decimal).
                       -u  only the IRQs in use (with an action).
                       -d  the interrupt descriptor table (x86_64's IDT, idt_table): each of the 256
                           vectors with its handler as "symbol+offset" (decimal), or its address when
                           no symbol holds it. Other architectures have no such table.
                       -b  the softirq vectors (bottom halves) and their actions.
                       -a  the CPU affinity of the IRQs in use.
                       -s  per-CPU interrupt counts, as /proc/interrupts shows them.
                   -c cpu  with -s: only these CPUs ("1", "0,2", "1-3", "all").
                """;
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        Args a = Args.parse(args, Set.of("d", "b", "u", "a", "s"), Set.of("c"));
        Kern k = Kern.of(context.session());
        if (a.has("d")) return vectors(k);
        if (a.has("b")) return softirqs(k);
        if (a.has("a")) return affinity(k, context);
        if (a.has("s")) return stats(k, context, a.value("c"));
        Irqs irqs = new Irqs(k, context);
        int nr = irqs.count();
        boolean inUse = a.has("u") && a.positional().isEmpty();
        List<Integer> which = new ArrayList<>();
        if (a.positional().isEmpty()) {
            for (int i = 0; i < nr; i++) which.add(i);
        } else {
            for (String p : a.positional()) {
                int i;
                try {
                    i = Integer.parseInt(p);
                } catch (NumberFormatException e) {
                    throw new CommandException("invalid IRQ value: " + p, CommandException.USAGE);
                }
                if (i >= nr) throw new CommandException("invalid IRQ value: " + i + "  (" + (nr - 1) + " max)", CommandException.USAGE);
                which.add(i);
            }
        }
        int w = Math.max(k.vaddrLen(), "IRQ_DESC/_DATA".length());
        return Result.stream("irqs", out -> {
            boolean header = false;
            for (int irq : which) {
                context.checkCancelled();
                long desc = irqs.desc(irq);
                if (desc == 0 && inUse) continue;
                List<Long> actions = desc == 0 ? List.of() : irqs.actions(desc, context);
                StringBuilder sb = new StringBuilder();
                if (!header) {
                    sb.append(" IRQ  ").append(Fmt.mk("IRQ_DESC/_DATA", k.vaddrLen(), Fmt.CENTER)).append("  ")
                            .append(Fmt.mk("IRQACTION", k.vaddrLen(), Fmt.CENTER)).append("  NAME\n");
                    header = true;
                }
                sb.append(Fmt.mk(String.valueOf(irq), 4, Fmt.CENTER | Fmt.RJUST)).append("  ")
                        .append(Fmt.mk(desc == 0 ? "(unused)" : Fmt.hex(desc), w, Fmt.CENTER)).append("  ");
                List<Object> acts = new ArrayList<>();
                if (actions.isEmpty()) {
                    sb.append(Fmt.mk("(unused)", Math.max(k.vaddrLen(), 9), Fmt.CENTER)).append("  ");
                }
                for (int i = 0; i < actions.size(); i++) {
                    long act = actions.get(i);
                    if (i > 0) sb.append('\n').append(" ".repeat(4 + 2 + w + 2));
                    sb.append(Fmt.mk(Fmt.hex(act), Math.max(k.vaddrLen(), 9), Fmt.CENTER)).append("  ");
                    String name = irqs.actionName(act);
                    if (name != null) sb.append('"').append(name).append('"');
                    Map<String, Object> am = new LinkedHashMap<>();
                    am.put("irqaction", Hex.json(act));
                    am.put("name", name);
                    acts.add(am);
                }
                sb.append('\n');
                out.text(sb);
                if (out.json()) {
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("irq", irq);
                    r.put("irqDesc", desc == 0 ? null : Hex.json(desc));
                    r.put("actions", acts);
                    out.record(r);
                }
            }
            return Map.of("nrIrqs", nr);
        });
    }

    /**
     * crash's x86_64_display_idt_table: "[N] handler" for each vector, "[N]" right-aligned in 5 columns;
     * the handler by symbol+offset, else its address (and, as crash does, the symbol at the same
     * physical page's direct-map address when there is one).
     */
    private Result vectors(Kern k) {
        Session s = k.session();
        Optional<List<InterruptVector>> table = s.arch().interruptVectors(s);
        if (table.isEmpty()) {
            throw new CommandException("-d option is not applicable to the " + s.arch().machine()
                    + " architecture: it has no interrupt descriptor table", CommandException.USAGE);
        }
        StringBuilder sb = new StringBuilder();
        List<Object> rows = new ArrayList<>();
        for (InterruptVector v : table.get()) {
            String sym = k.symstr(v.handler());
            String text = sym;
            String alias = null;
            if (sym.isEmpty()) {
                text = String.format("%016x", v.handler());
                alias = directMapSymbol(k, v.handler());
                if (alias != null) text += "  <" + alias + ">";
            }
            sb.append(String.format("%5s %s\n", "[" + v.vector() + "]", text));
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("vector", v.vector());
            r.put("address", Hex.json(v.handler()));
            r.put("symbol", sym.isEmpty() ? null : sym);
            if (alias != null) r.put("directMapSymbol", alias);
            rows.add(r);
        }
        return Result.of(sb.toString(), Map.of("vectors", rows));
    }

    /** The symbol at the direct-map alias of {@code addr}'s physical page, or null (crash's fallback). */
    private static String directMapSymbol(Kern k, long addr) {
        try {
            Session s = k.session();
            long phys = s.arch().toPhysical(addr);
            String sym = k.symstr(s.arch().addressSpace(s).directMapAddress(phys));
            return sym.isEmpty() ? null : sym;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** crash's display_bh_4: softirq_vec[] and the action of each. */
    private Result softirqs(Kern k) {
        long len = k.arrayLength("softirq_vec");
        if (len <= 0) throw new CommandException("cannot determine softirq_vec array length");
        long base = k.requireSymbol("softirq_vec");
        long size = k.requireSize("softirq_action");
        StringBuilder sb = new StringBuilder("SOFTIRQ_VEC ").append(Fmt.mk("ACTION", k.vaddrLen(), Fmt.CENTER | Fmt.RJUST)).append('\n');
        List<Object> rows = new ArrayList<>();
        for (int i = 0; i < len; i++) {
            long action = k.ptr(base + size * i);
            if (action == 0) continue;
            String sym = k.symbolAt(action);
            sb.append("    [").append(i).append(']').append(i < 10 ? "    " : "   ").append(' ')
                    .append(Fmt.mk(Fmt.hex(action), k.vaddrLen(), Fmt.CENTER | Fmt.RJUST)).append("  <")
                    .append(sym == null ? "(null)" : sym).append('>');
            String mod = k.moduleOf(action);
            if (mod != null) sb.append("  [").append(mod).append(']');
            sb.append('\n');
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("vector", i);
            r.put("action", Hex.json(action));
            r.put("symbol", sym);
            if (mod != null) r.put("module", mod);
            rows.add(r);
        }
        return Result.of(sb.toString(), Map.of("softirqs", rows));
    }

    /** Where the affinity mask of a descriptor lives, and whether it is a pointer (CPUMASK_OFFSTACK). */
    private static long affinityMask(Kern k, long desc) {
        String path;
        if (k.hasMember("irq_desc", "irq_common_data.affinity")) path = "irq_common_data.affinity";
        else if (k.hasMember("irq_desc", "irq_data.affinity")) path = "irq_data.affinity";
        else if (k.hasMember("irq_desc", "affinity")) path = "affinity";
        else throw new CommandException("-a option not supported on this kernel", CommandException.USAGE);
        long at = desc + k.off("irq_desc", path);
        Optional<Type> t = k.member("irq_desc", path).map(m -> m.type().resolve());
        return t.isPresent() && t.get().kind() == Type.Kind.POINTER ? k.ptr(at) : at;
    }

    private Result affinity(Kern k, CommandContext context) {
        Irqs irqs = new Irqs(k, context);
        int nr = irqs.count();
        int cpus = k.cpus();
        int len = ((cpus + 63) / 64) * 8;
        long maskSize = k.sizeOf("cpumask");
        if (maskSize > 0 && maskSize < len) len = (int) maskSize;
        final int bytes = len;
        return Result.stream("irqs", out -> {
            out.text("IRQ NAME                 AFFINITY\n");
            for (int irq = 0; irq < nr; irq++) {
                context.checkCancelled();
                long desc = irqs.desc(irq);
                if (desc == 0) continue;
                List<Long> actions = irqs.actions(desc, context);
                if (actions.isEmpty()) continue;
                BitSet mask = Cpus.fromWords(k.memory().read(affinityMask(k, desc), bytes));
                String names = names(irqs, actions);
                String cpuList = Cpus.ranges(mask, cpus);
                out.text(String.format("%3d %-20s %s\n", irq, names, cpuList));
                if (out.json()) {
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("irq", irq);
                    r.put("name", names);
                    r.put("affinity", cpuList);
                    r.put("cpus", mask.stream().filter(c -> c < cpus).boxed().toList());
                    out.record(r);
                }
            }
            return null;
        });
    }

    private static String names(Irqs irqs, List<Long> actions) {
        StringBuilder n = new StringBuilder();
        for (long act : actions) {
            String s = irqs.actionName(act);
            if (s == null) continue;
            if (n.length() > 0) n.append(',');
            n.append(s);
        }
        return n.toString();
    }

    /** crash's generic_show_interrupts, as /proc/interrupts. */
    private Result stats(Kern k, CommandContext context, String cpuSpec) {
        Irqs irqs = new Irqs(k, context);
        int nr = irqs.count();
        int cpus = k.cpus();
        BitSet sel = new BitSet();
        if (cpuSpec != null) sel = Cpus.parse(cpuSpec, cpus, "irq");
        else sel.set(0, cpus);
        final BitSet cpuSel = sel;
        long kstatOff = k.off("irq_desc", "kstat_irqs");
        long chipOff = k.hasMember("irq_desc", "irq_data.chip") ? k.off("irq_desc", "irq_data.chip") : -1;
        long chipNameOff = k.offset("irq_chip", "name").orElse(-1);
        long descNameOff = k.offset("irq_desc", "name").orElse(-1);
        return Result.stream("irqs", out -> {
            StringBuilder h = new StringBuilder("     ");
            for (int c = 0; c < cpus; c++) {
                if (cpuSel.get(c)) h.append(String.format("%10s ", "CPU" + c));
            }
            out.text(h.append('\n'));
            for (int irq = 0; irq < nr; irq++) {
                context.checkCancelled();
                long desc = irqs.desc(irq);
                if (desc == 0) continue;
                List<Long> actions = irqs.actions(desc, context);
                if (actions.isEmpty()) continue;
                long kstat = k.ptr(desc + kstatOff);
                StringBuilder sb = new StringBuilder(String.format("%3d: ", irq));
                List<Object> counts = new ArrayList<>();
                for (int c = 0; c < cpus; c++) {
                    if (!cpuSel.get(c)) continue;
                    long n = k.u32(kstat + k.perCpuOffset(c));
                    sb.append(String.format("%10d ", n));
                    Map<String, Object> cm = new LinkedHashMap<>();
                    cm.put("cpu", c);
                    cm.put("count", n);
                    counts.add(cm);
                }
                String chipName = null;
                String flow = null;
                if (chipOff >= 0 && chipNameOff >= 0) {
                    long chip = k.ptr(desc + chipOff);
                    chipName = chip == 0 ? null : k.string(k.ptr(chip + chipNameOff), 1024);
                    if (chipName != null) sb.append(String.format("%8s", chipName));
                    if (descNameOff >= 0) {
                        flow = k.string(k.ptr(desc + descNameOff), 1024);
                        if (flow != null) sb.append(String.format("-%-8s", flow));
                    }
                }
                String names = names(irqs, actions);
                sb.append(' ').append(names).append('\n');
                out.text(sb);
                if (out.json()) {
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("irq", irq);
                    r.put("counts", counts);
                    r.put("chip", chipName);
                    r.put("flow", flow);
                    r.put("name", names);
                    out.record(r);
                }
            }
            return null;
        });
    }
}
