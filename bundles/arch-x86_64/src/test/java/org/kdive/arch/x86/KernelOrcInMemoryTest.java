package org.kdive.arch.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kdive.api.arch.StackFrame;
import org.kdive.api.session.OpenRequest;
import org.kdive.api.session.Session;
import org.kdive.arch.x86.orc.KernelOrcInMemory;
import org.kdive.arch.x86.orc.OrcTable;
import org.kdive.arch.x86.orc.OrcTables;
import org.kdive.core.KdiveSessions;
import org.kdive.format.diskdump.DiskdumpFormat;
import org.kdive.test.Corpus;

/** The kernel's ORC table read from the dump (kallsyms locates it): what a session without vmlinux unwinds with. */
class KernelOrcInMemoryTest {
    @Test
    void agreesWithTheVmlinuxSectionsAndOrcLookup() {
        Session s = CorpusSession.get();
        KernelOrcInMemory reader = new KernelOrcInMemory(s);
        OrcTable memory = reader.read(s.symbols().address("_stext"), s.symbols().address("_etext"), false);
        assertTrue(reader.problems().isEmpty(), reader.problems().toString());
        OrcTable file = X86KernelArch.orcTables(s).kernelTable();
        assertEquals(file.size(), memory.size());
    }

    private static String compact(List<StackFrame> frames) {
        StringBuilder sb = new StringBuilder();
        for (StackFrame f : frames) sb.append(String.format("%n%x %x %s %s %s", f.sp(), f.pc(), f.method(), f.stack(), f.note()));
        return sb.toString();
    }

    @Test
    void stacksWithoutVmlinuxMatchThoseWithIt() throws IOException {
        KdiveSessions sessions = new KdiveSessions(List.of(new DiskdumpFormat()), List.of(new X86Architecture()), List.of(), List.of());
        Session bare = sessions.open(new OpenRequest(List.of(Corpus.file("vmcore.kdump-zlib")), null, false));
        try {
            OrcTables tables = X86KernelArch.orcTables(bare);
            assertEquals("dump memory", tables.kernelSource());
            Session full = CorpusSession.get();
            int frames = 0;
            // CPU 0 (idle, interrupted in kernel text): CPU 1's stack goes through module vqbug, whose
            // ORC needs struct module's layout: types this session lacks (symbols-btf's tests unwind
            // both CPUs with the dump's BTF)
            for (int cpu = 0; cpu < 1; cpu++) {
                List<StackFrame> a = bare.arch().unwindCpu(bare, cpu);
                List<StackFrame> b = full.arch().unwindCpu(full, cpu);
                // without types the NMI/kdump path before the interrupted registers is not found (this
                // session has no BTF either: symbols-btf's tests cover that); from there on, ORC alone
                // must give the same frames
                List<StackFrame> tail = b.subList(b.size() - a.size(), b.size());
                assertEquals(compact(tail).replace("registers", "orc"), compact(a).replace("registers", "orc"), "cpu " + cpu);
                frames += a.size();
            }
            // all of crash's bt -a frames on CPU 0, #0 crash_nmi_callback … #12 secondary_startup_64_no_verify
            assertEquals(13, frames, "frames");
        } finally {
            sessions.close();
        }
    }
}
