package org.kdive.arch.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kdive.api.arch.KernelArch;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.DumpFormat;
import org.kdive.api.dump.VmcoreInfo;
import org.kdive.format.diskdump.DiskdumpFormat;
import org.kdive.format.elf.ElfFormat;
import org.kdive.test.Corpus;

/** Translation and registers need only the dump (VMCOREINFO + notes): same answers in every format. */
class OtherFormatsTest {
    private static void check(DumpFormat format, String file) throws IOException {
        try (Dump dump = format.open(List.of(Corpus.file(file)))) {
            KernelArch arch = new X86Architecture().attach(dump, dump.vmcoreinfo().orElse(VmcoreInfo.empty()));
            assertEquals(0x26f8000L, arch.toPhysical(0xff228398826f8000L), file);
            assertEquals(0x24f807dL, arch.toPhysical(0xffffffffc061907dL), file);
            assertEquals(0x22cae90L, arch.toPhysical(0xff61e9284036be90L), file);
            assertEquals(0x2626c53fL, arch.toPhysical(0xffffffffbca6c53fL), file);
            assertEquals(2, arch.cpuRegisters().size(), file);
            assertEquals(0xffffffffc061907dL, arch.cpuRegisters().get(1).pc(), file);
            assertEquals(0xff228398826f8000L, arch.cpuRegisters().get(1).get("rdi").getAsLong(), file);
        }
    }

    @Test
    void elf() throws IOException {
        check(new ElfFormat(), "vmcore.elf-d31");
    }

    @Test
    void kdumpLzo() throws IOException {
        check(new DiskdumpFormat(), "vmcore.kdump-lzo");
    }
}
