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
