package org.kdive.shell;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.kdive.api.arch.AddressSpace;
import org.kdive.api.arch.Registers;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.dump.DumpInfo;
import org.kdive.api.dump.DumpNote;
import org.kdive.api.session.Session;

/**
 * crash's {@code help -n/-D/-r/-k/-K/-m/-t/-v}: dumps of crash's internal tables. kdive prints what
 * it has that corresponds (the dump's header facts, notes and VMCOREINFO; the CPUs' registers; the
 * kernel's text and init ranges; the machine's page and address-space facts), in crash's
 * "name: value" layout and with crash's names where the value is the same; what has no kdive
 * counterpart (crash's own pointers and flags) is left out, and a table kdive does not keep is
 * said so in one line.
 */
final class HelpTables {
    private HelpTables() {
    }

    static final String OPTIONS = "-n -D -r -k -K -m -t -v";

    static Result table(Session s, String option) {
        return switch (option) {
            case "-n", "-D" -> dump(s);
            case "-r" -> registers(s);
            case "-k", "-K" -> kernel(s);
            case "-m" -> machine(s);
            case "-t" -> none("-t", "crash's task table (its context array) has no kdive counterpart: ps, set and json ps show the tasks");
            case "-v" -> none("-v", "crash's vm_table has no kdive counterpart: help -m shows the address space, kmem -i the memory totals");
            default -> throw new CommandException("unknown option: " + option + " (help takes " + OPTIONS + ")", CommandException.USAGE);
        };
    }

    private static Result none(String option, String why) {
        String text = "help " + option + ": " + why + "\n";
        return Result.of(text, Map.of("option", option, "available", false, "text", text.strip()));
    }

    private static void row(StringBuilder sb, Map<String, Object> data, String name, Object value, String text) {
        sb.append(String.format("%18s: %s%n", name, text));
        data.put(name, value);
    }

    /** -n / -D: the dump's header facts, its ELF notes and VMCOREINFO (crash: the format's header dump). */
    private static Result dump(Session s) {
        StringBuilder sb = new StringBuilder();
        Map<String, Object> d = new LinkedHashMap<>();
        DumpInfo i = s.dump().info();
        row(sb, d, "filename", s.dump().files().toString(), String.join(" ", s.dump().files().stream().map(Object::toString).toList()));
        row(sb, d, "format", i.format(), i.format() + (i.formatVersion().isEmpty() ? "" : " (version " + i.formatVersion() + ")"));
        row(sb, d, "compression", i.compression(), i.compression());
        if (i.dumpLevel() >= 0) row(sb, d, "dump_level", i.dumpLevel(), String.format("%d (0x%x)", i.dumpLevel(), i.dumpLevel()));
        row(sb, d, "block_size", i.pageSize(), String.valueOf(i.pageSize()));
        row(sb, d, "machine", i.machine(), i.machine());
        if (i.cpus() >= 0) row(sb, d, "nr_cpus", i.cpus(), String.valueOf(i.cpus()));
        if (i.panicCpu() >= 0) row(sb, d, "current_cpu", i.panicCpu(), String.valueOf(i.panicCpu()));
        i.details().forEach((k, v) -> row(sb, d, k, v, v));
        List<DumpNote> notes = s.dump().notes();
        int prstatus = 0;
        for (DumpNote n : notes) if (n.isPrstatus()) prstatus++;
        row(sb, d, "num_prstatus_notes", prstatus, String.valueOf(prstatus));
        List<Object> nl = new java.util.ArrayList<>();
        for (int k = 0; k < notes.size(); k++) {
            DumpNote n = notes.get(k);
            String type = n.isPrstatus() ? "NT_PRSTATUS" : "VMCOREINFO".equals(n.name()) ? "VMCOREINFO" : "type " + n.type();
            sb.append(String.format("%18s: %s (%s, %d bytes at file offset %d)%n", "notes[" + k + "]", type, n.name(), n.desc().length,
                    n.fileOffset()));
            nl.add(Map.of("name", String.valueOf(n.name()), "type", n.type(), "size", n.desc().length, "offset", n.fileOffset()));
        }
        d.put("notes", nl);
        String vmcoreinfo = s.vmcoreinfo().text();
        sb.append(String.format("%18s: %d (0x%x)%n", "size_vmcoreinfo", vmcoreinfo.length(), vmcoreinfo.length()));
        for (String line : vmcoreinfo.split("\n")) if (!line.isEmpty()) sb.append(" ".repeat(22)).append(line).append('\n');
        d.put("vmcoreinfo", s.vmcoreinfo().entries());
        return Result.of(sb.toString(), d);
    }

    /** -r: each CPU's registers as the capture kernel saved them (crash: the dump's PRSTATUS notes). */
    private static Result registers(Session s) {
        StringBuilder sb = new StringBuilder();
        List<Object> cpus = new java.util.ArrayList<>();
        List<Registers> regs = s.arch().cpuRegisters();
        for (int c = 0; c < regs.size(); c++) {
            if (c > 0) sb.append('\n');
            sb.append("CPU ").append(c).append(":\n");
            s.arch().formatRegisters(regs.get(c)).forEach(l -> sb.append(l).append('\n'));
            Map<String, Object> m = new LinkedHashMap<>();
            regs.get(c).values().forEach((k, v) -> m.put(k, v >= 0 ? (Object) v : new java.math.BigInteger(Long.toUnsignedString(v))));
            cpus.add(Map.of("cpu", c, "registers", m));
        }
        return Result.of(sb.toString(), Map.of("cpus", cpus));
    }

    /** -k / -K: the kernel's text, init and end addresses, CPUs and release (crash's kernel_table). */
    private static Result kernel(Session s) {
        StringBuilder sb = new StringBuilder();
        Map<String, Object> d = new LinkedHashMap<>();
        String[][] symbols = {{"stext", "_stext"}, {"etext", "_etext"}, {"stext_init", "_sinittext"}, {"etext_init", "_einittext"},
            {"init_begin", "__init_begin"}, {"init_end", "__init_end"}, {"end", "_end"}};
        for (String[] n : symbols) {
            OptionalLong v = symbol(s, n[1]);
            if (v.isPresent()) {
                sb.append(String.format("%14s: %x%n", n[0], v.getAsLong()));
                d.put(n[0], org.kdive.api.util.Hex.json(v.getAsLong()));
            }
        }
        int cpus = Math.max(s.dump().info().cpus(), s.arch().cpuRegisters().size());
        sb.append(String.format("%14s: %d%n", "cpus", cpus));
        d.put("cpus", cpus);
        s.vmcoreinfo().kernelOffset().ifPresent(o -> {
            sb.append(String.format("%14s: %x%n", "kaslr_offset", o));
            d.put("kaslr_offset", org.kdive.api.util.Hex.json(o));
        });
        s.vmcoreinfo().osRelease().ifPresent(r -> {
            sb.append(String.format("%14s: %s%n", "release", r));
            d.put("release", r);
        });
        String version = s.dump().info().details().get(DumpInfo.DETAIL_UTS_VERSION);
        if (version != null) {
            sb.append(String.format("%14s: %s%n", "version", version));
            d.put("version", version);
        }
        return Result.of(sb.toString(), d);
    }

    /** -m: the machine: its name, page size and where the kernel's regions are (crash's machdep_table). */
    private static Result machine(Session s) {
        StringBuilder sb = new StringBuilder();
        Map<String, Object> d = new LinkedHashMap<>();
        AddressSpace a = s.arch().addressSpace(s);
        int page = a.pageSize();
        int shift = Integer.numberOfTrailingZeros(page);
        String[][] rows = {
            {"machine", s.arch().machine()},
            {"kernel_base", String.format("%x", a.kernelBase())},
            {"identity_map_base", String.format("%x", a.directMap().start())},
            {"pagesize", String.valueOf(page)},
            {"pageshift", String.valueOf(shift)},
            {"pagemask", String.format("%x", -(long) page)},
            {"pageoffset", String.format("%x", page - 1)},
            {"bits", String.valueOf(s.arch().pointerSize() * 8)},
            {"vmalloc", range(a.vmalloc())},
            {"modules", range(a.modules())},
            {"kernel_image", range(a.kernelImage())},
            {"vmemmap_base", String.format("%x", a.vmemmapBase())},
            {"page_struct_size", String.valueOf(a.pageStructSize())},
            {"max_pfn", String.valueOf(a.maxPfn())},
            {"calling_convention", s.arch().registerRoles().convention()}};
        for (String[] r : rows) {
            sb.append(String.format("%19s: %s%n", r[0], r[1]));
            d.put(r[0], r[1]);
        }
        return Result.of(sb.toString(), d);
    }

    private static String range(AddressSpace.Region r) {
        return r.isEmpty() ? "(none)" : String.format("%x - %x", r.start(), r.end());
    }

    private static OptionalLong symbol(Session s, String name) {
        try {
            return s.symbols().first(name).map(x -> OptionalLong.of(x.address())).orElse(OptionalLong.empty());
        } catch (RuntimeException e) {
            return OptionalLong.empty();
        }
    }
}
