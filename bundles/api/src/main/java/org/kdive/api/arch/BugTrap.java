package org.kdive.api.arch;

/**
 * How BUG() and WARN() trap on an architecture and how its {@code __bug_table} entries
 * ({@code struct bug_entry}) are laid out when the debuginfo does not say.
 *
 * @param instruction the bytes of the trapping instruction the kernel emits, in memory order
 * @param mnemonic    its name as the architecture's disassembler prints it
 * @param entry       the {@code struct bug_entry} layout of this architecture's current kernels
 */
public record BugTrap(byte[] instruction, String mnemonic, BugEntryLayout entry) {
    public BugTrap {
        instruction = instruction.clone();
    }

    @Override
    public byte[] instruction() {
        return instruction.clone();
    }

    /** Whether {@code code} (an instruction's bytes) is the trap. */
    public boolean isTrap(byte[] code) {
        return java.util.Arrays.equals(code, instruction);
    }

    /**
     * Offsets in {@code struct bug_entry}, -1 for a member the kernel leaves out.
     *
     * @param size     sizeof(struct bug_entry)
     * @param address  the trap address (bug_addr, or bug_addr_disp)
     * @param file     the file name pointer (file, or file_disp)
     * @param line     the 16-bit line number
     * @param flags    the 16-bit flags (BUGFLAG_WARNING = 1)
     * @param relative CONFIG_GENERIC_BUG_RELATIVE_POINTERS: address and file are 32-bit offsets from
     *                 the member's own address instead of pointers
     */
    public record BugEntryLayout(int size, int address, int file, int line, int flags, boolean relative) {
    }
}
