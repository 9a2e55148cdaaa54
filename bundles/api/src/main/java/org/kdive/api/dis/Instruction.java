package org.kdive.api.dis;

/**
 * One decoded instruction in AT&T syntax as gdb (and so crash) prints it.
 *
 * @param target branch/call target address; for an instruction with a %rip-relative operand the address
 *               that operand refers to (gdb prints it as a "# 0x…" comment); else -1
 */
public record Instruction(long address, byte[] bytes, String mnemonic, String operands, long target) {
    public int length() { return bytes.length; }
}
