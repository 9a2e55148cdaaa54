package org.kdive.api.dis;

import java.util.List;
import org.kdive.api.Plugin;

/** A disassembly engine for one or more architectures. */
public interface Disassembler extends Plugin {
    boolean supports(String machine);

    /** Decodes up to {@code max} instructions of {@code code} located at {@code address}; stops at undecodable bytes. */
    List<Instruction> disassemble(String machine, byte[] code, long address, int max);
}
