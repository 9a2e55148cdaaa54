package org.kdive.format.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.DumpInfo;
import org.kdive.api.dump.DumpNote;
import org.kdive.api.dump.PhysicalMemory;
import org.kdive.api.dump.VmcoreInfo;
import org.kdive.api.fetch.KernelIdentities;
import org.kdive.api.fetch.KernelIdentity;
import org.kdive.test.Corpus;

/** The ELF dump has no utsname header: the identity comes from VMCOREINFO, init_uts_ns (given the architecture), or the banner. */
class KernelIdentitiesTest {
    static final String VERSION = "#1 SMP PREEMPT_DYNAMIC Debian 6.1.176-1 (2026-07-02)";

    @Test
    void identifiesTheKernelOfTheElfDump() throws Exception {
        try (Dump dump = new ElfFormat().open(List.of(Corpus.file("vmcore.elf-d31")))) {
            KernelIdentity id = KernelIdentities.of(dump);
            assertEquals("6.1.0-50-cloud-amd64", id.release());
            assertEquals(VERSION, id.version()); // without an architecture to translate init_uts_ns: from the banner
            assertEquals("x86_64", id.machine());
            assertEquals("bb603a9147d3efe4744bf83c83eee397c591cc20", id.buildId().orElseThrow());

            // without VMCOREINFO: only the "Linux version" banner in memory tells (console.log line 9)
            Dump bare = new Dump() {
                @Override public List<java.nio.file.Path> files() { return dump.files(); }
                @Override public DumpInfo info() {
                    return new DumpInfo("elf", "ELF64", "none", -1, 4096, 2, "x86_64", -1, Map.of());
                }
                @Override public PhysicalMemory memory() { return dump.memory(); }
                @Override public List<DumpNote> notes() { return List.of(); }
                @Override public Optional<VmcoreInfo> vmcoreinfo() { return Optional.empty(); }
                @Override public List<String> warnings() { return List.of(); }
                @Override public void close() { }
            };
            KernelIdentity b = KernelIdentities.of(bare);
            assertEquals("6.1.0-50-cloud-amd64", b.release());
            assertEquals(VERSION, b.version(), b.banner());
            assertTrue(Corpus.read(Corpus.file("console.log")).contains(b.banner()), b.banner());
            assertTrue(b.buildId().isEmpty());
        }
    }
}
