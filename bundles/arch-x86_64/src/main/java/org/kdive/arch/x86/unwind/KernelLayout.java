package org.kdive.arch.x86.unwind;

import java.util.Optional;
import java.util.OptionalLong;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.Type;
import org.kdive.arch.x86.orc.OrcTables;

/** Symbol addresses and struct member offsets of the crashed kernel, through the session's symbols. */
public final class KernelLayout {
    private final Session session;

    public KernelLayout(Session session) {
        this.session = session;
    }

    public OptionalLong symbol(String name) {
        try {
            Optional<Symbol> s = session.symbols().first(name);
            return s.isPresent() ? OptionalLong.of(s.get().address()) : OptionalLong.empty();
        } catch (RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * The per-CPU address of hardirq_stack_ptr: a member of pcpu_hot from 6.2 (until 6.15 moved it
     * back), a per-CPU variable of its own otherwise.
     */
    public OptionalLong hardirqStackPtr() {
        OptionalLong own = symbol("hardirq_stack_ptr");
        if (own.isPresent()) return own;
        OptionalLong hot = symbol("pcpu_hot");
        long off = offset("struct pcpu_hot", "hardirq_stack_ptr");
        return hot.isPresent() && off >= 0 ? OptionalLong.of(hot.getAsLong() + off) : OptionalLong.empty();
    }

    /** Offset of a dotted member path ("thread.sp") in a type ("struct task_struct"), or -1. */
    public long offset(String type, String path) {
        try {
            return OrcTables.offset(session.symbols().type(type).map(Type::resolve).orElse(null), path);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** Size of a type, or -1. */
    public long size(String type) {
        try {
            return session.symbols().type(type).map(Type::size).orElse(-1L);
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
