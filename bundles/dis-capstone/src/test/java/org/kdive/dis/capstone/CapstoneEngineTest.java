package org.kdive.dis.capstone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CapstoneEngineTest {
    @Test
    void missingEngineSaysHowToInstallIt() {
        EngineUnavailableException e = assertThrows(EngineUnavailableException.class,
                () -> CapstoneEngine.open(CapstoneEngine.Mode.X86_64, List.of("/nonexistent/libcapstone.so.4", "capstone-not-installed")));
        assertTrue(e.getMessage().startsWith("capstone engine not found: install libcapstone4"), e.getMessage());
        assertTrue(e.getMessage().contains("/nonexistent/libcapstone.so.4"), e.getMessage());
    }

    /** AArch64 mode opens on the same library and decodes (brk #0x800 is arm64's BUG()). */
    @Test
    void opensAnArm64Handle() {
        try (CapstoneEngine arm = CapstoneEngine.open(CapstoneEngine.Mode.ARM64)) {
            byte[] code = {0x00, 0x00, 0x21, (byte) 0xd4, 0x1f, 0x20, 0x03, (byte) 0xd5}; // brk #0x800; nop
            List<Decoded> d = arm.decode(code, 0xffff800008000000L, 10);
            assertEquals(2, d.size());
            assertEquals("brk", d.get(0).mnemonic());
            assertEquals("#0x800", d.get(0).opStr());
            assertEquals("nop", d.get(1).mnemonic());
            assertTrue(d.get(0).operands().isEmpty());
        }
    }
}
