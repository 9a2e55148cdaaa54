package org.kdive.cmd.kernel.access;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import org.kdive.api.command.CommandException;
import org.kdive.api.dump.VmcoreInfo;
import org.kdive.api.session.Memory;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.Type;

/**
 * Names → addresses, offsets and sizes for one session: debuginfo first, VMCOREINFO as the
 * fallback (its OFFSET()/SIZE()/SYMBOL() entries are what makedumpfile relies on, so a few
 * commands work without DWARF). Lookups are memoised because commands ask the same few
 * members for every task.
 */
public final class Kernel {
    private static final long MISSING = Long.MIN_VALUE;

    private final Session session;
    private final Map<String, Long> memo = new ConcurrentHashMap<>();
    private final Map<String, Optional<Type>> types = new ConcurrentHashMap<>();

    private Kernel(Session session) {
        this.session = session;
    }

    /** The one instance of the session. */
    public static Kernel of(Session session) {
        return session.cached("cmd-kernel.access", () -> new Kernel(session));
    }

    public Session session() { return session; }

    public Memory memory() { return session.memory(); }

    public VmcoreInfo vmcoreinfo() { return session.vmcoreinfo(); }

    /** Address of a kernel symbol, from the symbol tables or VMCOREINFO. */
    public OptionalLong symbol(String name) {
        long v = memo.computeIfAbsent("sym:" + name, k -> {
            try {
                Optional<Symbol> s = session.symbols().first(name);
                if (s.isPresent()) return s.get().address();
            } catch (RuntimeException e) {
                // no symbol tables: fall through to VMCOREINFO
            }
            OptionalLong vi = session.vmcoreinfo().symbol(name);
            return vi.isPresent() ? vi.getAsLong() : MISSING;
        });
        return v == MISSING ? OptionalLong.empty() : OptionalLong.of(v);
    }

    public long requireSymbol(String name) {
        OptionalLong v = symbol(name);
        if (v.isEmpty()) throw new CommandException("symbol not found: " + name);
        return v.getAsLong();
    }

    public boolean hasSymbol(String name) { return symbol(name).isPresent(); }

    /** A type by C spelling ("struct task_struct"), from debuginfo. */
    public Optional<Type> type(String cName) {
        return types.computeIfAbsent(cName, k -> {
            try {
                return session.symbols().type(k);
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        });
    }

    /** Member of {@code struct name} (anonymous members searched), from debuginfo. */
    public Optional<Member> member(String struct, String member) {
        Optional<Type> t = type("struct " + struct);
        if (t.isEmpty()) t = type("union " + struct);
        if (t.isEmpty()) return Optional.empty();
        Type r = t.get().resolve();
        if (r.members() == null) return Optional.empty();
        return r.member(member);
    }

    /**
     * Byte offset of {@code struct.member}; a dotted path ("thread.sp") adds up nested members.
     * Debuginfo first, then VMCOREINFO's OFFSET(struct.member).
     */
    public OptionalLong offset(String struct, String member) {
        long v = memo.computeIfAbsent("off:" + struct + "." + member, k -> {
            OptionalLong d = dwarfOffset(struct, member);
            if (d.isPresent()) return d.getAsLong();
            OptionalLong vi = session.vmcoreinfo().offset(struct + "." + member);
            return vi.isPresent() ? vi.getAsLong() : MISSING;
        });
        return v == MISSING ? OptionalLong.empty() : OptionalLong.of(v);
    }

    private OptionalLong dwarfOffset(String struct, String path) {
        String[] parts = path.split("\\.");
        Optional<Type> t = type("struct " + struct);
        if (t.isEmpty()) t = type("union " + struct);
        if (t.isEmpty()) return OptionalLong.empty();
        Type cur = t.get().resolve();
        long off = 0;
        for (String p : parts) {
            if (cur.members() == null) return OptionalLong.empty();
            Optional<Member> m;
            try {
                m = cur.member(p);
            } catch (RuntimeException e) {
                return OptionalLong.empty();
            }
            if (m.isEmpty()) return OptionalLong.empty();
            off += m.get().offset();
            cur = m.get().type().resolve();
        }
        return OptionalLong.of(off);
    }

    public long requireOffset(String struct, String member) {
        OptionalLong v = offset(struct, member);
        if (v.isEmpty()) {
            throw new CommandException("cannot find " + struct + "." + member
                    + " (no debuginfo type and no VMCOREINFO OFFSET entry)");
        }
        return v.getAsLong();
    }

    public boolean hasMember(String struct, String member) { return offset(struct, member).isPresent(); }

    /** Size of a struct (or a typedef/base type), debuginfo first, then VMCOREINFO's SIZE(). */
    public OptionalLong size(String name) {
        long v = memo.computeIfAbsent("size:" + name, k -> {
            for (String spelling : new String[] {"struct " + name, "union " + name, name}) {
                Optional<Type> t = type(spelling);
                if (t.isPresent() && t.get().size() > 0) return t.get().size();
            }
            OptionalLong vi = session.vmcoreinfo().size(name);
            return vi.isPresent() ? vi.getAsLong() : MISSING;
        });
        return v == MISSING ? OptionalLong.empty() : OptionalLong.of(v);
    }

    public long requireSize(String name) {
        OptionalLong v = size(name);
        if (v.isEmpty()) throw new CommandException("cannot find the size of " + name);
        return v.getAsLong();
    }

    /** Size in bytes of a member's type (e.g. 4 for an unsigned int __state), or -1. */
    public long memberSize(String struct, String member) {
        long v = memo.computeIfAbsent("msize:" + struct + "." + member, k -> {
            Optional<Member> m = member(struct, member);
            return m.isPresent() ? m.get().type().resolve().size() : -1L;
        });
        return v;
    }

    /**
     * Number of elements of a global array variable, or -1. VMCOREINFO's LENGTH() first when it has
     * one: the variable's type may need a vmlinux the dump's BTF cannot replace (a fetch).
     */
    public long arrayLength(String variable) {
        return memo.computeIfAbsent("len:" + variable, k -> {
            OptionalLong fromVmcoreinfo = session.vmcoreinfo().length(variable);
            if (fromVmcoreinfo.isPresent()) return fromVmcoreinfo.getAsLong();
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
        });
    }

    // ---- reads -------------------------------------------------------------------------------

    public long u64(long addr) { return memory().u64(addr); }

    public long u32(long addr) { return memory().u32(addr); }

    public long s32(long addr) { return (int) memory().u32(addr); }

    /** Reads an unsigned integer of the member's size at {@code base + offset(struct.member)}. */
    public long readMember(long base, String struct, String member) {
        long off = requireOffset(struct, member);
        long size = memberSize(struct, member);
        int n = size == 1 || size == 2 || size == 4 || size == 8 ? (int) size : 8;
        return memory().unsigned(base + off, n);
    }

    /** A global variable's value of {@code size} bytes. */
    public long readSymbol(String name, int size) {
        return memory().unsigned(requireSymbol(name), size);
    }

    // ---- per-CPU ------------------------------------------------------------------------------

    /** The architecture's per-CPU offset of {@code cpu} (0 on UP kernels). */
    public long perCpuOffset(int cpu) {
        return session.arch().addressSpace(session).perCpuOffset(cpu);
    }

    /** Address of a per-CPU variable's instance for {@code cpu}. */
    public long perCpu(String name, int cpu) {
        return requireSymbol(name) + perCpuOffset(cpu);
    }

    /** CPUs of the crashed system: the dump header, else the kernel's nr_cpu_ids / online mask. */
    public int cpus() {
        return (int) (long) memo.computeIfAbsent("cpus", k -> {
            int d = session.dump().info().cpus();
            if (d > 0) return (long) d;
            try {
                OptionalLong online = symbol("__cpu_online_mask");
                if (online.isPresent()) {
                    long bits = Long.bitCount(u64(online.getAsLong()));
                    if (bits > 0) return bits;
                }
                OptionalLong nr = symbol("nr_cpu_ids");
                if (nr.isPresent()) return u32(nr.getAsLong());
            } catch (RuntimeException e) {
                // fall through
            }
            return 1L;
        });
    }

    /** The symbol-relative name of an address, "name+off", or null. */
    public String describe(long addr) {
        try {
            return session.symbols().describe(addr);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The symbol containing an address (module symbols included). */
    public Optional<Symbol> containing(long addr) {
        try {
            return session.symbols().containing(addr);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
