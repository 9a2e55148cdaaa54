package org.kdive.symbols.btf.kernel;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.kdive.api.KdiveException;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.api.session.Memory;
import org.kdive.api.symbols.KernelMemory;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.Type;
import org.kdive.symbols.btf.BtfDebugInfo;
import org.kdive.symbols.btf.format.Btf;
import org.kdive.symbols.btf.types.BtfTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel's own BTF in a dump: vmlinux's between {@code __start_BTF} and {@code __stop_BTF} (kernel
 * read-only data, kept at every dump level), and each module's split BTF through the kernel's
 * {@code btf_modules} list ({@code struct btf_module} → {@code struct btf}: {@code data},
 * {@code data_size}, {@code start_id}, {@code start_str_off}, {@code name}). The layouts of those two
 * structs come from the vmlinux BTF itself. A module's {@code struct module.btf_data} is not used: the
 * kernel frees it once the module has loaded.
 */
public final class KernelBtf implements BtfDebugInfo.Source, BtfDebugInfo.Addresses {
    private static final Logger LOG = LoggerFactory.getLogger(KernelBtf.class);
    /** Bounds against garbage: the 6.x vmlinux BTF is ~5 MB, a module's a few KB to 1 MB. */
    static final long MAX_VMLINUX = 256L << 20;
    static final long MAX_MODULE = 64L << 20;
    private static final int MAX_MODULES = 4096;
    private static final int POINTER_SIZE = 8;

    private final KernelMemory kernel;
    private final long start;
    private final long size;
    private volatile BtfTypes vmlinux;
    private volatile List<BtfDebugInfo.ModuleTypes> modules;
    private volatile ModuleStatus status;
    private volatile long loadNanos;

    /** What the module walk found: modules with BTF, and loaded modules without. */
    public record ModuleStatus(List<String> withBtf, List<String> withoutBtf, List<String> problems) { }

    private KernelBtf(KernelMemory kernel, long start, long size) {
        this.kernel = kernel;
        this.start = start;
        this.size = size;
    }

    /**
     * The kernel's BTF when kallsyms locates it and its header reads right; otherwise empty with the
     * reason given to {@link KernelMemory#warn}.
     */
    public static Optional<KernelBtf> locate(KernelMemory kernel) {
        Optional<Symbol> s = kernel.symbols().first("__start_BTF");
        Optional<Symbol> e = kernel.symbols().first("__stop_BTF");
        if (s.isEmpty() || e.isEmpty()) {
            boolean anySymbols = kernel.symbols().first("_stext").isPresent();
            kernel.warn(anySymbols
                    ? "this kernel carries no BTF (no __start_BTF in kallsyms: built without CONFIG_DEBUG_INFO_BTF): no types without a vmlinux"
                    : "no kernel symbols (VMCOREINFO has no kallsyms_* entries before Linux 6.0), so the kernel's BTF cannot be located: no types without a vmlinux");
            return Optional.empty();
        }
        long start = s.get().address();
        long size = e.get().address() - start;
        if (size < Btf.HEADER_SIZE || size > MAX_VMLINUX) {
            kernel.warn(String.format("the kernel's BTF (__start_BTF %x, __stop_BTF %x) has an implausible size %d: ignored",
                    start, e.get().address(), size));
            return Optional.empty();
        }
        byte[] head;
        try {
            head = kernel.memory().read(start, Btf.HEADER_SIZE);
        } catch (MemoryAccessException ex) {
            kernel.warn(String.format("the kernel's BTF at %x is not in the dump (%s): no types without a vmlinux", start, ex.getMessage()));
            return Optional.empty();
        }
        if (!Btf.looksLikeBtf(head, head.length)) {
            kernel.warn(String.format("the kernel's BTF at %x: offset 0x0: expected magic 0xeb9f version 1, found %02x%02x %02x: ignored",
                    start, head[0] & 0xff, head[1] & 0xff, head[2] & 0xff));
            return Optional.empty();
        }
        return Optional.of(new KernelBtf(kernel, start, size));
    }

    public long address() { return start; }

    public long size() { return size; }

    /** Time the vmlinux BTF took to read and parse (0 before). */
    public long loadNanos() { return loadNanos; }

    @Override
    public BtfTypes vmlinux() {
        BtfTypes v = vmlinux;
        if (v == null) {
            synchronized (this) {
                v = vmlinux;
                if (v == null) {
                    long t0 = System.nanoTime();
                    String src = String.format("vmlinux BTF at %x", start);
                    byte[] data;
                    try {
                        data = kernel.memory().read(start, (int) size);
                    } catch (MemoryAccessException e) {
                        throw new KdiveException(src + ": not all of its " + size + " bytes are in the dump: " + e.getMessage());
                    }
                    v = new BtfTypes(Btf.parse(src, data, null), null, POINTER_SIZE);
                    loadNanos = System.nanoTime() - t0;
                    LOG.debug("{}: {} types in {} ms", src, v.btf().count(), loadNanos / 1_000_000);
                    vmlinux = v;
                }
            }
        }
        return v;
    }

    @Override
    public List<BtfDebugInfo.ModuleTypes> modules() {
        List<BtfDebugInfo.ModuleTypes> m = modules;
        if (m == null) {
            synchronized (this) {
                m = modules;
                if (m == null) {
                    m = readModules();
                    modules = m;
                }
            }
        }
        return m;
    }

    /** Which loaded modules have BTF (read on first call). */
    public ModuleStatus moduleStatus() {
        modules();
        return status;
    }

    private List<BtfDebugInfo.ModuleTypes> readModules() {
        List<String> problems = new ArrayList<>();
        List<BtfDebugInfo.ModuleTypes> out = new ArrayList<>();
        List<String> loaded = new ArrayList<>();
        try {
            BtfTypes base = vmlinux();
            out = walkBtfModules(base, problems);
            loaded = loadedModules(base);
        } catch (RuntimeException e) {
            problems.add("module BTF unreadable: " + e.getMessage());
        }
        List<String> with = out.stream().map(BtfDebugInfo.ModuleTypes::module).toList();
        List<String> without = loaded.stream().filter(n -> !with.contains(n)).toList();
        status = new ModuleStatus(with, without, problems);
        problems.forEach(kernel::warn);
        return List.copyOf(out);
    }

    private List<BtfDebugInfo.ModuleTypes> walkBtfModules(BtfTypes base, List<String> problems) {
        Optional<Symbol> head = kernel.symbols().first("btf_modules");
        Optional<Type> btfModule = base.byName("struct btf_module");
        Optional<Type> btf = base.byName("struct btf");
        if (head.isEmpty() || btfModule.isEmpty() || btf.isEmpty()) return List.of();
        long list = offset(btfModule.get(), "list");
        long btfPtr = offset(btfModule.get(), "btf");
        long data = offset(btf.get(), "data");
        long dataSize = offset(btf.get(), "data_size");
        long startId = offset(btf.get(), "start_id");
        long startStr = offset(btf.get(), "start_str_off");
        long name = offset(btf.get(), "name");
        if (list < 0 || btfPtr < 0 || data < 0 || dataSize < 0 || startId < 0 || startStr < 0 || name < 0) {
            problems.add("struct btf_module / struct btf lack the members kdive reads: no module BTF");
            return List.of();
        }
        Memory mem = kernel.memory();
        Btf vm = base.btf();
        long vmStrEnd = vmlinuxStringsEnd(vm);
        List<BtfDebugInfo.ModuleTypes> out = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        long h = head.get().address();
        long p = mem.pointer(h + 0);
        while (p != h && seen.add(p) && out.size() < MAX_MODULES) {
            long entry = p - list;
            String where = String.format("btf_modules entry %x", entry);
            try {
                long b = mem.pointer(entry + btfPtr);
                String mod = mem.cString(b + name, 56);
                long d = mem.pointer(b + data);
                long n = mem.u32(b + dataSize);
                long sid = mem.u32(b + startId);
                long sstr = mem.u32(b + startStr);
                if (n < Btf.HEADER_SIZE || n > MAX_MODULE) {
                    problems.add(where + " (" + mod + "): BTF size " + n + " out of range: skipped");
                } else if (sid != vm.endId() || (vmStrEnd >= 0 && sstr != vmStrEnd)) {
                    problems.add(String.format("%s (%s): split BTF starts at type %d / string %d, vmlinux's ends at %d / %d: skipped",
                            where, mod, sid, sstr, vm.endId(), vmStrEnd));
                } else {
                    String src = String.format("BTF of module %s at %x", mod, d);
                    Btf split = Btf.parse(src, mem.read(d, (int) n), vm);
                    out.add(new BtfDebugInfo.ModuleTypes(mod, new BtfTypes(split, base, POINTER_SIZE)));
                }
            } catch (RuntimeException e) {
                problems.add(where + ": " + e.getMessage() + ": skipped");
            }
            try {
                p = mem.pointer(p);
            } catch (RuntimeException e) {
                problems.add(where + ": next pointer unreadable, module list cut short: " + e.getMessage());
                break;
            }
        }
        return out;
    }

    /** The vmlinux BTF's string section length (split BTF's string offsets start there), from its header. */
    private long vmlinuxStringsEnd(Btf vm) {
        try {
            return kernel.memory().u32(start + 20);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** Names on the kernel's "modules" list, to tell which have no BTF. */
    private List<String> loadedModules(BtfTypes base) {
        Optional<Symbol> head = kernel.symbols().first("modules");
        Optional<Type> module = base.byName("struct module");
        if (head.isEmpty() || module.isEmpty()) return List.of();
        long list = offset(module.get(), "list");
        long name = offset(module.get(), "name");
        if (list < 0 || name < 0) return List.of();
        Memory mem = kernel.memory();
        List<String> out = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        long h = head.get().address();
        long p = mem.pointer(h);
        while (p != h && p != 0 && seen.add(p) && out.size() < MAX_MODULES) {
            out.add(mem.cString(p - list + name, 56));
            p = mem.pointer(p);
        }
        return out;
    }

    // ---- variable addresses ----

    private volatile Map<String, Long> percpuBases;

    @Override
    public OptionalLong of(BtfTypes.VarInfo v, String module) {
        if (".data..percpu".equals(v.section())) {
            OptionalLong base = percpuBase(module);
            return base.isEmpty() ? base : OptionalLong.of(base.getAsLong() + v.offset());
        }
        if (module != null) return OptionalLong.empty();
        // another section's variable (pahole's global_var feature): kallsyms has its address
        List<Symbol> s = kernel.symbols().byName(v.name()).stream().filter(x -> x.module() == null && !x.isText()).toList();
        return s.size() == 1 ? OptionalLong.of(s.get(0).address()) : OptionalLong.empty();
    }

    /**
     * Where a per-CPU section starts as the kernel's per-CPU pointers count: vmlinux's at
     * {@code __per_cpu_start} (0 on x86_64 SMP, where the section is linked at 0), a module's at its
     * {@code struct module.percpu}.
     */
    private OptionalLong percpuBase(String module) {
        Map<String, Long> m = percpuBases;
        if (m == null) {
            m = new LinkedHashMap<>();
            Optional<Symbol> s = kernel.symbols().first("__per_cpu_start");
            m.put("", s.map(Symbol::address).orElse(0L));
            percpuBases = m;
        }
        if (module == null) return OptionalLong.of(m.get(""));
        Long b = m.get(module);
        if (b == null) {
            b = modulePercpu(module);
            synchronized (this) {
                Map<String, Long> copy = new LinkedHashMap<>(percpuBases);
                copy.put(module, b);
                percpuBases = copy;
            }
        }
        return b < 0 ? OptionalLong.empty() : OptionalLong.of(b);
    }

    private long modulePercpu(String name) {
        try {
            BtfTypes base = vmlinux();
            Optional<Symbol> head = kernel.symbols().first("modules");
            Optional<Type> module = base.byName("struct module");
            if (head.isEmpty() || module.isEmpty()) return -1;
            long list = offset(module.get(), "list");
            long nameOff = offset(module.get(), "name");
            long percpu = offset(module.get(), "percpu");
            if (list < 0 || nameOff < 0 || percpu < 0) return -1;
            Memory mem = kernel.memory();
            Set<Long> seen = new HashSet<>();
            long h = head.get().address();
            long p = mem.pointer(h);
            while (p != h && p != 0 && seen.add(p) && seen.size() < MAX_MODULES) {
                if (name.equals(mem.cString(p - list + nameOff, 56))) return mem.pointer(p - list + percpu);
                p = mem.pointer(p);
            }
        } catch (RuntimeException e) {
            LOG.debug("per-CPU base of module {} unreadable: {}", name, e.toString());
        }
        return -1;
    }

    /** Offset of a dotted member path, or -1. */
    static long offset(Type t, String path) {
        Type cur = t;
        long off = 0;
        for (String part : path.split("\\.")) {
            Optional<Member> m = cur.member(part);
            if (m.isEmpty()) return -1;
            off += m.get().offset();
            cur = m.get().type().resolve();
        }
        return off;
    }
}
