package org.kdive.arch.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kdive.api.arch.KernelArch;
import org.kdive.api.arch.Registers;
import org.kdive.test.Corpus;
import org.kdive.test.CrashText;

/** PRSTATUS registers of vmcore.kdump-zlib against console.log and crash. */
class RegistersCorpusTest {
    private final KernelArch arch = CorpusSession.get().arch();

    @Test
    void oneRegisterSetPerCpu() {
        List<Registers> cpus = arch.cpuRegisters();
        assertEquals(2, cpus.size());
        Registers panic = cpus.get(1);
        assertEquals("rip", panic.pcName());
        assertEquals("rsp", panic.spName());
        assertEquals(0xffffffffc061907dL, panic.pc());
        assertEquals(0xff61e9284036be90L, panic.sp());
        assertEquals(0x81L, panic.get("rdx").getAsLong());
        assertEquals(0x80L, panic.get("rsi").getAsLong());
        assertEquals(0xff228398826f8000L, panic.get("rdi").getAsLong());
        assertEquals(0x297L, panic.get("rflags").getAsLong());
        assertEquals(0x10L, panic.get("cs").getAsLong());
        assertEquals(0x18L, panic.get("ss").getAsLong());
        assertEquals(0xffffffffbd40dfebL, cpus.get(0).pc());
        assertEquals(0xffffffffbe403e90L, cpus.get(0).sp());
        assertEquals(27, panic.values().size());
        assertEquals(List.of("rip", "rsp", "rflags", "rax"), panic.values().keySet().stream().limit(4).toList());
    }

    @Test
    void formatsLikeCrash() {
        // crash's exception block of refs/crash/02-bt.txt, after the "[exception RIP: …]" line
        String ref = Corpus.crashRef("02-bt");
        String block = ref.substring(ref.indexOf("    RIP:"), ref.indexOf(" #8 "));
        assertEquals(CrashText.layout(block),
                CrashText.layout(String.join("\n", arch.formatRegisters(arch.cpuRegisters().get(1))) + "\n"));
    }
}
