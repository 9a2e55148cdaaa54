package org.kdive.arch.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.kdive.api.arch.KernelArch;
import org.kdive.api.arch.StackFrame;
import org.kdive.api.session.Session;
import org.kdive.test.Corpus;
import org.kdive.test.CrashText;

/** Backtraces on vmcore.kdump-zlib against crash's bt, drgn's bt and the oops in console.log. */
class UnwindCorpusTest {
    private static final Pattern FRAME = Pattern.compile("#(\\d+) \\[([0-9a-f]+)\\] (\\S+) at ([0-9a-f]+)");
    private final Session session = CorpusSession.get();
    private final KernelArch arch = session.arch();

    /** The frames and the text between them as crash prints bt, from our frames. */
    private String render(List<StackFrame> frames) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < frames.size(); i++) {
            StackFrame f = frames.get(i);
            String name = session.symbols().describe(f.pc());
            name = name == null ? "?" : name.replaceAll("\\+\\d+$", "");
            sb.append(String.format("%s#%d [%x] %s at %x%n", f.level() < 10 ? " " : "", f.level(), f.sp(), name, f.pc()));
            if (f.exceptionRegs() != null) {
                sb.append("    [exception RIP: ").append(describe(f.exceptionRegs().pc())).append("]\n");
                arch.formatRegisters(f.exceptionRegs()).forEach(l -> sb.append(l).append('\n'));
            }
            if (i + 1 < frames.size() && f.stack() != null && !f.stack().equals(frames.get(i + 1).stack())) {
                sb.append("--- <").append(f.stack()).append("> ---\n");
            }
        }
        return sb.toString();
    }

    private String describe(long pc) {
        String d = session.symbols().describe(pc);
        return d == null ? String.format("%x", pc) : d;
    }

    /** crash's frame lines (sp, pc) of one task block. */
    private static List<long[]> frames(String block) {
        List<long[]> out = new ArrayList<>();
        Matcher m = FRAME.matcher(block);
        while (m.find()) out.add(new long[] {Long.parseUnsignedLong(m.group(2), 16), Long.parseUnsignedLong(m.group(4), 16)});
        return out;
    }

    private static void assertSameFrames(String crashBlock, List<StackFrame> ours) {
        List<long[]> ref = frames(crashBlock);
        assertEquals(ref.size(), ours.size(), "frame count");
        for (int i = 0; i < ref.size(); i++) {
            assertEquals(ref.get(i)[0], ours.get(i).sp(), "sp of #" + i);
            assertEquals(ref.get(i)[1], ours.get(i).pc(), "pc of #" + i);
            assertEquals(i, ours.get(i).level());
        }
    }

    @Test
    void panicTaskLikeCrashBt() {
        String ref = Corpus.crashRef("02-bt");
        List<StackFrame> frames = arch.unwindCpu(session, 1);
        assertSameFrames(ref, frames);
        // the exception frame is attached to #7 asm_exc_invalid_op, with crash's register block
        StackFrame f7 = frames.get(7);
        assertNotNull(f7.exceptionRegs());
        assertEquals(0xffffffffc061907dL, f7.exceptionRegs().pc());
        assertEquals(0xffffffffffffffffL, f7.exceptionRegs().get("orig_rax").getAsLong());
        String block = ref.substring(ref.indexOf("    RIP:"), ref.indexOf(" #8 "));
        assertEquals(CrashText.layout(block), CrashText.layout(String.join("\n", arch.formatRegisters(f7.exceptionRegs())) + "\n"));
        // vmlinux frames name the same functions
        String ours = render(frames);
        for (String fn : List.of("machine_kexec", "__crash_kexec", "crash_kexec", "oops_end", "do_trap", "do_error_trap",
                "exc_invalid_op", "asm_exc_invalid_op", "process_one_work", "worker_thread", "kthread", "ret_from_fork")) {
            assertTrue(ours.contains("] " + fn + " at "), fn + " missing in\n" + ours);
        }
        assertNull(frames.get(frames.size() - 1).note(), "ends normally at ret_from_fork");
        for (StackFrame f : frames) assertNull(f.stack(), "all on the task stack");
        // unwind() with the CPU's PRSTATUS registers gives crash's view too
        assertEquals(frames, arch.unwind(session, arch.cpuRegisters().get(1)));
    }

    @Test
    void allCpusLikeCrashBtA() {
        String ref = Corpus.crashRef("03-bt-a");
        String cpu0 = ref.substring(ref.indexOf("PID: 0"), ref.indexOf("PID: 41"));
        List<StackFrame> frames = arch.unwindCpu(session, 0);
        assertSameFrames(cpu0, frames);
        assertEquals("NMI exception stack", frames.get(3).stack());
        assertNull(frames.get(4).stack());
        assertNotNull(frames.get(3).exceptionRegs());
        // the whole text, exception block and stack transition included
        String body = cpu0.substring(cpu0.indexOf(" #0"));
        assertEquals(CrashText.layout(body), CrashText.layout(render(frames)));
        String cpu1 = ref.substring(ref.indexOf("PID: 41"));
        assertSameFrames(cpu1, arch.unwindCpu(session, 1));
    }

    @Test
    void switchedOutTaskLikeCrash() {
        // crash 8.0.2 `foreach bt` on this dump, swapper/1 (task ff2283988125c180), not running, with
        // frame #0 where crash 8.0.6 places it: at the switch frame's return-address slot, thread.sp
        // + 0x30, not thread.sp (ff61e9284009be50) as 8.0.2 did (the made dumps' crash 8.0.6 `bt PID`
        // and `foreach bt` references check this on every kernel: itests GenerationsCommandsTest):
        //  #0 [ff61e9284009be80] __schedule at ffffffffbd406a3d
        //  #1 [ff61e9284009bed8] schedule_idle at ffffffffbd4074c6
        //  #2 [ff61e9284009bee8] do_idle at ffffffffbcaeda26
        //  #3 [ff61e9284009bf28] cpu_startup_entry at ffffffffbcaedd46
        //  #4 [ff61e9284009bf38] start_secondary at ffffffffbca61afa
        //  #5 [ff61e9284009bf50] secondary_startup_64_no_verify at ffffffffbca00159
        String crash = String.join("\n",
                " #0 [ff61e9284009be80] __schedule at ffffffffbd406a3d",
                " #1 [ff61e9284009bed8] schedule_idle at ffffffffbd4074c6",
                " #2 [ff61e9284009bee8] do_idle at ffffffffbcaeda26",
                " #3 [ff61e9284009bf28] cpu_startup_entry at ffffffffbcaedd46",
                " #4 [ff61e9284009bf38] start_secondary at ffffffffbca61afa",
                " #5 [ff61e9284009bf50] secondary_startup_64_no_verify at ffffffffbca00159");
        List<StackFrame> frames = arch.unwindBlocked(session, 0xff2283988125c180L);
        assertEquals(CrashText.layout(crash), CrashText.layout(render(frames)));
        assertEquals("saved-context", frames.get(0).method());
    }

    @Test
    void agreesWithDrgnAndTheConsole() {
        List<StackFrame> frames = arch.unwindCpu(session, 1);
        int ex = -1;
        for (int i = 0; i < frames.size(); i++) if (frames.get(i).exceptionRegs() != null) ex = i;
        assertTrue(ex >= 0);
        // drgn starts at the faulting function, crash and we show it as the exception RIP
        List<String> ours = new ArrayList<>();
        ours.add(String.format("%x", frames.get(ex).exceptionRegs().pc()));
        for (int i = ex + 1; i < frames.size(); i++) ours.add(describe(frames.get(i).pc()));
        String drgn = Corpus.drgnRef("bt.txt");
        assertTrue(drgn.contains("#0  vqb_virtqueue_add"));
        int at = 0;
        for (String fn : List.of("process_one_work", "worker_thread", "kthread", "ret_from_fork")) {
            int p = drgn.indexOf(fn, at);
            assertTrue(p > at, fn + " in drgn's order");
            at = p;
        }
        // console.log: RIP vqb_virtqueue_add+0x4d, then the reliable call trace lines
        assertEquals("ffffffffc061907d", ours.get(0));
        assertEquals(List.of("process_one_work+455", "worker_thread+77", "kthread+218", "ret_from_fork+34"),
                ours.subList(1, ours.size()));
        String console = Corpus.read(Corpus.file("console.log"));
        for (String line : List.of("process_one_work+0x1c7/", "worker_thread+0x4d/", "kthread+0xda/", "ret_from_fork+0x22/")) {
            assertTrue(console.contains(" " + line), line);
        }
    }
}
