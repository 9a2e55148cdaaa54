package org.kdive.autopsy.panic;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.kdive.api.kernel.LogMessage;

/**
 * What the kernel log says about the crash: the last oops/warning/panic block and the facts in it
 * (headline, panic message, faulting address from CR2 or the page-fault line, CPU/PID/comm, RIP).
 */
public final class Oops {
    private static final Pattern CPU_LINE = Pattern.compile("CPU: (\\d+) PID: (\\d+) Comm: (\\S+)");
    private static final Pattern FAULT_ADDR = Pattern.compile(
            "BUG: (?:kernel NULL pointer dereference, address|unable to handle page fault for address): ([0-9a-fA-Fx]+)");
    private static final Pattern CR2 = Pattern.compile("CR2: ([0-9a-fA-F]+)");
    private static final Pattern SOFT = Pattern.compile("soft lockup - CPU#(\\d+) stuck for (\\d+)s! \\[(.*):(\\d+)\\]");
    private static final Pattern HUNG = Pattern.compile("INFO: task (.*):(\\d+) blocked for more than (\\d+) seconds");
    private static final int MAX_BLOCK = 80;

    private final List<String> block;
    private final String headline;
    private final String panicMessage;
    private final List<String> all;

    private Oops(List<String> all, List<String> block, String headline, String panicMessage) {
        this.all = all;
        this.block = block;
        this.headline = headline;
        this.panicMessage = panicMessage;
    }

    /** Reads the log messages (each may hold several lines). */
    public static Oops of(List<LogMessage> messages) {
        List<String> lines = new ArrayList<>();
        for (LogMessage m : messages) {
            for (String l : m.text().split("\n")) lines.add(l.stripTrailing());
        }
        String panic = null;
        for (int i = lines.size() - 1; i >= 0; i--) {
            int at = lines.get(i).indexOf("Kernel panic - not syncing:");
            if (at >= 0) {
                panic = lines.get(i).substring(at + "Kernel panic - not syncing:".length()).strip();
                if (panic.endsWith("]---")) panic = panic.substring(0, panic.length() - 4).strip(); // "---[ end Kernel panic … ]---"
                break;
            }
        }
        // the last oops/warning headline; the panic line itself only when nothing explains it
        int start = -1;
        for (int pass = 0; pass < 2 && start < 0; pass++) {
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (isHeadline(lines.get(i)) && (pass == 1 || !lines.get(i).contains("Kernel panic - not syncing"))) {
                    start = i;
                    break;
                }
            }
        }
        if (start < 0) return new Oops(lines, List.of(), null, panic);
        // "Oops: …" follows the line that says what happened ("BUG: kernel NULL pointer dereference …")
        for (int i = start - 1; i >= Math.max(0, start - 4) && lines.get(start).strip().startsWith("Oops:"); i--) {
            if (isHeadline(lines.get(i))) start = i;
        }
        List<String> block = new ArrayList<>();
        for (int i = start; i < lines.size() && block.size() < MAX_BLOCK; i++) {
            block.add(lines.get(i));
            if (i > start && (lines.get(i).contains("---[ end trace") || lines.get(i).contains("Kernel panic - not syncing"))) break;
        }
        return new Oops(lines, List.copyOf(block), lines.get(start).strip(), panic);
    }

    private static boolean isHeadline(String l) {
        return l.contains("kernel BUG at ") || l.startsWith("BUG: ") || l.contains("] BUG: ") || l.startsWith("WARNING: CPU:")
                || l.contains("general protection fault") || l.contains("sysrq: Trigger a crash")
                || l.contains("watchdog: BUG: soft lockup") || l.contains("Watchdog detected hard LOCKUP")
                || l.startsWith("INFO: task ") && l.contains("blocked for more than") || l.contains("invoked oom-killer")
                || l.startsWith("Oops: ") || l.contains("Kernel panic - not syncing")
                || l.contains("mce: [Hardware Error]") && l.contains("Machine Check");
    }

    public List<String> block() { return block; }

    public Optional<String> headline() { return Optional.ofNullable(headline); }

    public Optional<String> panicMessage() { return Optional.ofNullable(panicMessage); }

    /** The first line of the block starting with {@code prefix} (after leading spaces). */
    public Optional<String> line(String prefix) {
        for (String l : block) if (l.strip().startsWith(prefix)) return Optional.of(l.strip());
        return Optional.empty();
    }

    /** Any line of the whole log containing {@code text}, last one. */
    public Optional<String> anyLine(String text) {
        for (int i = all.size() - 1; i >= 0; i--) if (all.get(i).contains(text)) return Optional.of(all.get(i).strip());
        return Optional.empty();
    }

    /** The kind of panic the log describes (null headline and message: UNKNOWN). */
    public PanicKind kind() {
        String h = headline == null ? "" : headline;
        String p = panicMessage == null ? "" : panicMessage;
        if (p.contains("achine check") || p.contains("MCE") || h.contains("Machine Check")) return PanicKind.MACHINE_CHECK;
        if (h.contains("kernel BUG at ")) return PanicKind.BUG;
        if (h.contains("kernel NULL pointer dereference")) return PanicKind.NULL_DEREFERENCE;
        if (h.contains("unable to handle page fault") || h.contains("BUG: unable to handle")) return PanicKind.PAGE_FAULT;
        if (h.contains("general protection fault")) return PanicKind.GENERAL_PROTECTION;
        if (h.contains("soft lockup") || p.contains("softlockup")) return PanicKind.SOFT_LOCKUP;
        if (h.contains("hard LOCKUP") || p.contains("Hard LOCKUP")) return PanicKind.HARD_LOCKUP;
        if (h.startsWith("INFO: task") || p.contains("hung_task")) return PanicKind.HUNG_TASK;
        if (h.contains("sysrq: Trigger a crash") || p.contains("sysrq triggered crash")) return PanicKind.SYSRQ;
        if (h.startsWith("WARNING: CPU:") || p.contains("panic_on_warn")) return PanicKind.WARN;
        if (p.contains("Out of memory") || p.contains("out of memory") || p.contains("deadlocked on memory") || h.contains("oom-killer")) {
            return PanicKind.OUT_OF_MEMORY;
        }
        if (!p.isEmpty()) return PanicKind.PANIC;
        return PanicKind.UNKNOWN;
    }

    /** The faulting address of a page fault: the "BUG: … address: X" line, else CR2 of the oops registers. */
    public OptionalLong faultAddress() {
        for (String l : block) {
            Matcher m = FAULT_ADDR.matcher(l);
            if (m.find()) return parseHex(m.group(1));
        }
        for (String l : block) {
            Matcher m = CR2.matcher(l);
            if (m.find()) return parseHex(m.group(1));
        }
        return OptionalLong.empty();
    }

    /** {cpu, pid, comm} of the "CPU: N PID: P Comm: C" line. */
    public Optional<String[]> cpuPidComm() {
        for (String l : block) {
            Matcher m = CPU_LINE.matcher(l);
            if (m.find()) return Optional.of(new String[] {m.group(1), m.group(2), m.group(3)});
        }
        return Optional.empty();
    }

    /** {cpu, seconds, comm, pid} of a soft-lockup line. */
    public Optional<String[]> softLockup() {
        for (String l : block) {
            Matcher m = SOFT.matcher(l);
            if (m.find()) return Optional.of(new String[] {m.group(1), m.group(2), m.group(3), m.group(4)});
        }
        return Optional.empty();
    }

    /** {comm, pid, seconds} of every "INFO: task … blocked for more than" line in the log. */
    public List<String[]> hungTasks() {
        List<String[]> out = new ArrayList<>();
        for (String l : all) {
            Matcher m = HUNG.matcher(l);
            if (m.find()) out.add(new String[] {m.group(1), m.group(2), m.group(3)});
        }
        return out;
    }

    private static final Pattern TRACE_ENTRY = Pattern.compile(
            "^(\\? )?([A-Za-z0-9_.$]+)\\+0x([0-9a-f]+)(?:/0x([0-9a-f]+))?(?: \\[([A-Za-z0-9_-]+)\\])?$");
    private static final Pattern KERNEL_RIP = Pattern.compile("^RIP: 0010:(.*)$");
    private static final Pattern TAINTED = Pattern.compile("Tainted: ((?:[A-Z]+ +)+)");

    /** The block's taint letters ("G OE"), "" for "Not tainted", null when the block has no CPU line. */
    public String taint() {
        for (String l : block) {
            if (l.contains("Not tainted")) return "";
            Matcher m = TAINTED.matcher(l);
            if (m.find()) {
                List<String> letters = new ArrayList<>();
                for (String t : m.group(1).trim().split(" +")) {
                    if (t.matches("[A-Z]+")) letters.add(t);
                }
                return String.join(" ", letters);
            }
        }
        return null;
    }

    /**
     * The stack the kernel printed for the block, innermost first: the kernel-mode "RIP:" function
     * of the block (when it comes before the trace), then the first "Call Trace:" after the
     * block's start, through its end marker. Each entry {function, offset, size, module, "?"}.
     */
    public List<Object[]> trace() {
        List<Object[]> out = new ArrayList<>();
        if (block.isEmpty()) return out;
        int start = 0;
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).equals(block.get(0))) {
                start = i;
                break;
            }
        }
        int call = -1;
        for (int i = start; i < all.size() && i < start + 400; i++) {
            String l = all.get(i).strip();
            if (l.equals("Call Trace:")) {
                call = i;
                break;
            }
            Matcher m = KERNEL_RIP.matcher(l);
            if (m.matches() && out.isEmpty()) {
                Object[] e = entry(m.group(1).strip());
                if (e != null) out.add(e);
            }
        }
        if (call < 0) return out;
        int depth = 0;
        for (int i = call + 1; i < all.size() && i < call + 200; i++) {
            String l = all.get(i).strip();
            if (l.matches("<[A-Z#]+>")) {
                depth++;
                continue;
            }
            if (l.matches("</[A-Z#]+>")) {
                depth--;
                if (depth <= 0 && l.equals("</TASK>")) break;
                continue;
            }
            Object[] e = entry(l);
            if (e != null) out.add(e);
            else if (depth <= 0) break; // the trace ended without markers
        }
        return out;
    }

    private static Object[] entry(String l) {
        Matcher m = TRACE_ENTRY.matcher(l);
        if (!m.matches()) return null;
        try {
            long off = Long.parseUnsignedLong(m.group(3), 16);
            long size = m.group(4) == null ? -1 : Long.parseUnsignedLong(m.group(4), 16);
            return new Object[] {m.group(2), off, size, m.group(5), m.group(1) != null};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static OptionalLong parseHex(String s) {
        String t = s.startsWith("0x") ? s.substring(2) : s;
        try {
            return OptionalLong.of(Long.parseUnsignedLong(t, 16));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
