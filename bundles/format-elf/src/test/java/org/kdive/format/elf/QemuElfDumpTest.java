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
    /** The pages the file's PT_LOAD segments hold (file sizes), read here from the program headers alone. */
    private static long loadPages(Path file) throws Exception {
        java.nio.ByteBuffer b;
        try (var ch = java.nio.channels.FileChannel.open(file)) {
            b = ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, Math.min(ch.size(), 1 << 20))
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        }
        long phoff = b.getLong(32);
        int phentsize = Short.toUnsignedInt(b.getShort(54));
        int phnum = Short.toUnsignedInt(b.getShort(56));
        java.util.TreeSet<Long> pages = new java.util.TreeSet<>();
        for (int i = 0; i < phnum; i++) {
            int h = (int) phoff + i * phentsize;
            if (b.getInt(h) != 1) continue; // PT_LOAD
            long paddr = b.getLong(h + 24);
            long filesz = b.getLong(h + 32);
            for (long p = paddr / 4096; p < (paddr + filesz + 4095) / 4096; p++) pages.add(p);
        }
        return pages.size();
    }

    @Test
    void readsQemuDumpGuestMemoryElf() throws Exception {
        Path file = MadeDumps.require("deb12-6.1-cloud", "sysrq").file("vmcore.qemu.elf");
        ElfFormat format = new ElfFormat();
        byte[] head = new byte[4096];
        try (var in = Files.newInputStream(file)) {
            in.readNBytes(head, 0, head.length);
        }
        assertEquals(90, format.probe(file, java.nio.ByteBuffer.wrap(head)), "a little-endian ET_CORE file");
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
            for (long p = dump.memory().nextPresent(0); p >= 0; p = dump.memory().nextPresent(p + 4096)) present++;
            assertEquals(loadPages(file), present, "every page of the PT_LOAD segments (a full dump of the 192 MiB guest)");
        }
    }
}
