package org.kdive.cmd.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kdive.api.command.CommandCancelledException;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Output;
import org.kdive.api.command.Result;

/** The JSON form of each command carries typed fields; streamed output stops when the command is cancelled. */
class JsonAndCancelTest {
    @Test
    @SuppressWarnings("unchecked")
    void vmRecordsAreTyped() {
        Map<String, Object> d = (Map<String, Object>) Fixture.vm().execute(Fixture.context(), List.of("102")).data();
        Map<String, Object> task = (Map<String, Object>) ((List<Object>) d.get("tasks")).get(0);
        assertEquals(102, task.get("pid"));
        assertEquals("0xff228398824c7600", task.get("mm"));
        assertEquals(1440L, task.get("rss_kb"));
        assertEquals(2260L, task.get("total_vm_kb"));
        List<Map<String, Object>> vmas = (List<Map<String, Object>>) task.get("vmas");
        assertEquals(10, vmas.size());
        assertEquals("0x12962000", vmas.get(6).get("start"));
        assertEquals(0x8100073L, vmas.get(6).get("flags"));
        assertEquals(null, vmas.get(6).get("file"));
        assertEquals("/bin/busybox", vmas.get(0).get("file"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void vmPagesInJsonSayWhatBacksThem() {
        Map<String, Object> d = (Map<String, Object>) Fixture.vm().execute(Fixture.context(), List.of("-P", "ff2283988248f688", "102")).data();
        Map<String, Object> task = (Map<String, Object>) ((List<Object>) d.get("tasks")).get(0);
        Map<String, Object> vma = ((List<Map<String, Object>>) task.get("vmas")).get(0);
        List<Map<String, Object>> pages = (List<Map<String, Object>>) vma.get("pages");
        assertEquals(7, pages.size());
        assertEquals("0x3b45000", pages.get(0).get("physical"));
        assertEquals(false, pages.get(1).get("mapped"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void sigFlagsAndHandlersAreTyped() {
        Map<String, Object> d = (Map<String, Object>) Fixture.sig().execute(Fixture.context(), List.of("1")).data();
        Map<String, Object> task = (Map<String, Object>) ((List<Object>) d.get("tasks")).get(0);
        assertEquals(1L, task.get("nr_threads"));
        assertEquals(false, task.get("sigpending"));
        Map<String, Object> sig2 = ((List<Map<String, Object>>) task.get("actions")).get(1);
        assertEquals(2, sig2.get("signal"));
        assertEquals("0x525892", sig2.get("handler"));
        assertEquals(0x4000000L, sig2.get("flags"));
        assertEquals(List.of("SA_RESTORER"), sig2.get("flag_names"));
        assertEquals("SIG_DFL", ((List<Map<String, Object>>) task.get("actions")).get(0).get("handler"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void fuserUsesAreLists() {
        Map<String, Object> d = (Map<String, Object>) Fixture.fuser().execute(Fixture.context(), List.of("/")).data();
        Map<String, Object> init = ((List<Map<String, Object>>) d.get("users")).stream().filter(u -> u.get("pid").equals(1)).findFirst().orElseThrow();
        assertEquals(List.of("root", "cwd"), init.get("usage"));
    }

    @Test
    void vmStopsWhenCancelled() {
        Result r = Fixture.vm().execute(Fixture.context(), List.of("-p", "1"));
        int[] lines = {0};
        Output out = new Output() {
            @Override public boolean json() { return false; }
            @Override public void text(CharSequence text) {
                // the shell's Output: a write after cancellation throws
                if (Thread.currentThread().isInterrupted()) throw new CommandCancelledException();
                if (++lines[0] == 20) Thread.currentThread().interrupt();
            }
            @Override public void record(Object record) { }
            @Override public void error(String code, CharSequence text) { }
        };
        try {
            assertThrows(CommandCancelledException.class, () -> ((Result.Streamed) r).writeTo(out));
        } finally {
            Thread.interrupted();
        }
        assertTrue(lines[0] < 40, "went on for " + lines[0] + " writes after the interrupt");
    }

    @Test
    void badWordsAreUserErrorsOrCrashsMessage() {
        assertEquals("invalid hexadecimal value: xyz",
                assertThrows(CommandException.class, () -> Fixture.vm().execute(Fixture.context(), List.of("-f", "xyz"))).getMessage());
        String text = Fixture.vm().execute(Fixture.context(), List.of("4242")).text();
        assertEquals("vm: invalid task or pid value: 4242\n", text);
        assertTrue(Fixture.fuser().usage().startsWith("fuser - file users\n"));
    }
}
