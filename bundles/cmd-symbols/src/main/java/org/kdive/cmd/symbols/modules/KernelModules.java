package org.kdive.cmd.symbols.modules;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.kdive.api.KdiveException;
import org.kdive.api.command.CommandException;
import org.kdive.api.session.Memory;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.Type;
import org.kdive.api.symbols.Type.Kind;
import org.kdive.api.symbols.Variable;
import org.kdive.cmd.symbols.expr.Evaluator;
import org.kdive.cmd.symbols.types.OffsetLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The crashed kernel's loaded modules, read from the {@code modules} list with the kernel's own
 * {@code struct module} layout (core_layout before 6.4, mem[] after), and their kallsyms tables.
 */
public final class KernelModules {
    private static final Logger LOG = LoggerFactory.getLogger(KernelModules.class);
    private static final int MAX_MODULES = 10_000;
    private static final int MAX_SYMBOLS = 1_000_000;

    /** One loaded module as the dump shows it. */
    public record Module(String name, long struct, long base, long size, long kallsyms, long sectAttrs, long notesAttrs) {
    }

    private KernelModules() {
    }

    /** The module list, read once per session. */
    public static List<Module> list(Session s) {
        return s.cached("cmd-symbols.modules", () -> KeptAcrossRuns.get(s, "modules", () -> List.copyOf(read(s))));
    }

    /** Adds every module's kallsyms to the session's symbols, once per session. */
    public static void ensureKallsyms(Session s) {
        s.cached("cmd-symbols.kallsyms", () -> {
            Map<String, KallsymsTable> tables = KeptAcrossRuns.get(s, "kallsyms", () -> {
                Map<String, KallsymsTable> read = new java.util.LinkedHashMap<>();
                for (Module m : list(s)) {
                    try {
                        KallsymsTable t = KallsymsTable.read(s, m, MAX_SYMBOLS);
                        if (t != null) read.put(m.name(), t);
                    } catch (KdiveException e) {
                        LOG.debug("kallsyms of module {} unreadable: {}", m.name(), e.getMessage());
                    }
                }
                return java.util.Collections.unmodifiableMap(read);
            });
            for (Map.Entry<String, KallsymsTable> t : tables.entrySet()) {
                s.addSymbols("kallsyms:" + t.getKey(), t.getValue());
                kallsymsTables(s).put(t.getKey(), t.getValue());
            }
            return Boolean.TRUE;
        });
    }

    private static Map<String, KallsymsTable> kallsymsTables(Session s) {
        return s.cached("cmd-symbols.kallsyms-tables", java.util.concurrent.ConcurrentHashMap::new);
    }

    /**
     * The symbol the kernel itself names a module address after (find_kallsyms_symbol: of the
     * module's kallsyms, the first with the highest address at or below it), except that an object
     * covering the address comes before a zero-size marker at its start (a lock_class_key __key.N
     * without lockdep); empty when the module has no kallsyms or the address lies outside it. Where
     * a module's object file is loaded, its table may rank another symbol at the same address first
     * (a global alias such as __mod_pci__*_device_table before the table itself).
     */
    public static Optional<Symbol> kallsymsName(Session s, String module, long address) {
        ensureKallsyms(s);
        KallsymsTable t = kallsymsTables(s).get(module);
        Optional<Symbol> k = t == null ? Optional.empty() : t.containing(address);
        if (k.isEmpty()) return k;
        for (Symbol c : t.at(k.get().address())) {
            if (Long.compareUnsigned(address - c.address(), c.size()) < 0) return Optional.of(c);
        }
        return k;
    }

    /**
     * A kernel global's address: its (data) symbol's, else its variable's. The symbol first: asking
     * for the variable of a global the dump's BTF does not type would fetch a vmlinux just for an
     * address kallsyms already has.
     */
    public static OptionalLong globalAddress(Session s, String name) {
        OptionalLong sym = s.symbols().byName(name).stream().filter(x -> x.module() == null && !x.isText())
                .mapToLong(org.kdive.api.symbols.Symbol::address).findFirst();
        if (sym.isPresent()) return sym;
        Optional<Variable> v = s.symbols().variable(name);
        return v.isPresent() ? OptionalLong.of(v.get().address()) : OptionalLong.empty();
    }

    private static List<Module> read(Session s) {
        List<Module> out = new ArrayList<>();
        // the list head's address is all that is needed: kallsyms has it where debuginfo (BTF) has no type
        OptionalLong modules = globalAddress(s, "modules");
        Optional<Type> moduleType = s.symbols().type("struct module");
        if (modules.isEmpty() || moduleType.isEmpty()) return out;
        Memory mem = s.memory();
        Type mt = moduleType.get();
        long listOff = Evaluator.offsetOf(mt, "list");
        long nameOff = Evaluator.offsetOf(mt, "name");
        int nameLen = (int) Math.max(1, member(mt, "name").type().resolve().size());
        long head = modules.getAsLong();
        long next;
        try {
            next = mem.pointer(head);
        } catch (KdiveException e) {
            return out;
        }
        while (next != head && next != 0 && out.size() < MAX_MODULES) {
            long mod = next - listOff;
            try {
                String name = mem.cString(mod + nameOff, nameLen);
                long[] baseSize = baseAndSize(mem, mt, mod);
                out.add(new Module(name, mod, baseSize[0], baseSize[1], pointerField(mem, mt, mod, "kallsyms"),
                        pointerField(mem, mt, mod, "sect_attrs"), pointerField(mem, mt, mod, "notes_attrs")));
                next = mem.pointer(next);
            } catch (KdiveException e) {
                LOG.debug("module list broken at {}: {}", Long.toHexString(mod), e.getMessage());
                break;
            }
        }
        // crash lists modules by load address (oldest first); the kernel's list is newest first
        out.sort((a, b) -> Long.compareUnsigned(a.base(), b.base()));
        return out;
    }

    private static Member member(Type t, String name) {
        return OffsetLayout.findMember(t, name).orElseThrow(() -> new CommandException("struct module has no member " + name));
    }

    private static long pointerField(Memory mem, Type mt, long mod, String name) {
        Optional<Member> m = OffsetLayout.findMember(mt, name);
        return m.isEmpty() ? 0 : mem.pointer(mod + m.get().offset());
    }

    /**
     * Whether this kernel's struct module keeps its memory in mem[] regions (6.4+), read from the
     * debuginfo's shape: crash then calls the base column TEXT_BASE (the MOD_TEXT region's base).
     */
    public static boolean hasMemRegions(Session s) {
        Optional<Type> mt = s.symbols().type("struct module");
        if (mt.isEmpty()) return false;
        Optional<Member> memArr = OffsetLayout.findMember(mt.get(), "mem");
        return memArr.isPresent() && memArr.get().type().resolve().kind() == Kind.ARRAY;
    }

    /** BASE and SIZE as crash shows them: text base, total size of the module's core memory. */
    private static long[] baseAndSize(Memory mem, Type mt, long mod) {
        Optional<Member> memArr = OffsetLayout.findMember(mt, "mem");
        if (memArr.isPresent() && memArr.get().type().resolve().kind() == Kind.ARRAY) {
            Type region = memArr.get().type().resolve().target();
            long count = memArr.get().type().resolve().count();
            long rsize = region.resolve().size();
            long baseOff = Evaluator.offsetOf(region, "base");
            long sizeOff = Evaluator.offsetOf(region, "size");
            long start = mod + memArr.get().offset();
            long base = mem.pointer(start + baseOff);
            long total = 0;
            for (int i = 0; i < count; i++) {
                // MOD_INIT_* regions (from index 4 on, by the kernel's enum) are freed after load
                if (i >= 4) break;
                total += mem.u32(start + i * rsize + sizeOff);
            }
            return new long[] {base, total};
        }
        if (OffsetLayout.findMember(mt, "core_layout").isPresent()) {
            long base = mem.pointer(mod + Evaluator.offsetOf(mt, "core_layout.base"));
            long size = mem.u32(mod + Evaluator.offsetOf(mt, "core_layout.size"));
            return new long[] {base, size};
        }
        long base = mem.pointer(mod + Evaluator.offsetOf(mt, "module_core"));
        long size = mem.u32(mod + Evaluator.offsetOf(mt, "core_size"));
        return new long[] {base, size};
    }

    /** Section name → run-time address from mod->sect_attrs. */
    public static Map<String, Long> sections(Session s, Module m) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (m.sectAttrs() == 0) return out;
        Type st = s.symbols().type("struct module_sect_attrs").orElse(null);
        Type at = s.symbols().type("struct module_sect_attr").orElse(null);
        if (st == null || at == null) return out;
        Memory mem = s.memory();
        long n = mem.u32(m.sectAttrs() + Evaluator.offsetOf(st, "nsections"));
        long attrsOff = Evaluator.offsetOf(st, "attrs");
        long attrSize = at.resolve().size();
        long addrOff = Evaluator.offsetOf(at, "address");
        boolean oldLayout = OffsetLayout.findMember(at, "name").isPresent()
                && OffsetLayout.findMember(at, "battr").isEmpty();
        long nameOff = oldLayout ? Evaluator.offsetOf(at, "name") : Evaluator.offsetOf(at, "battr.attr.name");
        boolean initFreed = initMemoryFreed(s, m);
        for (long i = 0; i < Math.min(n, 4096); i++) {
            long a = m.sectAttrs() + attrsOff + i * attrSize;
            String name = mem.cString(mem.pointer(a + nameOff), 256);
            // sect_attrs keeps the load-time address of .init.* sections after the kernel freed them:
            // naming that memory after the module's init code would be wrong (crash does not either)
            if (initFreed && name.startsWith(".init")) continue;
            out.put(name, mem.u64(a + addrOff));
        }
        return out;
    }

    /** Whether the module finished loading and the kernel released its init memory (size set to 0). */
    static boolean initMemoryFreed(Session s, Module m) {
        return initSize(s, m) == 0;
    }

    /** Whether the module is still initializing: its init memory is known and not released yet. */
    static boolean initializing(Session s, Module m) {
        return initSize(s, m) > 0;
    }

    /** The size of the module's init memory (0: released), -1 when unknown. */
    private static long initSize(Session s, Module m) {
        Type mt = s.symbols().type("struct module").orElse(null);
        if (mt == null) return -1;
        Memory mem = s.memory();
        try {
            if (OffsetLayout.findMember(mt, "init_layout").isPresent()) {
                return mem.u32(m.struct() + Evaluator.offsetOf(mt, "init_layout.size"));
            }
            Optional<Member> memArr = OffsetLayout.findMember(mt, "mem");
            if (memArr.isPresent() && memArr.get().type().resolve().kind() == Kind.ARRAY) {
                // 6.4+: mem[MOD_INIT_TEXT] (index 4 of enum mod_mem_type)
                Type region = memArr.get().type().resolve().target();
                long initText = m.struct() + memArr.get().offset() + 4 * region.resolve().size();
                return mem.u32(initText + Evaluator.offsetOf(region, "size"));
            }
            if (OffsetLayout.findMember(mt, "init_size").isPresent()) {
                return mem.u32(m.struct() + Evaluator.offsetOf(mt, "init_size"));
            }
        } catch (KdiveException e) {
            LOG.debug("init memory of module {} unreadable: {}", m.name(), e.getMessage());
        }
        return -1;
    }

    /** The module's GNU build-id from mod->notes_attrs, if the kernel kept it. */
    public static Optional<String> buildId(Session s, Module m) {
        if (m.notesAttrs() == 0) return Optional.empty();
        try {
            Type nt = s.symbols().type("struct module_notes_attrs").orElse(null);
            Type bt = s.symbols().type("struct bin_attribute").orElse(null);
            if (nt == null || bt == null) return Optional.empty();
            Memory mem = s.memory();
            long n = mem.u32(m.notesAttrs() + Evaluator.offsetOf(nt, "notes"));
            long attrs = m.notesAttrs() + Evaluator.offsetOf(nt, "attrs");
            long bsize = bt.resolve().size();
            for (long i = 0; i < Math.min(n, 64); i++) {
                long a = attrs + i * bsize;
                long priv = mem.pointer(a + Evaluator.offsetOf(bt, "private"));
                long size = mem.u64(a + Evaluator.offsetOf(bt, "size"));
                Optional<String> id = BuildIds.fromNotes(mem.read(priv, (int) Math.min(size, 4096)));
                if (id.isPresent()) return id;
            }
        } catch (KdiveException e) {
            LOG.debug("notes of module {} unreadable: {}", m.name(), e.getMessage());
        }
        return Optional.empty();
    }
}
