package org.kdive.cmd.devices.access;

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
 * What the device commands read of the kernel, through the session only: symbols, the offsets and
 * sizes of members as the dump's debuginfo declares them (the shape decides, never a version
 * number), memory, per-CPU instances. Lookups are memoised for the session.
 */
public final class Kern {
    private static final long MISSING = Long.MIN_VALUE;

    private final Session session;
    private final Map<String, Long> memo = new ConcurrentHashMap<>();
    private final Map<String, Optional<Type>> types = new ConcurrentHashMap<>();

    private Kern(Session session) {
        this.session = session;
    }

    public static Kern of(Session session) {
        return session.cached("cmd-devices.kern", () -> new Kern(session));
    }

    public Session session() { return session; }

    public Memory memory() { return session.memory(); }

    // ---- symbols ----------------------------------------------------------------------------

    public OptionalLong symbol(String name) {
        long v = memo.computeIfAbsent("sym:" + name, k -> {
            try {
                Optional<Symbol> s = session.symbols().first(name);
                if (s.isPresent()) return s.get().address();
            } catch (RuntimeException e) {
                // no symbol tables
            }
            OptionalLong vi = session.vmcoreinfo().symbol(name);
            return vi.isPresent() ? vi.getAsLong() : MISSING;
        });
        return v == MISSING ? OptionalLong.empty() : OptionalLong.of(v);
    }

    public boolean hasSymbol(String name) { return symbol(name).isPresent(); }

    public long requireSymbol(String name) {
        OptionalLong v = symbol(name);
        if (v.isEmpty()) throw new CommandException("symbol not found: " + name, CommandException.NOT_FOUND);
        return v.getAsLong();
    }

    /** "name+off" (crash's value_to_symstr), or "" when no symbol is near. */
    public String symstr(long addr) {
        try {
            String d = session.symbols().describe(addr);
            if (d == null) return "";
            return d.endsWith("+0") ? d.substring(0, d.length() - 2) : d;
        } catch (RuntimeException e) {
            return "";
        }
    }

    /** The symbol exactly at {@code addr} (crash's value_symbol), or null. */
    public String symbolAt(long addr) {
        try {
            Optional<Symbol> s = session.symbols().containing(addr);
            return s.isPresent() && s.get().address() == addr ? s.get().name() : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Whether {@code addr} lies in kernel or module text (crash's is_kernel_text). */
    public boolean isText(long addr) {
        try {
            Optional<Symbol> s = session.symbols().containing(addr);
            if (s.isEmpty() || !s.get().isText()) return false;
            long size = s.get().size();
            return size <= 0 || Long.compareUnsigned(addr - s.get().address(), size) < 0 || s.get().module() == null;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The module that holds {@code addr}, or null. */
    public String moduleOf(long addr) {
        try {
            return session.symbols().containing(addr).map(Symbol::module).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    // ---- types ------------------------------------------------------------------------------

    public Optional<Type> type(String cName) {
        return types.computeIfAbsent(cName, k -> {
            try {
                return session.symbols().type(k);
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        });
    }

    /** struct NAME (or union NAME) resolved, if the debuginfo has it with members. */
    public Optional<Type> struct(String name) {
        Optional<Type> t = type("struct " + name);
        if (t.isEmpty()) t = type("union " + name);
        return t.map(Type::resolve).filter(x -> x.members() != null && !x.members().isEmpty());
    }

    public boolean hasStruct(String name) { return struct(name).isPresent(); }

    /** A member of {@code struct name}, a dotted path adding up nested members. */
    public Optional<Member> member(String struct, String path) {
        Optional<Type> t = struct(struct);
        if (t.isEmpty()) return Optional.empty();
        Type cur = t.get();
        long off = 0;
        Member last = null;
        for (String p : path.split("\\.")) {
            if (cur.members() == null) return Optional.empty();
            Optional<Member> m;
            try {
                m = cur.member(p);
            } catch (RuntimeException e) {
                return Optional.empty();
            }
            if (m.isEmpty()) return Optional.empty();
            off += m.get().offset();
            last = m.get();
            cur = last.type().resolve();
        }
        return Optional.of(new Member(last.name(), off, last.bitOffset(), last.bitSize(), last.type()));
    }

    public OptionalLong offset(String struct, String path) {
        long v = memo.computeIfAbsent("off:" + struct + "." + path, k -> {
            Optional<Member> m = member(struct, path);
            if (m.isPresent()) return m.get().offset();
            OptionalLong vi = session.vmcoreinfo().offset(struct + "." + path);
            return vi.isPresent() ? vi.getAsLong() : MISSING;
        });
        return v == MISSING ? OptionalLong.empty() : OptionalLong.of(v);
    }

    public boolean hasMember(String struct, String path) { return offset(struct, path).isPresent(); }

    public long off(String struct, String path) {
        OptionalLong v = offset(struct, path);
        if (v.isEmpty()) {
            throw new CommandException("cannot find " + struct + "." + path + " in this kernel's debuginfo");
        }
        return v.getAsLong();
    }

    /** sizeof(struct name) (or of a typedef/base type), or -1. */
    public long sizeOf(String name) {
        return memo.computeIfAbsent("size:" + name, k -> {
            for (String spelling : new String[] {"struct " + name, "union " + name, name}) {
                Optional<Type> t = type(spelling);
                if (t.isPresent() && t.get().size() > 0) return t.get().size();
            }
            OptionalLong vi = session.vmcoreinfo().size(name);
            return vi.isPresent() ? vi.getAsLong() : -1L;
        });
    }

    public long requireSize(String name) {
        long s = sizeOf(name);
        if (s <= 0) throw new CommandException("cannot determine the size of " + name);
        return s;
    }

    /** Size of a member's type, or -1. */
    public long memberSize(String struct, String path) {
        return member(struct, path).map(m -> m.type().resolve().size()).orElse(-1L);
    }

    /** Element count of an array member, or -1. */
    public long memberLength(String struct, String path) {
        return member(struct, path).map(m -> {
            Type t = m.type().resolve();
            return t.kind() == Type.Kind.ARRAY ? t.count() : -1L;
        }).orElse(-1L);
    }

    /** Element count of a global array, or -1. */
    public long arrayLength(String variable) {
        try {
            Optional<org.kdive.api.symbols.Variable> v = session.symbols().variable(variable);
            if (v.isPresent()) {
                Type t = v.get().type().resolve();
                if (t.kind() == Type.Kind.ARRAY) return t.count();
            }
        } catch (RuntimeException e) {
            // fall through
        }
        OptionalLong l = session.vmcoreinfo().length(variable);
        return l.isPresent() ? l.getAsLong() : -1L;
    }

    /** The type of a global variable, if the debuginfo has it. */
    public Optional<Type> variableType(String variable) {
        try {
            return session.symbols().variable(variable).map(org.kdive.api.symbols.Variable::type);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    // ---- reads ------------------------------------------------------------------------------

    public long u64(long addr) { return memory().u64(addr); }

    public long u32(long addr) { return memory().u32(addr); }

    public int s32(long addr) { return (int) memory().u32(addr); }

    public int u16(long addr) { return memory().u16(addr); }

    public int u8(long addr) { return memory().u8(addr); }

    public long ptr(long addr) { return memory().pointer(addr); }

    /** An unsigned integer of the member's own size at {@code base + offset}. */
    public long read(long base, String struct, String path) {
        long off = off(struct, path);
        long size = memberSize(struct, path);
        int n = size == 1 || size == 2 || size == 4 || size == 8 ? (int) size : 8;
        return memory().unsigned(base + off, n);
    }

    /** crash's read_string: a NUL-terminated string, or null when unreadable. */
    public String string(long addr, int max) {
        if (addr == 0) return null;
        try {
            return memory().cString(addr, max);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** A char array held in place (e.g. net_device.name), up to its first NUL. */
    public String inlineString(long addr, int len) {
        byte[] b = memory().read(addr, len);
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    public boolean readable(long addr) {
        try {
            return memory().isReadable(addr);
        } catch (RuntimeException e) {
            return false;
        }
    }

    // ---- CPUs ---------------------------------------------------------------------------------

    /** The per-CPU instance of a per-CPU symbol for {@code cpu}. */
    public long perCpu(long symbolAddress, int cpu) {
        return symbolAddress + session.arch().addressSpace(session).perCpuOffset(cpu);
    }

    public long perCpuOffset(int cpu) {
        return session.arch().addressSpace(session).perCpuOffset(cpu);
    }

    /** crash's kt->cpus: the dump's CPU count, else the highest online CPU + 1. */
    public int cpus() {
        return (int) (long) memo.computeIfAbsent("cpus", k -> {
            int d = session.dump().info().cpus();
            if (d > 0) return (long) d;
            try {
                OptionalLong online = symbol("__cpu_online_mask");
                if (online.isPresent()) {
                    long bits = u64(online.getAsLong());
                    if (bits != 0) return (long) (64 - Long.numberOfLeadingZeros(bits));
                }
            } catch (RuntimeException e) {
                // fall through
            }
            return 1L;
        });
    }

    public int pointerSize() { return session.arch().pointerSize(); }

    /** Digits of a kernel address as crash prints it (VADDR_PRLEN). */
    public int vaddrLen() { return pointerSize() * 2; }
}
