package org.kdive.api.arch;

import java.util.List;
import java.util.Optional;

/**
 * What the registers of an architecture are for, by the names its {@link Registers} use, and its
 * kernel calling convention. Commands ask for a role ("the first argument") instead of naming a CPU's
 * register.
 *
 * @param pc             program counter
 * @param sp             stack pointer
 * @param framePointer   frame pointer register, null when the architecture has none by convention
 * @param linkRegister   the register a call leaves the return address in; null when calls push it
 *                       on the stack
 * @param returnValue    the register a function returns its (first) value in
 * @param arguments      the integer argument registers, in parameter order (arguments beyond them
 *                       are passed on the stack)
 * @param callClobbered  registers a call may change (caller-saved), the return value included
 * @param convention     the calling convention's usual name, as a heading says it (e.g. "System V", "AAPCS64")
 */
public record RegisterRoles(String pc, String sp, String framePointer, String linkRegister, String returnValue,
        List<String> arguments, List<String> callClobbered, String convention) {
    public RegisterRoles {
        arguments = List.copyOf(arguments);
        callClobbered = List.copyOf(callClobbered);
    }

    /** The register holding argument {@code n} (0-based) at function entry, if it is passed in one. */
    public Optional<String> argument(int n) {
        return n >= 0 && n < arguments.size() ? Optional.of(arguments.get(n)) : Optional.empty();
    }

    /** The parameter index a register carries at function entry, or -1. */
    public int argumentIndex(String register) {
        return arguments.indexOf(register);
    }
}
