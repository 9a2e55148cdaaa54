package org.kdive.cmd.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kdive.api.command.CommandCancelledException;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.Output;
import org.kdive.api.command.Result;
import org.kdive.cmd.devices.irq.IrqCommand;
import org.kdive.cmd.devices.timer.TimerCommand;
import org.kdive.test.session.CorpusSession;

/** The JSON form of the commands carries typed values, and a streamed listing stops when cancelled. */
class DevicesJsonTest {
    private static Object data(String line) {
        CommandContext ctx = CorpusSession.context();
        Devices.moduleSymbols(ctx.session());
        String[] w = line.split(" ");
        return Devices.commands().get(w[0]).execute(ctx, List.of(w).subList(1, w.length)).data();
    }

    @Test
    @SuppressWarnings("unchecked")
    void irqStatsAreNumbersPerCpu() {
        Map<String, Object> d = (Map<String, Object>) data("irq -s");
        List<Map<String, Object>> irqs = (List<Map<String, Object>>) d.get("irqs");
        Map<String, Object> timer = irqs.get(0);
        assertEquals(0, timer.get("irq"));
        assertEquals("timer", timer.get("name"));
        List<Map<String, Object>> counts = (List<Map<String, Object>>) timer.get("counts");
        assertEquals(72L, counts.get(0).get("count"));   // crash: "  0:         72          0  IO-APIC-edge     timer"
        assertEquals("IO-APIC", timer.get("chip"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void timersCarryExpiresAndTteAsNumbers() {
        Map<String, Object> d = (Map<String, Object>) data("timer");
        assertEquals(4294893880L, d.get("jiffies"));
        List<Map<String, Object>> bases = (List<Map<String, Object>>) d.get("bases");
        assertEquals(4, bases.size());   // 2 CPUs x BASE_STD, BASE_DEF
        Map<String, Object> first = ((List<Map<String, Object>>) bases.get(0).get("timers")).get(0);
        assertEquals(4294893856L, first.get("expires"));
        assertEquals(-24L, first.get("tte"));
        assertEquals("delayed_work_timer_fn", first.get("symbol"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void devicesAndDisksAreTyped() {
        Map<String, Object> dev = (Map<String, Object>) data("dev");
        Map<String, Object> mem = ((List<Map<String, Object>>) dev.get("chrdevs")).get(0);
        assertEquals(1, mem.get("major"));
        assertEquals("memory_fops", mem.get("symbol"));
        Map<String, Object> disks = (Map<String, Object>) data("dev -d");
        Map<String, Object> vda = ((List<Map<String, Object>>) disks.get("disks")).get(0);
        assertEquals("vda", vda.get("name"));
        assertInstanceOf(Long.class, vda.get("total"));
        Map<String, Object> net = (Map<String, Object>) data("net");
        Map<String, Object> lo = ((List<Map<String, Object>>) net.get("devices")).get(0);
        assertEquals("lo", lo.get("name"));
        assertTrue(((List<?>) lo.get("ipv4")).isEmpty());
    }

    /** net -R: the reference as given and only the matching sockets (none on the corpus: no task has a socket open). */
    @Test
    @SuppressWarnings("unchecked")
    void socketReferenceIsKeptWithItsMatches() {
        Map<String, Object> d = (Map<String, Object>) data("net -s -R 3 1");
        assertEquals("3", d.get("reference"));
        assertTrue(((List<Object>) d.get("sockets")).isEmpty());
    }

    @Test
    void aCancelledListingStopsAtTheNextCheck() {
        CommandContext ctx = CorpusSession.context();
        Result r = new IrqCommand().execute(ctx, List.of());
        Result.Streamed s = (Result.Streamed) r;
        int[] lines = {0};
        Output out = new Output() {
            @Override public boolean json() { return false; }
            @Override public void text(CharSequence text) {
                if (++lines[0] == 10) Thread.currentThread().interrupt();
            }
            @Override public void record(Object record) { }
            @Override public void error(String code, CharSequence text) { }
        };
        try {
            assertThrows(CommandCancelledException.class, () -> s.writeTo(out));
            assertTrue(lines[0] < 20, "the listing went on after the cancel: " + lines[0] + " writes");
        } finally {
            Thread.interrupted();
        }
        // the hrtimer listing streams too
        assertInstanceOf(Result.Streamed.class, new TimerCommand().execute(ctx, List.of("-r")));
    }
}
