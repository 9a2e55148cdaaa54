package org.kdive.api.dis;

/**
 * One decoded instruction, spelled as gdb (and so crash) prints it for the machine.
 *
 * @param target      branch/call target address; for an instruction with a program-counter-relative
 *                    memory operand the address that operand refers to; else -1
 * @param dataTarget  {@code target} is the address of a pc-relative data operand (gdb comments it as
 *                    "# 0x…"), not a branch target printed among the operands
 */
public record Instruction(long address, byte[] bytes, String mnemonic, String operands, long target, boolean dataTarget) {
    /** An instruction whose {@code target}, if any, is a branch target. */
    public Instruction(long address, byte[] bytes, String mnemonic, String operands, long target) {
        this(address, bytes, mnemonic, operands, target, false);
    }

    public int length() { return bytes.length; }
}
