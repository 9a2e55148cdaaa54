package org.kdive.cmd.process.access;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import org.kdive.api.command.CommandException;
import org.kdive.api.session.Memory;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.Type;

/**
 * Names → addresses, offsets and sizes of one session's kernel, from its debuginfo (memoised: the
 * commands ask the same members for every VMA, task and page). The shape of a kernel is read from
 * the types present (a member exists or not), never from its version.
 */
public final class Layout {
    private static final long MISSING = Long.MIN_VALUE;
    private final Session session;
    private final Map<String, Long> memo = new ConcurrentHashMap<>();

    private Layout(Session session) {
        this.session = session;
    }

    public static Layout of(Session session) {
        return session.cached("cmd-process.layout", () -> new Layout(session));
    }

    public Session session() { return session; }

    public Memory memory() { return session.memory(); }

    public OptionalLong symbol(String name) {
        long v = memo.computeIfAbsent("sym:" + name, k -> {
            try {
                Optional<Symbol> s = session.symbols().first(name);
                if (s.isPresent()) return s.get().address();
            } catch (RuntimeException e) {
                // no symbol table: VMCOREINFO below
            }
            OptionalLong vi = session.vmcoreinfo().symbol(name);
            return vi.isPresent() ? vi.getAsLong() : MISSING;
        });
        return v == MISSING ? OptionalLong.empty() : OptionalLong.of(v);
    }

    public long requireSymbol(String name) {
        return symbol(name).orElseThrow(() -> new CommandException("symbol not found: " + name));
    }

    /** "struct x", "union x" or a typedef name. */
    public Optional<Type> type(String cName) {
        try {
            return session.symbols().type(cName);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private Optional<Type> structType(String struct) {
        Optional<Type> t = type("struct " + struct);
        if (t.isEmpty()) t = type("union " + struct);
        return t.map(Type::resolve);
    }

    /** Offset of a dotted member path ("sigpending.signal") in struct {@code struct}. */
    public OptionalLong offset(String struct, String path) {
        long v = memo.computeIfAbsent("off:" + struct + "." + path, k -> {
            long d = walk(struct, path, null);
            if (d != MISSING) return d;
            OptionalLong vi = session.vmcoreinfo().offset(struct + "." + path);
            return vi.isPresent() ? vi.getAsLong() : MISSING;
        });
        return v == MISSING ? OptionalLong.empty() : OptionalLong.of(v);
    }

    /** The last member of a dotted path, its offset from the struct's start remembered. */
    public Optional<Member> member(String struct, String path) {
        Member[] last = new Member[1];
        return walk(struct, path, last) == MISSING ? Optional.empty() : Optional.ofNullable(last[0]);
    }

    /** Offset of the path from the struct's start, or MISSING; {@code last[0]} gets the last member. */
    private long walk(String struct, String path, Member[] lastOut) {
        Optional<Type> t = structType(struct);
        if (t.isEmpty()) return MISSING;
        Type cur = t.get();
        long off = 0;
        Member last = null;
        for (String p : path.split("\\.")) {
            if (cur.members() == null) return MISSING;
            Optional<Member> m;
            try {
                m = cur.member(p);
            } catch (RuntimeException e) {
                return MISSING;
            }
            if (m.isEmpty()) return MISSING;
            off += m.get().offset();
            last = m.get();
            cur = m.get().type().resolve();
        }
        if (lastOut != null) lastOut[0] = last;
        return off;
    }

    public boolean hasMember(String struct, String path) {
        return offset(struct, path).isPresent();
    }

    public long requireOffset(String struct, String path) {
        return offset(struct, path).orElseThrow(() -> new CommandException(
                "cannot find " + struct + "." + path + " (no debuginfo type)"));
    }

    /** Size of a struct/union/typedef, or -1. */
    public long size(String name) {
        return memo.computeIfAbsent("size:" + name, k -> {
            for (String spelling : new String[] {"struct " + name, "union " + name, name}) {
                Optional<Type> t = type(spelling);
                if (t.isPresent() && t.get().size() > 0) return t.get().size();
            }
            OptionalLong vi = session.vmcoreinfo().size(name);
            return vi.isPresent() ? vi.getAsLong() : -1L;
        });
    }

    /** Size of a member's type (typedefs resolved), or -1. */
    public long memberSize(String struct, String path) {
        return member(struct, path).map(m -> m.type().resolve().size()).orElse(-1L);
    }

    /** Element count of an array member, or -1. */
    public long memberCount(String struct, String path) {
        return member(struct, path).map(m -> m.type().resolve()).filter(t -> t.kind() == Type.Kind.ARRAY)
                .map(Type::count).orElse(-1L);
    }

    /** Elements of a global array, or -1. */
    public long arrayLength(String variable) {
        try {
            return session.symbols().variable(variable).map(v -> v.type().resolve())
                    .filter(t -> t.kind() == Type.Kind.ARRAY).map(Type::count).orElse(-1L);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** The value of an enumerator anywhere in the debuginfo. */
    public OptionalLong enumerator(String name) {
        try {
            Optional<Type> t = session.symbols().enumeratorType(name);
            return t.isPresent() ? t.get().enumeratorValue(name) : OptionalLong.empty();
        } catch (RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    public long u64(long a) { return memory().u64(a); }

    public long u32(long a) { return memory().u32(a); }

    public long s32(long a) { return (int) memory().u32(a); }

    /** An unsigned member value of its own size (1, 2, 4 or 8 bytes). */
    public long read(long base, String struct, String path) {
        long off = requireOffset(struct, path);
        long size = memberSize(struct, path);
        int n = size == 1 || size == 2 || size == 4 || size == 8 ? (int) size : 8;
        return memory().unsigned(base + off, n);
    }

    public long pointer(long base, String struct, String path) {
        return memory().u64(base + requireOffset(struct, path));
    }

    /** The per-CPU offsets (empty on UP kernels). */
    public long[] perCpuOffsets() {
        return session.arch().addressSpace(session).perCpuOffsets();
    }

    public int pageSize() {
        int p = session.dump().info().pageSize();
        return p > 0 ? p : session.arch().addressSpace(session).pageSize();
    }
}
