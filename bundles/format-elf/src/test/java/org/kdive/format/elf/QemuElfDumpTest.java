package org.kdive.format.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.DumpNote;
import org.kdive.api.fetch.KernelIdentities;
import org.kdive.test.MadeDumps;

/**
 * A real QEMU dump-guest-memory ELF (not a fixture): the corpus kernel booted under QEMU and
 * crashed with sysrq-c by dumps/make-dumps.sh (deb12-6.1-cloud/sysrq; test.sh runs it).
 */
class QemuElfDumpTest {
    @Test
    void readsQemuDumpGuestMemoryElf() throws Exception {
        Path file = MadeDumps.require("deb12-6.1-cloud", "sysrq").file("vmcore.qemu.elf");
        ElfFormat format = new ElfFormat();
        byte[] head = new byte[4096];
        try (var in = Files.newInputStream(file)) {
            in.readNBytes(head, 0, head.length);
        }
        assertTrue(format.probe(file, java.nio.ByteBuffer.wrap(head)) > 0);
        try (Dump dump = format.open(List.of(file))) {
            assertEquals("x86_64", dump.info().machine());
            assertEquals(ElfReader.WRITER_QEMU, dump.info().details().get(ElfReader.DETAIL_WRITER));
            assertEquals(null, dump.info().details().get(ElfReader.DETAIL_KERNEL_TEXT), "QEMU maps physical only");
            List<DumpNote> notes = dump.notes();
            assertEquals(2, notes.stream().filter(n -> n.type() == DumpNote.NT_PRSTATUS && n.name().equals("CORE")).count(),
                    "one PRSTATUS per vCPU");
            assertTrue(notes.stream().anyMatch(n -> n.name().equals("QEMU")), "QEMU's own CPU-state notes");
            assertEquals("6.1.0-50-cloud-amd64", dump.vmcoreinfo().orElseThrow().osRelease().orElseThrow());
            // memory is read through the PT_LOAD segments: the kernel finds its own identity in it
            assertEquals("#1 SMP PREEMPT_DYNAMIC Debian 6.1.176-1 (2026-07-02)", KernelIdentities.of(dump).version());
            long present = 0;
            for (long p = dump.memory().nextPresent(0); p >= 0 && present < 100_000; p = dump.memory().nextPresent(p + 4096)) present++;
            assertTrue(present * 4096 > 150L << 20, "a full dump of the 192 MiB guest: " + present + " pages");
        }
    }
}
