package org.kdive.arch.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.kdive.api.arch.StackFrame;
import org.kdive.api.session.Session;
import org.kdive.arch.x86.orc.OrcEntry;
import org.kdive.arch.x86.orc.OrcTable;
import org.kdive.arch.x86.orc.OrcTables;
import org.kdive.test.Corpus;

/** The ORC tables of vmlinux's sections, of the dump's memory and of module vqbug (from struct module). */
class OrcTablesCorpusTest {
    private final Session session = CorpusSession.get();

    @Test
    void vmlinuxSectionsAndDumpMemoryAgree() {
        OrcTables tables = X86KernelArch.orcTables(session);
        assertEquals("vmlinux sections", tables.kernelSource());
        OrcTable file = tables.kernelTable();
        OrcTable memory = tables.kernelTableFromMemory();
        assertNotNull(memory, "__start_orc_unwind_ip … in the dump");
        assertEquals(file.size(), memory.size());
        int checked = 0;
        for (int cpu = 0; cpu < 2; cpu++) {
            for (StackFrame f : session.arch().unwindCpu(session, cpu)) {
                if (!file.covers(f.pc())) continue;
                assertEquals(file.find(f.pc() - 1), memory.find(f.pc() - 1), String.format("%x", f.pc()));
                checked++;
            }
        }
        // as many as crash's bt -a shows in the kernel's text
        int crashFrames = 0;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^ ?#\\d+ \\[[0-9a-f]+\\] \\S+ at ([0-9a-f]{16})$")
                .matcher(Corpus.crashRef("03-bt-a"));
        while (m.find()) {
            if (file.covers(Long.parseUnsignedLong(m.group(1), 16))) crashFrames++;
        }
        assertEquals(25, crashFrames, "crash's bt -a: 13 frames on CPU 0, 12 on CPU 1");
        assertEquals(crashFrames, checked);
    }

    @Test
    void moduleTableFromTheDump() {
        // vqb_virtqueue_add+77 (no module debuginfo loaded): a leaf, return address right at rsp
        OrcEntry e = X86KernelArch.orcTables(session).find(0xffffffffc061907dL);
        assertNotNull(e);
        assertEquals(OrcEntry.REG_SP, e.spReg());
        assertEquals(8, e.spOffset());
        assertEquals(OrcEntry.TYPE_CALL, e.type());
        // asm_exc_invalid_op's return address: pt_regs right at the stack pointer
        OrcEntry regs = X86KernelArch.orcTables(session).find(0xffffffffbd600b96L - 1);
        assertEquals(OrcEntry.TYPE_REGS, regs.type());
        assertEquals(0, regs.spOffset());
    }
}
