package org.kdive.format.diskdump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.List;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.DumpFormat;
import org.kdive.api.dump.DumpNote;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.api.dump.VmcoreInfo;
import org.kdive.test.Corpus;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CorpusKdumpTest {
    private final DiskdumpFormat format = new DiskdumpFormat();

    @ParameterizedTest
    @ValueSource(strings = {"vmcore.kdump-zlib", "vmcore.kdump-lzo"})
    void opensCorpusDumpWithHeaderNotesAndVmcoreinfo(String name) throws Exception {
        var file = Corpus.file(name);
        byte[] head = new byte[DumpFormat.PROBE_SIZE];
        try (var in = Files.newInputStream(file)) {
            in.readNBytes(head, 0, head.length);
        }
        assertEquals(100, format.probe(file, ByteBuffer.wrap(head)));
        try (Dump dump = format.open(List.of(file))) {
            var info = dump.info();
            assertEquals("kdump-compressed", info.format());
            assertEquals("6", info.formatVersion());
            assertEquals(name.endsWith("zlib") ? "zlib" : "lzo", info.compression());
            assertEquals(31, info.dumpLevel());
            assertEquals(4096, info.pageSize());
            assertEquals(2, info.cpus());
            assertEquals("x86_64", info.machine());
            assertEquals("6.1.0-50-cloud-amd64", info.details().get("utsname.release"));
            assertEquals("#1 SMP PREEMPT_DYNAMIC Debian 6.1.176-1 (2026-07-02)", info.details().get("utsname.version"));
            assertTrue(dump.warnings().isEmpty(), dump.warnings().toString());

            VmcoreInfo vi = dump.vmcoreinfo().orElseThrow();
            assertEquals("6.1.0-50-cloud-amd64", vi.osRelease().orElseThrow());
            assertEquals("bb603a9147d3efe4744bf83c83eee397c591cc20", vi.buildId().orElseThrow());
            assertEquals(0x3ba00000L, vi.kernelOffset().orElseThrow());
            long prstatus = dump.notes().stream().filter(n -> n.type() == DumpNote.NT_PRSTATUS).count();
            assertEquals(2, prstatus);

            // the kernel's init_uts_ns holds the release string: read it through physical memory
            long initUts = vi.symbol("init_uts_ns").orElseThrow();
            long phys = initUts - 0xffffffff80000000L + Long.parseUnsignedLong(
                    info.details().get("phys_base").substring(2), 16);
            byte[] uts = dump.memory().read(phys, 400);
            assertTrue(new String(uts, java.nio.charset.StandardCharsets.ISO_8859_1).contains("6.1.0-50-cloud-amd64"));

            // page 0x100000 (1 MiB) is excluded at dump level 31 in this dump
            long excluded = firstExcluded(dump);
            var e = assertThrows(MemoryAccessException.class, () -> dump.memory().read(excluded, 8));
            assertEquals(MemoryAccessException.Reason.EXCLUDED, e.reason());
            assertEquals(String.format("page excluded (dump level 31): physical 0x%x", excluded), e.getMessage());
        }
    }

    private static long firstExcluded(Dump dump) {
        var mem = dump.memory();
        for (long p = 0; p < mem.limit(); p += mem.pageSize()) {
            if (!mem.isPresent(p)) {
                try {
                    mem.read(p, 1);
                } catch (MemoryAccessException e) {
                    if (e.reason() == MemoryAccessException.Reason.EXCLUDED) return p;
                }
            }
        }
        throw new AssertionError("no excluded page");
    }
}
