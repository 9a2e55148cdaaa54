package org.kdive.api.dis;

/**
 * One decoded instruction in AT&T syntax as gdb (and so crash) prints it.
 *
 * @param target branch/call target address, or -1
 */
public record Instruction(long address, byte[] bytes, String mnemonic, String operands, long target) {
    public int length() { return bytes.length; }
}
