package org.kdive.autopsy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.kdive.api.command.Result;
import org.kdive.test.MadeDump;
import org.kdive.test.MadeDumps;

/**
 * autopsy on each kind of panic it recognises, on real dumps of the corpus kernel made at test
 * time (dumps/dumps.list: pagefault, gpf, softlockup, hungtask, oom, panic; module
 * dumps/panicker.c). What autopsy says is checked against the console log of the same boot: the
 * kernel's own account of the crash. (Hard lockups are not made: QEMU TCG has no perf counters for
 * the NMI watchdog.)
 */
@Order(4)
class AutopsyPanicKindsTest {
    private record Run(MadeDump dump, Result result) {
        @SuppressWarnings("unchecked")
        Map<String, Object> section(String name) {
            Object s = ((Map<String, Object>) result.data()).get(name);
            assertTrue(s instanceof Map, "autopsy has no " + name + " section: " + result.text());
            return (Map<String, Object>) s;
        }

        String console() {
            return dump.consoleText();
        }

        /** The first match of a console pattern; the console must have it. */
        Matcher console(String regex) {
            Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(console());
            assertTrue(m.find(), dump + ": the console has no line matching " + regex);
            return m;
        }
    }

    private static Run autopsy(String kind, String expectedKind) {
        MadeDump made = MadeDumps.require("deb12-6.1-cloud", kind);
        CorpusSession.open(made.dump());
        Result r = CorpusSession.autopsy().execute(CorpusSession.context(false), List.of("--debuginfo", made.dir().toString()));
        System.out.println(r.text());
        Run run = new Run(made, r);
        Map<String, Object> panic = run.section("panic");
        assertEquals(expectedKind, panic.get("kind"), r.text());
        // the panic() message, the panicking task and its CPU: as the console printed them
        assertEquals(made.fact("panic"), panic.get("panic_message"));
        @SuppressWarnings("unchecked")
        Map<String, Object> task = (Map<String, Object>) panic.get("task");
        assertEquals(Integer.parseInt(made.fact("pid")), task.get("pid"), r.text());
        assertEquals(made.fact("comm"), task.get("comm"));
        assertEquals(Integer.parseInt(made.fact("cpu")), panic.get("cpu"));
        return run;
    }

    @Test
    void pageFault() {
        Run r = autopsy("pagefault", "PAGE_FAULT");
        String address = r.console("BUG: unable to handle page fault for address: ([0-9a-f]+)").group(1);
        assertEquals("0x" + address, r.section("fault").get("address"));
    }

    @Test
    void generalProtectionFault() {
        Run r = autopsy("gpf", "GENERAL_PROTECTION");
        String line = r.console("(general protection fault, probably for non-canonical address 0x[0-9a-f]+)").group(1);
        assertTrue(((String) r.section("panic").get("message")).startsWith(line), r.result().text());
    }

    @Test
    void softLockup() {
        Run r = autopsy("softlockup", "SOFT_LOCKUP");
        Matcher m = r.console("soft lockup - CPU#(\\d+) stuck for (\\d+)s! \\[(.+):(\\d+)\\]");
        Map<String, Object> s = r.section("soft_lockup");
        assertEquals(Integer.parseInt(m.group(1)), s.get("cpu"));
        assertEquals(Integer.parseInt(m.group(2)), s.get("seconds"));
        assertEquals(m.group(3), s.get("comm"));
        assertEquals(Integer.parseInt(m.group(4)), s.get("pid"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void hungTask() {
        Run r = autopsy("hungtask", "HUNG_TASK");
        Matcher m = r.console("INFO: task (.+):(\\d+) blocked for more than (\\d+) seconds\\.");
        List<Object> hung = (List<Object>) ((Map<String, Object>) r.result().data()).get("hung_tasks");
        assertEquals(List.of(Map.of("comm", m.group(1), "pid", Integer.parseInt(m.group(2)), "seconds", Integer.parseInt(m.group(3)))), hung);
    }

    @Test
    void outOfMemory() {
        Run r = autopsy("oom", "OUT_OF_MEMORY");
        String invoked = r.console("\\] (\\S+ invoked oom-killer: .*)$").group(1);
        String said = (String) r.section("oom").get("invoked");
        assertTrue(said != null && said.endsWith(invoked), said + " / console: " + invoked);
    }

    @Test
    void plainPanic() {
        Run r = autopsy("panic", "PANIC");
        assertEquals("panicker: plain panic (mode 5)", r.dump().fact("panic"));
    }
}
