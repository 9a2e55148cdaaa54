package org.kdive.triage;


import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.kdive.api.session.SessionService;
import org.kdive.arch.x86.X86Architecture;
import org.kdive.autopsy.panic.PanicLogService;
import org.kdive.cmd.dis.BugTableService;
import org.kdive.cmd.kernel.commands.SysCommand;
import org.kdive.cmd.kernel.printk.KernelLogService;
import org.kdive.cmd.kernel.tasks.KernelTasksService;
import org.kdive.cmd.symbols.modules.ModulesService;
import org.kdive.core.KdiveSessions;
import org.kdive.format.diskdump.DiskdumpFormat;
import org.kdive.format.elf.ElfFormat;
import org.kdive.format.flattened.FlattenedFormat;
import org.kdive.symbols.dwarf.DwarfDebugInfoProvider;
import org.kdive.test.Corpus;
import org.kdive.test.MadeDumps;

/** The real pieces the distribution wires, without a framework; and the dumps triage is tested on. */
final class Dumps {
    private static Services services;

    private Dumps() {
    }

    static synchronized Services services() {
        if (services == null) {
            SessionService sessions = new KdiveSessions(List.of(new DiskdumpFormat(), new FlattenedFormat(), new ElfFormat()),
                    List.of(new X86Architecture()), List.of(new DwarfDebugInfoProvider()), List.of());
            KernelLogService log = new KernelLogService();
            services = new Services(sessions, new KernelTasksService(), new ModulesService(), new BugTableService(), log,
                    new PanicLogService(log), new SysCommand());
        }
        return services;
    }

    /** The corpus vmlinux is the debuginfo of every dump here (the made dumps boot the same Debian build). */
    static Options withDebuginfo() {
        return new Options(List.of(Corpus.vmlinux()), List.of(), false, Options.DEFAULT_BUDGET);
    }

    static Options withoutDebuginfo() {
        return new Options(List.of(), List.of(), false, Options.DEFAULT_BUDGET);
    }

    static Path corpus(String name) {
        return Corpus.file(name);
    }

    /**
     * A dump made at test time of the corpus kernel, by its former extra/ name (dumps/make-dumps.sh;
     * org.kdive.test.MadeDumps: missing, a failure unless the run allows it with -Dkdive.allowMissingDumps=true).
     */
    static Path extra(String name) {
        return MadeDumps.corpusKernelFile(name);
    }

    /** The function of the last kernel-mode "RIP: 0010:" line of a console log made with the dump. */
    static String consoleRip(String console) {
        try {
            Matcher m = Pattern.compile("RIP: 0010:([A-Za-z0-9_.]+)\\+").matcher(Files.readString(extra(console)));
            String last = null;
            while (m.find()) last = m.group(1);
            return last;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
