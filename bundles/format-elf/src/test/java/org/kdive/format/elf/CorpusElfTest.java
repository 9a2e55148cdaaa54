package org.kdive.format.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.DumpFormat;
import org.kdive.api.dump.DumpNote;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.api.dump.VmcoreInfo;
import org.kdive.test.Corpus;

class CorpusElfTest {
    private final ElfFormat format = new ElfFormat();

    @Test
    void opensFilteredElfCorpusDump() throws Exception {
        var file = Corpus.file("vmcore.elf-d31");
        byte[] head = new byte[DumpFormat.PROBE_SIZE];
        try (var in = Files.newInputStream(file)) {
            in.readNBytes(head, 0, head.length);
        }
        assertEquals(90, format.probe(file, ByteBuffer.wrap(head)));
        assertEquals(0, format.probe(Corpus.file("vqbug.ko"), ByteBuffer.wrap(Files.readAllBytes(Corpus.file("vqbug.ko")))));
        try (Dump dump = format.open(List.of(file))) {
            var info = dump.info();
            assertEquals("elf", info.format());
            assertEquals("ELF64", info.formatVersion());
            assertEquals(2, info.cpus());
            assertEquals("x86_64", info.machine());
            assertEquals(4096, info.pageSize());
            assertTrue(dump.warnings().isEmpty(), dump.warnings().toString());
            // makedumpfile -E packs segment data unaligned: not mistaken for a /proc/vmcore
            assertEquals(null, info.details().get(ElfReader.DETAIL_WRITER));
            assertEquals("virtual 0xffffffffbca00000 = physical 0x26200000, 39858176 bytes",
                    info.details().get(ElfReader.DETAIL_KERNEL_TEXT));
            VmcoreInfo vi = dump.vmcoreinfo().orElseThrow();
            assertEquals("6.1.0-50-cloud-amd64", vi.osRelease().orElseThrow());
            assertEquals("bb603a9147d3efe4744bf83c83eee397c591cc20", vi.buildId().orElseThrow());
            assertEquals(0x3ba00000L, vi.kernelOffset().orElseThrow());
            List<DumpNote> prstatus = dump.notes().stream().filter(n -> n.type() == DumpNote.NT_PRSTATUS).toList();
            assertEquals(2, prstatus.size());
            assertEquals(336, prstatus.get(0).desc().length);

            long physBase = vi.number("phys_base").orElseThrow();
            long phys = vi.symbol("init_uts_ns").orElseThrow() - 0xffffffff80000000L + physBase;
            String uts = new String(dump.memory().read(phys, 400), StandardCharsets.ISO_8859_1);
            assertTrue(uts.contains("6.1.0-50-cloud-amd64"), uts);

            // 0x100000..0x1000000 is a PT_LOAD with p_filesz 0: filtered out
            var e = assertThrows(MemoryAccessException.class, () -> dump.memory().read(0x100000, 8));
            assertEquals(MemoryAccessException.Reason.EXCLUDED, e.reason());
            assertEquals(0x1000, dump.memory().nextPresent(0));
            assertEquals(0x1000000, dump.memory().nextPresent(0x100000));
        }
    }
}
