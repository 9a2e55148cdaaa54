package org.kdive.arch.x86.dis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kdive.api.dis.Instruction;

/** The x86_64 disassembler on capstone, as crash prints the corpus's instructions. */
class DisassemblerTest {
    /** The bytes of vqb_virtqueue_add+16..+23 as loaded, the BUG_ON(total_sg > vq->vring.num) test. */
    @Test
    void decodesTheBugOnTest() {
        byte[] code = {(byte) 0x8b, 0x77, 0x38, 0x39, (byte) 0xd6, 0x72, 0x36, 0x0f, 0x0b};
        List<Instruction> ins = new X86Disassembler().disassemble("x86_64", code, 0xffffffffc0619040L, 10);
        assertEquals(4, ins.size());
        assertEquals("mov 0x38(%rdi),%esi", ins.get(0).mnemonic() + " " + ins.get(0).operands());
        assertEquals("cmp %edx,%esi", ins.get(1).mnemonic() + " " + ins.get(1).operands());
        assertEquals("jb 0xffffffffc061907d", ins.get(2).mnemonic() + " " + ins.get(2).operands());
        assertEquals(0xffffffffc061907dL, ins.get(2).target());
        assertEquals("ud2", ins.get(3).mnemonic());
        assertEquals("", ins.get(3).operands());
    }

    @Test
    void ripRelativeOperandsCarryTheirAddress() {
        // cmpl $0x2,0x12336a9(%rip) at __schedule+128, as crash shows it: # 0xffffffffbe639e20 <prof_on>
        byte[] code = {(byte) 0x83, 0x3d, (byte) 0xa9, 0x36, 0x23, 0x01, 0x02};
        Instruction i = new X86Disassembler().disassemble("x86_64", code, 0xffffffffbd406770L, 1).get(0);
        assertEquals("cmpl $0x2,0x12336a9(%rip)", i.mnemonic() + " " + i.operands());
        assertEquals(0xffffffffbe639e20L, i.target());
    }

    @Test
    void stopsAtUndecodableBytes() {
        byte[] code = {(byte) 0x90, 0x06}; // nop; push %es is invalid in 64-bit mode
        assertEquals(1, new X86Disassembler().disassemble("x86_64", code, 0x1000, 10).size());
    }
}
