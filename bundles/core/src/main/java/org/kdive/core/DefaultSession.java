package org.kdive.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.kdive.api.KdiveException;
import org.kdive.api.arch.Architecture;
import org.kdive.api.arch.KernelArch;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.VmcoreInfo;
import org.kdive.api.session.Memory;
import org.kdive.api.session.Session;
import org.kdive.api.session.Symbols;
import org.kdive.api.symbols.DebugInfo;
import org.kdive.api.symbols.DebugInfoProvider;
import org.kdive.api.symbols.KernelMemory;
import org.kdive.api.symbols.LoadSpec;
import org.kdive.api.symbols.SymbolTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One open dump with its architecture and debuginfo. */
final class DefaultSession implements Session {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultSession.class);

    private final Dump dump;
    private final VmcoreInfo vmcoreinfo;
    private final Architecture architecture;
    private final List<DebugInfoProvider> providers;
    private volatile KernelArch arch;
    private final VirtualMemory memory;
    private final MergedSymbols symbols = new MergedSymbols();
    private volatile DebugInfo vmlinux;
    /** The kernel's own debuginfo read from the dump (BTF), when there is no vmlinux. */
    private volatile DebugInfo builtin;
    private final List<DebugInfo> modules = new CopyOnWriteArrayList<>();
    private final Map<String, Once<?>> cache = new ConcurrentHashMap<>();
    private final List<String> warnings = new CopyOnWriteArrayList<>();

    DefaultSession(Dump dump, Architecture architecture, List<DebugInfoProvider> providers) {
        this.dump = dump;
        this.vmcoreinfo = dump.vmcoreinfo().orElse(VmcoreInfo.empty());
        this.architecture = architecture;
        this.providers = providers;
        this.memory = new VirtualMemory(this::arch, dump.memory());
        warnings.addAll(dump.warnings());
        if (architecture == null) {
            warnings.add("no architecture bundle supports machine '" + dump.info().machine()
                    + "': virtual memory and backtraces are unavailable");
        }
    }

    void loadVmlinux(Path file) throws IOException {
        long kaslr = vmcoreinfo.kernelOffset().orElse(0);
        DebugInfo di = open(file, LoadSpec.vmlinux(kaslr));
        Optional<String> want = vmcoreinfo.buildId();
        Optional<String> have = di.buildId();
        if (want.isPresent() && have.isPresent() && !have.get().startsWith(want.get()) && !want.get().startsWith(have.get())) {
            String msg = file + ": build-id " + have.get() + " does not match the dump's " + want.get()
                    + ": this vmlinux is for another kernel, symbols and types would be wrong";
            di.close();
            throw new KdiveException(msg);
        }
        vmlinux = di;
        symbols.setVmlinux(di);
        symbols.removeTable(KALLSYMS);
    }

    private static final String KALLSYMS = "kernel kallsyms";

    /**
     * Without a vmlinux, the kernel's own kallsyms (when VMCOREINFO locates it) names addresses.
     * Returns whether VMCOREINFO locates it.
     */
    boolean useKallsyms() {
        if (vmlinux == null && architecture != null) {
            Optional<KernelKallsyms> k = KernelKallsyms.of(vmcoreinfo, memory, org.kdive.api.util.IndexDir.path(),
                    () -> dump.warnings().isEmpty());
            k.ifPresent(t -> symbols.addTable(KALLSYMS, t));
            return k.isPresent();
        }
        return false;
    }

    /**
     * Without a vmlinux, the debuginfo the kernel carries in its own memory (BTF), from the first
     * provider that reads some; its problems become session warnings.
     */
    Optional<DebugInfo> useKernelMemory() {
        if (vmlinux != null) return Optional.empty();
        return useKernelMemory(false);
    }

    private Optional<DebugInfo> useKernelMemory(boolean quiet) {
        if (architecture == null) return Optional.empty();
        KernelMemory km = new KernelMemory() {
            @Override public Memory memory() { return memory; }

            @Override public SymbolTable symbols() { return symbols.withoutBuiltin(); }

            @Override public VmcoreInfo vmcoreinfo() { return vmcoreinfo; }

            @Override public List<Path> dumpFiles() { return dump.files(); }

            @Override public void warn(String message) {
                if (quiet) LOG.debug("kernel debuginfo behind the vmlinux: {}", message);
                else DefaultSession.this.warn(message);
            }
        };
        for (DebugInfoProvider p : providers) {
            try {
                Optional<DebugInfo> di = p.openKernelMemory(km);
                if (di.isPresent()) {
                    builtin = di.get();
                    symbols.setBuiltin(di.get());
                    return di;
                }
            } catch (IOException | RuntimeException e) {
                if (quiet) LOG.debug("{}: the kernel's in-memory debuginfo is unusable: {}", p.name(), e.getMessage());
                else warn(p.name() + ": the kernel's in-memory debuginfo is unusable: " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    boolean hasArchitecture() { return architecture != null; }

    /** The kernel's in-memory debuginfo in use, if any. */
    Optional<DebugInfo> builtin() { return Optional.ofNullable(builtin); }

    /** Loads a vmlinux when a lookup first needs what the in-memory debuginfo lacks. */
    void fetchOnDemand(java.util.function.Supplier<Path> find) {
        symbols.setOnDemand(() -> {
            Path p = find.get();
            if (p == null) return null;
            try {
                loadVmlinux(p);
                return vmlinux;
            } catch (IOException | RuntimeException e) {
                warn(p + ": " + e.getMessage());
                LOG.warn("debuginfo fetched on demand is unusable: {}", e.getMessage());
                return null;
            }
        });
    }

    private DebugInfo open(Path file, LoadSpec spec) throws IOException {
        if (!Files.isRegularFile(file)) throw new KdiveException(file + ": no such file");
        byte[] head = new byte[4096];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        ByteBuffer buf = ByteBuffer.wrap(head, 0, n).asReadOnlyBuffer();
        for (DebugInfoProvider p : providers) {
            if (p.accepts(file, buf.duplicate())) {
                long t0 = System.nanoTime();
                DebugInfo di = p.open(file, spec);
                LOG.debug("opened debuginfo {} with {} in {} ms", file, p.name(), (System.nanoTime() - t0) / 1_000_000);
                return di;
            }
        }
        throw new KdiveException(file + ": no debuginfo provider reads this file"
                + (providers.isEmpty() ? " (no provider bundles installed)" : ""));
    }

    @Override
    public Dump dump() { return dump; }

    @Override
    public VmcoreInfo vmcoreinfo() { return vmcoreinfo; }

    @Override
    public KernelArch arch() {
        KernelArch a = arch;
        if (a == null) {
            if (architecture == null) {
                throw new KdiveException("no architecture bundle supports machine '" + dump.info().machine() + "'");
            }
            synchronized (this) {
                if (arch == null) arch = architecture.attach(dump, vmcoreinfo);
                a = arch;
            }
        }
        return a;
    }

    @Override
    public Memory memory() { return memory; }

    @Override
    public Symbols symbols() { return symbols; }

    @Override
    public Optional<DebugInfo> vmlinux() { return Optional.ofNullable(vmlinux); }

    @Override
    public List<DebugInfo> modules() { return Collections.unmodifiableList(modules); }

    @Override
    public DebugInfo loadDebugInfo(Path file, LoadSpec spec) throws IOException {
        DebugInfo di = open(file, spec);
        if (spec.module() == null) {
            DebugInfo old = vmlinux;
            vmlinux = di;
            symbols.setVmlinux(di);
            if (old != null) old.close();
        } else {
            modules.removeIf(m -> {
                if (spec.module().equals(m.module())) {
                    symbols.removeModule(m);
                    m.close();
                    return true;
                }
                return false;
            });
            modules.add(di);
            symbols.addModule(di);
        }
        return di;
    }

    @Override
    public boolean unloadDebugInfo(String module) {
        boolean[] found = {false};
        modules.removeIf(m -> {
            if (module.equals(m.module())) {
                symbols.removeModule(m);
                m.close();
                found[0] = true;
                return true;
            }
            return false;
        });
        return found[0];
    }

    @Override
    public void addSymbols(String source, SymbolTable table) {
        symbols.addTable(source, table);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T cached(String key, Supplier<T> compute) {
        Once<T> once = (Once<T>) cache.computeIfAbsent(key, k -> new Once<>());
        return once.get(compute);
    }

    @Override
    public List<String> warnings() { return Collections.unmodifiableList(new ArrayList<>(warnings)); }

    /** Kept for the front end to show; logged only at debug level here. */
    void warn(String message) {
        LOG.debug("session warning: {}", message);
        warnings.add(message);
    }

    void close() {
        for (DebugInfo m : modules) m.close();
        if (vmlinux != null) vmlinux.close();
        if (builtin != null) builtin.close();
        dump.close();
    }

    /** Computes a value once; a failure is not cached so the user may retry after fixing input. */
    private static final class Once<T> {
        private T value;
        private boolean done;

        synchronized T get(Supplier<T> compute) {
            if (!done) {
                value = compute.get();
                done = true;
            }
            return value;
        }
    }
}
