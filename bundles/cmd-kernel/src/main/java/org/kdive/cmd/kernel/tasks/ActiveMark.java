package org.kdive.cmd.kernel.tasks;

import org.kdive.api.arch.AddressSpace;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Symbol;
import org.kdive.cmd.kernel.access.Kernel;
import org.kdive.cmd.kernel.printk.LogFormatter;
import org.kdive.cmd.kernel.printk.PrintkReader;

/**
 * What crash's task header says after an active task's state: "(SYSRQ)" for the panic task of a
 * crash forced with SysRq-c, "(PANIC)" for another panic task, "(ACTIVE)" for the others.
 *
 * <p>crash knows a SysRq crash two ways: the log's panic line is an old-style "SysRq : Crash" /
 * "SysRq : Trigger a crash" / "SysRq : Netdump", or, looking for the panic task's starting frame,
 * it scans that task's kernel stack from its base upwards and meets a return address in
 * sysrq_handle_crash before one in the kexec/netdump code (where a kdump capture stops the scan).
 */
public final class ActiveMark {
    private static final String[] SYSRQ_LINES = {"SysRq : Crash", "SysRq : Trigger a crash", "SysRq : Netdump"};
    /** The functions whose return address ends crash's scan (it takes the frame there). */
    private static final java.util.Set<String> SCAN_STOPS = java.util.Set.of("netconsole_netdump", "netpoll_start_netdump",
            "start_disk_dump", "disk_dump", "crash_kexec", "machine_kexec", "try_crashdump");

    private ActiveMark() {
    }

    /** "PANIC", "SYSRQ" or "ACTIVE" for an active task; null for one not running on a CPU. */
    public static String of(Session s, TaskInfo t) {
        if (!t.active()) return null;
        TaskTable table = TaskTable.of(s);
        boolean panic = table.panicTask().map(p -> p.task() == t.task()).orElse(false);
        if (!panic) return "ACTIVE";
        return sysrq(s, t) ? "SYSRQ" : "PANIC";
    }

    private static boolean sysrq(Session s, TaskInfo panicTask) {
        return s.cached("cmd-kernel.sysrq-crash", () -> logSaysSysrq(s) || stackSaysSysrq(s, panicTask));
    }

    private static boolean logSaysSysrq(Session s) {
        try {
            PrintkReader.Log log = new PrintkReader(Kernel.of(s)).read(false);
            String text = log.isPlain() ? log.plainText()
                    : new LogFormatter(true, false, false, false, false, 0).format(log.records());
            for (String m : SYSRQ_LINES) if (text.contains(m)) return true;
        } catch (RuntimeException e) {
            // no readable log: the stack decides
        }
        return false;
    }

    private static boolean stackSaysSysrq(Session s, TaskInfo t) {
        Kernel k = Kernel.of(s);
        if (!k.hasSymbol("sysrq_handle_crash")) return false;
        long textStart = k.symbol("_stext").orElse(0);
        long textEnd = k.symbol("_etext").orElse(-1);
        byte[] words;
        try {
            AddressSpace.Region stack = TaskStack.of(s).region(t);
            words = k.memory().read(stack.start(), (int) (stack.end() - stack.start()));
        } catch (RuntimeException e) {
            return false;
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(words).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + 8 <= words.length; i += 8) {
            long w = b.getLong(i);
            if (Long.compareUnsigned(w, textStart) < 0 || Long.compareUnsigned(w, textEnd) >= 0) continue;
            String name = k.containing(w).map(Symbol::name).orElse("");
            if (SCAN_STOPS.contains(name)) return false;
            if (name.equals("sysrq_handle_crash")) return true;
        }
        return false;
    }
}
