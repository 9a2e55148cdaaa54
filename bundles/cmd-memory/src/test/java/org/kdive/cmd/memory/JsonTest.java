package org.kdive.cmd.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kdive.api.command.CommandException;
import org.kdive.test.session.CorpusSession;

/** The JSON form of pte, btop, ptob and mach carries typed fields. */
class JsonTest {
    @Test
    @SuppressWarnings("unchecked")
    void machFactsAreTyped() {
        Map<String, Object> d = (Map<String, Object>) CrashReferencesTest.command("mach").execute(CorpusSession.context(), List.of()).data();
        assertEquals("x86_64", d.get("machine_type"));
        assertEquals(2, d.get("cpus"));
        assertEquals(2596L, d.get("processor_mhz"));
        assertEquals(250, d.get("hz"));
        Map<String, Object> arch = (Map<String, Object>) d.get("architecture");
        assertEquals("0xff22839880000000", arch.get("kernel_virtual_base"));
        assertEquals(16384L, arch.get("kernel_stack_size"));
        assertEquals("0xff61e928400cd000", arch.get("irq_stack_cpu1"));
        assertEquals(8192L, arch.get("nmi_stack_size"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void pteAndPagesAreTyped() {
        Map<String, Object> d = (Map<String, Object>) CrashReferencesTest.command("pte").execute(CorpusSession.context(), List.of("80000000392000e3")).data();
        Map<String, Object> e = ((List<Map<String, Object>>) d.get("entries")).get(0);
        assertEquals(true, e.get("present"));
        assertEquals("0x39200000", e.get("physical"));
        assertEquals(List.of("PRESENT", "RW", "ACCESSED", "DIRTY", "PSE", "NX"), e.get("flags"));
        Map<String, Object> b = (Map<String, Object>) CrashReferencesTest.command("btop").execute(CorpusSession.context(), List.of("0x1001000")).data();
        assertEquals(0x1001L, ((List<Map<String, Object>>) b.get("pages")).get(0).get("pfn"));
        Map<String, Object> p = (Map<String, Object>) CrashReferencesTest.command("ptob").execute(CorpusSession.context(), List.of("16")).data();
        assertEquals("0x10000", ((List<Map<String, Object>>) p.get("pages")).get(0).get("address"));
    }

    @Test
    void badNumbersAreUserErrors() {
        assertEquals("invalid input string: 0xzz",
                assertThrows(CommandException.class, () -> CrashReferencesTest.command("btop").execute(CorpusSession.context(), List.of("0xzz"))).getMessage());
        assertThrows(CommandException.class, () -> CrashReferencesTest.command("mach").execute(CorpusSession.context(), List.of("-c", "-x", "-d")));
    }
}
