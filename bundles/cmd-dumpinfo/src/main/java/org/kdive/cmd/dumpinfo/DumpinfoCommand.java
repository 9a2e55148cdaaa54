package org.kdive.cmd.dumpinfo;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.kdive.api.KdiveException;
import org.kdive.api.arch.KernelArch;
import org.kdive.api.command.Args;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.Result;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.DumpInfo;
import org.kdive.api.dump.VmcoreInfo;
import org.kdive.api.fetch.KernelIdentities;
import org.kdive.api.fetch.KernelIdentity;
import org.kdive.api.session.Session;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** What the dump file itself says: works without any debuginfo (`kdive --info DUMP`). */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=dumpinfo")
public final class DumpinfoCommand implements Command {

    @Override public String name() { return "dumpinfo"; }

    @Override public String description() { return "facts the dump file records: format, kernel, crash time, pages"; }

    @Override
    public String usage() {
        return """
                dumpinfo - show what the dump file records about itself and the crashed kernel
                SYNOPSIS
                  dumpinfo
                  Format, version, compression, dump level, page size, CPUs, memory size, kernel
                  release, version and build-id, crash time (UTC), panic CPU, page counts and the
                  warnings found while opening. Needs no vmlinux.""";
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        Args.parse(args, Set.of(), Set.of());
        Session session = context.session();
        KernelArch arch;
        try {
            arch = session.arch();
        } catch (KdiveException e) {
            arch = null; // no architecture bundle for this machine: the identity comes from the headers
        }
        return describe(session.dump(), panicCpu(session), arch);
    }

    /** The report for a dump; {@code panicCpu} is -1 when unknown. */
    public static Result describe(Dump dump, int panicCpu) {
        return describe(dump, panicCpu, null);
    }

    /** The report for a dump; {@code arch} (may be null) reads the kernel's own utsname. */
    public static Result describe(Dump dump, int panicCpu, KernelArch arch) {
        DumpInfo info = dump.info();
        VmcoreInfo vi = dump.vmcoreinfo().orElse(VmcoreInfo.empty());
        KernelIdentity id = KernelIdentities.of(dump, arch);
        Map<String, String> d = info.details();
        int cpu = info.panicCpu() >= 0 ? info.panicCpu() : panicCpu;
        long memory = parse(d.get(DumpInfo.DETAIL_MEMORY));
        OptionalLong crashTime = vi.crashTime();
        long headerTime = parse(d.get(DumpInfo.DETAIL_TIMESTAMP));

        Map<String, Object> data = new LinkedHashMap<>();
        data.put("files", dump.files().stream().map(Object::toString).toList());
        data.put("format", info.format());
        data.put("formatVersion", info.formatVersion());
        data.put("compression", info.compression());
        data.put("dumpLevel", info.dumpLevel() >= 0 ? info.dumpLevel() : null);
        data.put("pageSize", info.pageSize());
        data.put("cpus", info.cpus() >= 0 ? info.cpus() : null);
        data.put("memory", memory >= 0 ? memory : null);
        data.put("machine", id.machine());
        data.put("release", id.release());
        data.put("version", id.version());
        data.put("buildId", id.buildId().orElse(null));
        data.put("kernelOffset", vi.kernelOffset().isPresent() ? String.format("0x%x", vi.kernelOffset().getAsLong()) : null);
        data.put("crashTime", crashTime.isPresent() ? org.kdive.api.util.CtimeFormat.iso(crashTime.getAsLong()) : null);
        data.put("dumpTime", headerTime > 0 ? org.kdive.api.util.CtimeFormat.iso(headerTime) : null);
        data.put("panicCpu", cpu >= 0 ? cpu : null);
        Map<String, Object> pages = new LinkedHashMap<>();
        pages.put("present", parseOrNull(d.get(DumpInfo.DETAIL_PAGES_PRESENT)));
        pages.put("excluded", parseOrNull(d.get(DumpInfo.DETAIL_PAGES_EXCLUDED)));
        if (d.containsKey("pages.missing")) pages.put("missing", parseOrNull(d.get("pages.missing")));
        // pages the format cannot trust (e.g. past a damaged kdump bitmap): there, but not readable as such
        if (d.containsKey("pages.untrusted")) pages.put("untrusted", parseOrNull(d.get("pages.untrusted")));
        data.put("pages", pages);
        data.put("warnings", dump.warnings());

        List<String[]> rows = new ArrayList<>();
        rows.add(row("DUMPFILE", String.join(" ", dump.files().stream().map(p -> p.getFileName().toString()).toList())));
        rows.add(row("FORMAT", info.format() + (info.formatVersion().isEmpty() ? "" : " (version " + info.formatVersion() + ")")));
        rows.add(row("COMPRESSION", info.compression()));
        rows.add(row("DUMP LEVEL", info.dumpLevel() >= 0 ? Integer.toString(info.dumpLevel()) : "unknown"));
        rows.add(row("PAGE SIZE", Integer.toString(info.pageSize())));
        rows.add(row("CPUS", info.cpus() >= 0 ? Integer.toString(info.cpus()) : "unknown"));
        rows.add(row("MEMORY", memory >= 0 ? humanSize(memory) : "unknown"));
        rows.add(row("MACHINE", id.machine().isEmpty() ? "unknown" : id.machine()));
        rows.add(row("RELEASE", id.release().isEmpty() ? "unknown" : id.release()));
        rows.add(row("VERSION", id.version().isEmpty() ? "unknown" : id.version()));
        rows.add(row("BUILD-ID", id.buildId().orElse("unknown")));
        rows.add(row("CRASH TIME", crashTime.isPresent() ? org.kdive.api.util.CtimeFormat.utc(Instant.ofEpochSecond(crashTime.getAsLong()))
                : headerTime > 0 ? org.kdive.api.util.CtimeFormat.utc(Instant.ofEpochSecond(headerTime)) + " (dump written)" : "unknown"));
        rows.add(row("PANIC CPU", cpu >= 0 ? Integer.toString(cpu) : "unknown"));
        rows.add(row("PAGES", pageLine(pages)));
        for (String w : dump.warnings()) rows.add(row("WARNING", w));
        int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            sb.append(" ".repeat(width - r[0].length())).append(r[0]).append(": ").append(r[1]).append('\n');
        }
        return Result.of(sb.toString(), data);
    }

    /**
     * The crashed CPU from the kernel's panic_cpu, found by the vmlinux's symbols or, before there is
     * one, by the kernel's own kallsyms; -1 when neither knows it.
     */
    static int panicCpu(Session session) {
        if (session.dump().info().panicCpu() >= 0) return session.dump().info().panicCpu();
        try {
            // the debuginfo's variable first: one index look-up, where the symbol table is read whole
            java.util.Optional<org.kdive.api.symbols.Variable> var = session.symbols().variable("panic_cpu");
            long at = var.isPresent() ? var.get().address() : session.symbols().address("panic_cpu");
            long v = session.memory().u32(at);
            return v == 0xffffffffL ? -1 : (int) v;
        } catch (RuntimeException e) {
            // no symbols, no architecture, or the page is not in the dump: simply unknown
            return -1;
        }
    }

    private static String pageLine(Map<String, Object> pages) {
        StringBuilder sb = new StringBuilder();
        sb.append(pages.get("present") == null ? "?" : pages.get("present")).append(" present, ");
        sb.append(pages.get("excluded") == null ? "?" : pages.get("excluded")).append(" excluded");
        if (pages.containsKey("missing")) sb.append(", ").append(pages.get("missing")).append(" missing (truncated)");
        if (pages.containsKey("untrusted")) sb.append(", ").append(pages.get("untrusted")).append(" untrusted (damaged)");
        return sb.toString();
    }

    /** crash's style: whole GB (rounded) from 1 GB up, else MB. */
    static String humanSize(long bytes) {
        if (bytes >= (1L << 30) - (1L << 24)) return Math.round(bytes / (double) (1L << 30)) + " GB";
        if (bytes >= 1L << 20) return Math.round(bytes / (double) (1L << 20)) + " MB";
        return bytes + " bytes";
    }

    private static String[] row(String k, String v) { return new String[] {k, v}; }

    private static long parse(String s) {
        try {
            return s == null ? -1 : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Long parseOrNull(String s) {
        long v = parse(s);
        return v >= 0 ? v : null;
    }
}
