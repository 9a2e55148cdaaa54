package org.kdive.arch.x86.code;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.kdive.api.arch.CodeModel.Assignment;
import org.kdive.api.arch.CodeModel.Comparison;
import org.kdive.api.arch.CodeModel.Operand;
import org.kdive.api.dis.Instruction;
import org.kdive.arch.x86.dis.X86Disassembler;

/**
 * The instruction semantics autopsy follows, on the corpus's BUG_ON(total_sg > vq->vring.num) in
 * vqb_virtqueue_add (console.log: "mov 0x38(%rdi),%esi; cmp %edx,%esi; jb → ud2").
 */
class X86CodeModelTest {
    private static final X86CodeModel MODEL = X86CodeModel.INSTANCE;
    private static final List<Instruction> CODE = new X86Disassembler().disassemble("x86_64",
            new byte[] {(byte) 0x8b, 0x77, 0x38, 0x39, (byte) 0xd6, 0x72, 0x36, 0x0f, 0x0b}, 0xffffffffc0619040L, 10);

    @Test
    void theLoadTheCompareAndTheBranch() {
        Assignment load = MODEL.assignment(CODE.get(0)).orElseThrow();
        assertEquals("rsi", load.destination());
        assertEquals(4, load.width());
        assertTrue(load.source().isMemory());
        assertEquals("rdi", load.source().base());
        assertEquals(0x38, load.source().displacement());
        assertEquals(Set.of("rsi"), MODEL.writes(CODE.get(0)));
        assertEquals(Set.of(), MODEL.writes(CODE.get(1)), "cmp writes only flags");

        assertTrue(MODEL.isConditionalJump(CODE.get(2)));
        assertEquals(0xffffffffc061907dL, CODE.get(2).target());
        Comparison c = MODEL.comparison(CODE, 2).orElseThrow();
        assertEquals(1, c.index());
        assertEquals("rsi", c.lhs().register(), "cmp %edx,%esi; jb jumps when esi < edx");
        assertEquals("rdx", c.rhs().register());
        assertEquals("<", c.relation());
        assertFalse(c.signed());
        assertEquals(4, c.width());
        assertFalse(MODEL.isJump(CODE.get(3)), "ud2");
        assertEquals(Set.of(), MODEL.writes(CODE.get(3)));
    }

    @Test
    void operandsAndIdioms() {
        List<Operand> ops = MODEL.operands(new Instruction(0, new byte[0], "cmpl", "$0x2,0x12336a9(%rip)", 0xffffffffbe639e20L, true));
        assertEquals(Operand.Kind.IMMEDIATE, ops.get(0).kind());
        assertTrue(ops.get(1).pcRelative());
        assertEquals(4, MODEL.accessWidth(new Instruction(0, new byte[0], "cmpl", "$0x2,0x12336a9(%rip)", -1)));
        Assignment zero = MODEL.assignment(new Instruction(0, new byte[0], "xor", "%eax,%eax", -1)).orElseThrow();
        assertTrue(zero.idiom());
        assertEquals("rax", zero.destination());
        assertEquals(0, zero.source().immediate());
        assertTrue(MODEL.writes(new Instruction(0, new byte[0], "call", "0xffffffffbd406770", 0xffffffffbd406770L)).contains("rdi"));
    }
}
