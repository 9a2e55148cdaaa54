package org.kdive.cmd.dis;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.kdive.api.KdiveException;
import org.kdive.api.arch.Registers;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Symbol;

/**
 * Where each CPU was interrupted, from the registers the capture kernel saved (PRSTATUS). On an
 * oops, crash_kexec() saves the exception's pt_regs for the panicking CPU; the other CPUs save the
 * registers their crash NMI interrupted. When the panicking CPU's saved program counter lies in
 * __crash_kexec, the kernel called panic() directly and there is no exception address for it. Labels
 * name the program counter as the architecture does (crash's "exception RIP" on x86_64).
 */
final class ExceptionSites {
    private final Map<Long, String> labels = new HashMap<>();

    static ExceptionSites of(Session session) {
        return session.cached("dis.exception-sites", () -> new ExceptionSites(session));
    }

    private ExceptionSites(Session session) {
        List<Registers> cpus;
        try {
            cpus = session.arch().cpuRegisters();
        } catch (KdiveException | UnsupportedOperationException e) {
            return;
        }
        int panicCpu = panicCpu(session);
        for (int cpu = 0; cpu < cpus.size(); cpu++) {
            if (cpus.get(cpu).isEmpty()) continue;
            long pc = cpus.get(cpu).pc();
            String what = "exception " + cpus.get(cpu).pcName().toUpperCase();
            if (pc == 0) continue;
            if (cpu == panicCpu) {
                Optional<Symbol> in = session.symbols().containing(pc);
                if (in.isPresent() && in.get().name().equals("__crash_kexec")) continue;
                labels.put(pc, what + " (panic task, cpu " + cpu + ")");
            } else {
                labels.putIfAbsent(pc, what + " (cpu " + cpu + ")");
            }
        }
    }

    Optional<String> at(long address) {
        return Optional.ofNullable(labels.get(address));
    }

    private static int panicCpu(Session session) {
        try {
            Optional<Symbol> s = session.symbols().first("panic_cpu");
            if (s.isEmpty()) return -1;
            return (int) session.memory().u32(s.get().address());
        } catch (KdiveException e) {
            return -1;
        }
    }
}
