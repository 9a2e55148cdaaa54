package org.kdive.api.dis;

import java.util.List;
import org.kdive.api.Plugin;

/**
 * A disassembler for one or more machines, in the syntax crash (gdb) prints for them. Each
 * architecture bundle registers the one for its machine.
 */
public interface Disassembler extends Plugin {
    boolean supports(String machine);

    /** Decodes up to {@code max} instructions of {@code code} located at {@code address}; stops at undecodable bytes. */
    List<Instruction> disassemble(String machine, byte[] code, long address, int max);
}
