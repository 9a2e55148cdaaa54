package org.kdive.test;

/**
 * Comparison of kdive's text with crash's where kdive claims crash's layout: columns and alignment
 * count, so only what a terminal cannot show is ignored — spaces at line ends and blank lines at
 * the ends of the output. ({@link Corpus#normalize} collapses blanks; use it only for content
 * comparisons with other tools' layouts, such as drgn's.)
 */
public final class CrashText {
    private CrashText() {
    }

    public static String layout(String s) {
        StringBuilder sb = new StringBuilder();
        for (String line : s.split("\n", -1)) {
            sb.append(line.stripTrailing()).append('\n');
        }
        String out = sb.toString();
        int start = 0;
        while (start < out.length() && out.charAt(start) == '\n') start++;
        return out.substring(start).stripTrailing();
    }

    private static final java.util.regex.Pattern INIT_MARKER = java.util.regex.Pattern.compile("_MODULE_INIT_START_(\\w+)");

    /**
     * crash's text with its {@code _MODULE_INIT_START_MOD} names replaced by kdive's where crash is
     * wrong: that is crash's own marker for the start of a module's init text, no symbol of the
     * module; while the module is still initializing (a panic in its init function), crash names the
     * function there after it. A line is taken from kdive only when it is crash's line with the marker
     * replaced by one name N (offsets unchanged, so N starts where the marker does; spacing aside), and the console's
     * panic trace names that function in that module ("N+0xOFF/0xSIZE [MOD]"), as the kernel's
     * own symbol lookup does. Lines are compared at the same index: the texts must already align.
     */
    public static String withModuleInitNames(String crash, String kdive, java.util.List<String> consoleTrace) {
        if (!crash.contains("_MODULE_INIT_START_")) return crash;
        String[] c = crash.split("\n", -1);
        String[] k = kdive.split("\n", -1);
        for (int i = 0; i < c.length && i < k.length; i++) {
            java.util.regex.Matcher m = INIT_MARKER.matcher(c[i]);
            if (!m.find()) continue;
            String module = m.group(1);
            for (String t : consoleTrace) {
                java.util.regex.Matcher f = java.util.regex.Pattern.compile("^([\\w.]+)\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[" + module + "\\]").matcher(t);
                // the name's column may be padded to kdive's shorter name (bt -F): spacing aside
                if (f.find() && words(c[i].replace(m.group(), f.group(1))).equals(words(k[i]))) {
                    c[i] = k[i];
                    break;
                }
            }
        }
        return String.join("\n", c);
    }

    private static String words(String line) {
        return line.strip().replaceAll("\\s+", " ");
    }

    private static final java.util.regex.Pattern FRAME_PC =
            java.util.regex.Pattern.compile("^\\s?#\\d+ \\[[0-9a-f]+\\] \\S+ at ([0-9a-f]{16})");

    /**
     * Where crash 8.0.6 lost a QEMU dump's panic-task frames between panic() and the system-call entry
     * (its first task shows one kernel frame, panic, found on the stack, then the user registers, where
     * drgn unwinds several more from the same dump; seen on one boot of the 6.1 bpf guest, a CPU in
     * panic's mdelay): kdive's frames must be drgn 0.0.31's, pc for pc, and its register lines crash's.
     * True when the rule applied and held; false when crash's trace is whole (compare it as usual).
     */
    public static boolean panicFramesAsDrgnWhereCrashLostThem(MadeDump d, String crash, String kdive) {
        java.util.List<String> drgn = drgnKernelPcs(d.drgnRef("bt-frames"));
        java.util.List<String> crashPcs = framePcs(crash);
        if (crashPcs.size() != 1 || drgn.size() <= 3 || !drgn.contains(crashPcs.get(0))) return false;
        org.junit.jupiter.api.Assertions.assertEquals(drgn, framePcs(kdive), d + ": kdive's panic-task frames are not drgn's");
        org.junit.jupiter.api.Assertions.assertEquals(registerLines(crash), registerLines(kdive), d + ": the panic task's user registers");
        return true;
    }

    /** The pcs of a trace's frames ("#N [sp] name at pc" lines) up to its first task's end, in order. */
    private static java.util.List<String> framePcs(String trace) {
        java.util.List<String> pcs = new java.util.ArrayList<>();
        boolean seenTask = false;
        for (String l : trace.split("\n")) {
            if (l.startsWith("PID: ")) {
                if (seenTask) break;
                seenTask = true;
            }
            java.util.regex.Matcher m = FRAME_PC.matcher(l);
            if (m.find()) pcs.add(m.group(1));
        }
        return pcs;
    }

    /** A trace's register lines ("    RIP: ...", "    ORIG_RAX: ..."). */
    private static java.util.List<String> registerLines(String trace) {
        return java.util.Arrays.stream(trace.split("\n")).filter(l -> l.matches("^ {4}[A-Z][A-Z0-9_]*: .*")).toList();
    }

    /**
     * drgn 0.0.31's kernel frames of the panic task (refs/drgn-0.0.31/bt-frames.txt), one pc each: its
     * inlined frames share their caller's pc and count once.
     */
    private static java.util.List<String> drgnKernelPcs(String btFrames) {
        java.util.List<String> pcs = new java.util.ArrayList<>();
        for (String l : btFrames.split("\n")) {
            String[] c = l.trim().split("\\s+");
            if (c.length < 5 || !c[4].startsWith("ffff")) continue;
            if (pcs.isEmpty() || !pcs.get(pcs.size() - 1).equals(c[4])) pcs.add(c[4]);
        }
        return pcs;
    }
}
