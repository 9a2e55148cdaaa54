package org.kdive.cmd.dis;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.kdive.api.KdiveException;
import org.kdive.api.arch.BugTrap;
import org.kdive.api.session.Memory;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.Type;

/**
 * The kernel's BUG()/WARN() sites, read from the crashed kernel's memory: vmlinux's
 * {@code __bug_table} (between __start___bug_table and __stop___bug_table) and each module's
 * {@code struct module} bug_table/num_bugs. Entries are {@code struct bug_entry} as vmlinux's
 * debuginfo lays it out, else as the architecture's {@link org.kdive.api.arch.BugTrap} says (with
 * CONFIG_GENERIC_BUG_RELATIVE_POINTERS the address and file are 32-bit offsets from the entry's own
 * fields). Needs no module debuginfo: only vmlinux symbols (and, for modules, vmlinux's struct module).
 */
final class BugTable {
    private static final int MAX_ENTRIES = 1 << 20;
    private static final int MAX_MODULES = 10_000;

    /** struct bug_entry layout: from the debuginfo, else the architecture's. */
    private record Layout(int size, int addr, int file, int line, int flags, boolean relative) {
        /** No table can be read: the architecture does not say and the debuginfo neither. */
        static final Layout NONE = new Layout(0, 0, -1, -1, -1, false);

        static Layout of(Session session) {
            Optional<Type> t = session.symbols().type("struct bug_entry");
            if (t.isEmpty() || t.get().resolve().size() <= 0) {
                return session.arch().bugTrap().map(BugTrap::entry)
                        .map(e -> new Layout(e.size(), e.address(), e.file(), e.line(), e.flags(), e.relative())).orElse(NONE);
            }
            Type bug = t.get().resolve();
            boolean relative = bug.member("bug_addr_disp").isPresent();
            int addr = offset(bug, relative ? "bug_addr_disp" : "bug_addr", 0);
            int file = offset(bug, relative ? "file_disp" : "file", -1);
            return new Layout((int) bug.size(), addr, file, offset(bug, "line", -1), offset(bug, "flags", -1), relative);
        }
    }

    private final Memory memory;
    private final Layout layout;
    /** bug address → address of its bug_entry */
    private final Map<Long, Long> entries = new HashMap<>();

    private BugTable(Session session) {
        this.memory = session.memory();
        this.layout = Layout.of(session);
    }

    /** The table covering {@code symbol} (vmlinux or its module), computed once per session. */
    static BugTable of(Session session, Symbol symbol) {
        String module = symbol == null ? null : symbol.module();
        String key = "dis.bugtable." + (module == null ? "vmlinux" : module);
        return session.cached(key, () -> module == null ? vmlinux(session) : module(session, module));
    }

    Optional<BugSite> at(long address) {
        Long entry = entries.get(address);
        if (entry == null) return Optional.empty();
        String file = null;
        int line = 0;
        boolean warning = false;
        try {
            if (layout.file >= 0) {
                long f = layout.relative ? relativeFile(entry) : memory.u64(entry + layout.file);
                file = memory.cString(f, 4096);
            }
            if (layout.line >= 0) line = memory.u16(entry + layout.line);
            if (layout.flags >= 0) warning = (memory.u16(entry + layout.flags) & 1) != 0; // BUGFLAG_WARNING
        } catch (KdiveException e) {
            // an unreadable file name still leaves a useful mark
        }
        return Optional.of(new BugSite(address, file, line, warning));
    }

    /**
     * file_disp is relative to the field itself on 6.x (lib/bug.c: {@code &bug->file_disp + file_disp}) and
     * to the entry on 5.10 ({@code (char *)bug + file_disp}, x86's "- 2b"); the type is the same. A file
     * name starts a string: the base that lands inside one (after a printable character) is not the kernel's.
     */
    private long relativeFile(long entry) {
        long disp = (int) memory.u32(entry + layout.file);
        long fromField = entry + layout.file + disp;
        long fromEntry = entry + disp;
        if (layout.file == 0 || !insideString(fromField) || insideString(fromEntry)) return fromField;
        return fromEntry;
    }

    private boolean insideString(long address) {
        try {
            int before = memory.u8(address - 1);
            return before >= 0x20 && before < 0x7f;
        } catch (KdiveException e) {
            return false;
        }
    }

    private static BugTable vmlinux(Session session) {
        BugTable t = new BugTable(session);
        Optional<Symbol> start = session.symbols().first("__start___bug_table");
        Optional<Symbol> stop = session.symbols().first("__stop___bug_table");
        if (start.isPresent() && stop.isPresent()) {
            long n = t.layout.size <= 0 ? 0 : (stop.get().address() - start.get().address()) / t.layout.size;
            t.load(start.get().address(), n);
        }
        return t;
    }

    private static BugTable module(Session session, String name) {
        BugTable t = new BugTable(session);
        Optional<Type> type = session.symbols().type("struct module");
        Optional<Symbol> head = session.symbols().first("modules");
        if (type.isEmpty() || head.isEmpty()) return t;
        Type module = type.get().resolve();
        int list = offset(module, "list", -1);
        int nameOff = offset(module, "name", -1);
        int table = offset(module, "bug_table", -1);
        int count = offset(module, "num_bugs", -1);
        if (list < 0 || nameOff < 0 || table < 0 || count < 0) return t;
        Memory mem = session.memory();
        long headAddr = head.get().address();
        try {
            long next = mem.pointer(headAddr);
            for (int i = 0; i < MAX_MODULES && next != headAddr && next != 0; i++) {
                long mod = next - list;
                if (name.equals(mem.cString(mod + nameOff, 56))) {
                    t.load(mem.pointer(mod + table), mem.u32(mod + count));
                    break;
                }
                next = mem.pointer(next);
            }
        } catch (KdiveException e) {
            // a broken module list leaves the table empty: annotations are optional
        }
        return t;
    }

    private void load(long base, long count) {
        if (base == 0 || count <= 0 || count > MAX_ENTRIES || layout.size <= 0) return;
        int chunk = 4096;
        for (long i = 0; i < count; i += chunk) {
            int n = (int) Math.min(chunk, count - i);
            long at = base + i * layout.size;
            byte[] b;
            try {
                b = memory.read(at, n * layout.size);
            } catch (KdiveException e) {
                continue;
            }
            for (int k = 0; k < n; k++) {
                long entry = at + (long) k * layout.size;
                int o = k * layout.size + layout.addr;
                long bugAddr = layout.relative ? entry + layout.addr + le32(b, o) : le64(b, o);
                entries.put(bugAddr, entry);
            }
        }
    }

    private static int offset(Type t, String member, int dflt) {
        return t.member(member).map(Member::offset).map(Long::intValue).orElse(dflt);
    }

    private static int le32(byte[] b, int o) {
        return (b[o] & 0xff) | (b[o + 1] & 0xff) << 8 | (b[o + 2] & 0xff) << 16 | (b[o + 3] & 0xff) << 24;
    }

    private static long le64(byte[] b, int o) {
        return (le32(b, o) & 0xffffffffL) | ((long) le32(b, o + 4) << 32);
    }
}
