package org.kdive.api.arch;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.kdive.api.dis.Instruction;

/**
 * What an architecture's instructions do, as far as a panic analysis follows them: which registers
 * an instruction writes, simple copies and loads, branches, and the compare that decides a
 * conditional branch. Operates on the {@link Instruction}s of the architecture's own
 * {@link org.kdive.api.dis.Disassembler}; register names are the full-width names of
 * {@link Registers} (an access to a narrower alias carries its width instead).
 *
 * <p>It approximates: straight runs of code, no memory aliasing; good enough for the short
 * compare-and-trap sequences of BUG_ON()/WARN_ON() and the loads before a faulting access.
 */
public interface CodeModel {
    /**
     * One operand.
     *
     * @param kind         what it is
     * @param register     REGISTER: the full-width register
     * @param width        REGISTER: bytes the instruction accesses (4 for a 32-bit alias); else 0
     * @param displacement MEMORY: the constant part of the address
     * @param base         MEMORY: base register, or null
     * @param index        MEMORY: index register, or null
     * @param scale        MEMORY: index scale (1 when none)
     * @param immediate    IMMEDIATE: the value
     * @param pcRelative   MEMORY: the base is the program counter (the address is then
     *                     {@link Instruction#target()})
     * @param text         the operand as the disassembler printed it
     */
    record Operand(Kind kind, String register, int width, long displacement, String base, String index, int scale,
            long immediate, boolean pcRelative, String text) {
        public enum Kind { REGISTER, IMMEDIATE, MEMORY, OTHER }

        public boolean isRegister() { return kind == Kind.REGISTER; }

        public boolean isMemory() { return kind == Kind.MEMORY; }
    }

    /**
     * An instruction that sets a register to one value: a copy of another register, a load (memory
     * operand), or a constant (an immediate, or an idiom such as xor of a register with itself).
     *
     * @param destination the full-width register written
     * @param source      the value's operand
     * @param width       for a load, the bytes read
     * @param idiom       the constant comes from an idiom, not from an operand
     */
    record Assignment(String destination, Operand source, int width, boolean idiom) {
    }

    /**
     * The compare that decides a conditional branch.
     *
     * @param index    index of the compare in the code list (the branch itself for compare-and-branch
     *                 instructions)
     * @param lhs      left side of the relation; null when the compare's operands are not understood
     * @param rhs      right side of the relation (for a bit test, the mask); null likewise
     * @param width    bytes compared
     * @param relation the C relation that holds when the branch is taken: "lhs REL rhs" (one of
     *                 {@code < <= > >= == !=}), or for a bit test "lhs & rhs REL 0" (one of
     *                 {@code == 0, != 0, < 0, >= 0}); "?" and the condition's name when unknown
     * @param signed   the relation compares signed values
     */
    record Comparison(int index, Operand lhs, Operand rhs, int width, String relation, boolean signed) {
    }

    /** The operands in the disassembler's order. */
    List<Operand> operands(Instruction i);

    /** Full-width registers {@code i} may change (a call: every call-clobbered register). */
    Set<String> writes(Instruction i);

    /** The register {@code i} sets to one traceable value, if it is such an instruction. */
    Optional<Assignment> assignment(Instruction i);

    /** Bytes an instruction's operands have: from its register operands, else its size suffix; 0 when unknown. */
    int accessWidth(Instruction i);

    /** A jump (conditional or not) to {@link Instruction#target()}; calls and returns are not jumps. */
    boolean isJump(Instruction i);

    /** A conditional jump. */
    boolean isConditionalJump(Instruction i);

    /** Ends a straight run backwards: a jump, call or return. */
    boolean endsRun(Instruction i);

    /** The compare that decides the conditional jump at {@code code.get(branch)}, looking back a few instructions. */
    Optional<Comparison> comparison(List<Instruction> code, int branch);
}
