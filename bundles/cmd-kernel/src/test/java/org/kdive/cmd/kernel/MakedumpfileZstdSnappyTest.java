package org.kdive.cmd.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.kdive.api.command.Command;
import org.kdive.api.dump.DumpNote;
import org.kdive.api.session.Session;
import org.kdive.cmd.kernel.commands.BtCommand;
import org.kdive.cmd.kernel.commands.LogCommand;
import org.kdive.cmd.kernel.commands.SysCommand;
import org.kdive.test.CrashText;
import org.kdive.test.MadeDump;
import org.kdive.test.MadeDumps;
import org.kdive.test.session.CorpusSession;

/**
 * makedumpfile's own zstd and snappy kdump files (dumps/make-zstd-dumps.sh: makedumpfile 1.7.7 built
 * from source with both, `-z -d 31` and `-p -d 31` of the corpus kernel's full /proc/vmcore capture),
 * so a misreading of either format cannot hide behind kdive's own writers: sys, bt and log on each
 * file equal crash 8.0.6's on that same file, layout included, but for bt's first frames (see
 * {@link #btFromTheSavedRegisters}). (Every page of both against the capture: format-elf's
 * MakedumpfileZstdSnappyPagesTest.)
 */
class MakedumpfileZstdSnappyTest {
    private static MadeDump made() {
        return MadeDumps.require("deb12-6.1-cloud", "makedumpfile-zstd-snappy");
    }

    private static void sameAsCrash(String output, String command, Command c) {
        MadeDump d = made();
        Path file = d.file("vmcore." + output);
        CorpusSession.open(file);
        String ours = CorpusSession.run(c);
        // crash names the files by their real paths, kdive as it was given them
        String crash = d.crashRef(output + "-" + command).replace(real(file), file.toString());
        assertEquals(CrashText.layout(crash), CrashText.layout(ours), command + " on vmcore." + output);
    }

    /**
     * bt of the panic task on a kdump capture: crash searches the stack for machine_kexec's and
     * __crash_kexec's return addresses (frames of code that ran after the registers were saved);
     * kdive starts at the registers the kernel saved for the dump (NT_PRSTATUS, crash_setup_regs
     * inside __crash_kexec), as drgn does. So kdive's frame #0 is __crash_kexec at that saved RIP,
     * read here from the dump's own note, and from panic on, renumbered, every line is crash's.
     */
    private static void btFromTheSavedRegisters(String output) {
        MadeDump d = made();
        Session s = CorpusSession.open(d.file("vmcore." + output));
        List<String> crash = List.of(CrashText.layout(d.crashRef(output + "-bt")).split("\n"));
        List<String> ours = List.of(CrashText.layout(CorpusSession.run(new BtCommand())).split("\n"));
        assertEquals(crash.get(0), ours.get(0), "the task line");
        int pid = Integer.parseInt(crash.get(0).replaceAll("^PID: +(\\d+) .*", "$1"));
        long rip = -1;
        for (DumpNote n : s.dump().notes()) {
            if (n.type() == DumpNote.NT_PRSTATUS && le(n.desc(), PR_PID, 4) == pid) rip = le(n.desc(), PR_RIP, 8);
        }
        assertTrue(rip != -1, "no NT_PRSTATUS of pid " + pid);
        int crashPanic = indexOf(crash, " panic at ");
        int ourPanic = indexOf(ours, " panic at ");
        assertEquals(2, ourPanic, "one frame before panic: " + ours);
        assertTrue(ours.get(1).matches(" #0 \\[[0-9a-f]{16}\\] __crash_kexec at " + String.format("%016x", rip)), ours.get(1));
        assertTrue(crash.get(crashPanic - 1).contains(" __crash_kexec at "), "crash's frame before panic: " + crash);
        int shift = crashPanic - ourPanic;
        List<String> rest = new ArrayList<>();
        for (String l : crash.subList(crashPanic, crash.size())) {
            Matcher m = FRAME.matcher(l);
            rest.add(m.lookingAt() ? String.format("%3s", "#" + (Integer.parseInt(m.group(1)) - shift)) + l.substring(m.end()) : l);
        }
        assertEquals(String.join("\n", rest), String.join("\n", ours.subList(ourPanic, ours.size())), "bt on vmcore." + output);
    }

    private static final Pattern FRAME = Pattern.compile("^ ?#(\\d+)");
    // struct elf_prstatus on x86_64: pr_pid at 32, pr_reg at 112 (rip is its 17th register)
    private static final int PR_PID = 32;
    private static final int PR_RIP = 112 + 16 * 8;

    private static long le(byte[] b, int at, int len) {
        long v = 0;
        for (int i = len - 1; i >= 0; i--) v = (v << 8) | (b[at + i] & 0xff);
        return v;
    }

    private static int indexOf(List<String> lines, String part) {
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).contains(part)) return i;
        throw new AssertionError("no line with '" + part + "' in " + lines);
    }

    private static String real(Path p) {
        try {
            return p.toRealPath().toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterAll
    static void backToTheCorpusDump() {
        CorpusSession.get();
    }

    @Test
    void zstdSys() {
        sameAsCrash("zstd", "sys", new SysCommand());
    }

    @Test
    void zstdBtFromTheSavedRegisters() {
        btFromTheSavedRegisters("zstd");
    }

    @Test
    void zstdLog() {
        sameAsCrash("zstd", "log", new LogCommand());
    }

    @Test
    void snappySys() {
        sameAsCrash("snappy", "sys", new SysCommand());
    }

    @Test
    void snappyBtFromTheSavedRegisters() {
        btFromTheSavedRegisters("snappy");
    }

    @Test
    void snappyLog() {
        sameAsCrash("snappy", "log", new LogCommand());
    }
}
