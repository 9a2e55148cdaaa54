package org.kdive.cmd.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kdive.api.command.CommandContext;
import org.kdive.test.Corpus;
import org.kdive.test.HostCrash;
import org.kdive.test.CrashText;
import org.kdive.test.session.CorpusSession;

/**
 * {@code irq -d} (the x86_64 IDT) on the corpus dump against the host's crash 8.0.2 run now on the
 * same dump: the whole output, column for column. Its JSON names each vector by number with its
 * handler's address and symbol.
 */
class IrqIdtTest {
    @Test
    void idtMatchesCrash() throws Exception {
        String crash = HostCrash.run(Corpus.vmlinux(), Corpus.file(CorpusSession.DUMP), List.of("irq -d")).get(0);
        assertEquals(256, crash.lines().count(), "crash prints one line per vector:\n" + crash);
        assertEquals(CrashText.layout(crash), CrashText.layout(Devices.run("irq -d")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonCarriesVectorAddressAndSymbol() {
        CommandContext ctx = CorpusSession.context();
        Devices.moduleSymbols(ctx.session());
        Map<String, Object> d = (Map<String, Object>) Devices.commands().get("irq").execute(ctx, List.of("-d")).data();
        List<Map<String, Object>> vectors = (List<Map<String, Object>>) d.get("vectors");
        assertEquals(256, vectors.size());
        for (int i = 0; i < vectors.size(); i++) {
            Map<String, Object> v = vectors.get(i);
            assertEquals(i, v.get("vector"));
            String address = (String) v.get("address");
            assertTrue(address.matches("0x[0-9a-f]+"), address);
            String symbol = (String) v.get("symbol");
            // the symbol names the address: describe it again from the number
            assertEquals(ctx.session().symbols().describe(Long.parseUnsignedLong(address.substring(2), 16)).replaceFirst("\\+0$", ""),
                    symbol, "vector " + i);
        }
        assertEquals("asm_exc_page_fault", vectors.get(14).get("symbol"));   // crash: " [14] asm_exc_page_fault"
    }
}
