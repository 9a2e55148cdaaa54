package org.kdive.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.kdive.api.KdiveException;
import org.kdive.api.arch.Architecture;
import org.kdive.api.command.CommandException;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.DumpFormat;
import org.kdive.api.fetch.DebuginfoFetcher;
import org.kdive.api.session.OpenRequest;
import org.kdive.api.session.Session;
import org.kdive.api.session.SessionListener;
import org.kdive.api.session.SessionService;
import org.kdive.api.symbols.DebugInfoProvider;
import org.osgi.service.component.ComponentServiceObjects;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens dumps: offers the file to every format, binds the matching architecture, loads vmlinux
 * debuginfo (given, cached or fetched). Services come and go at run time (drop-in bundles), so the
 * lists are live.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = SessionService.class)
public class KdiveSessions implements SessionService {
    private static final Logger LOG = LoggerFactory.getLogger(KdiveSessions.class);

    private final List<DumpFormat> formats = new CopyOnWriteArrayList<>();
    private final List<Architecture> architectures = new CopyOnWriteArrayList<>();
    private final List<DebugInfoProvider> providers = new CopyOnWriteArrayList<>();
    private final List<DebuginfoFetcher> fetchers = new CopyOnWriteArrayList<>(); // given in plain-Java use
    /**
     * The fetcher services, each activated when a lookup first needs it: their set-up (HTTP clients,
     * mirror lists) was ~15 ms of every start, and most runs fetch nothing.
     */
    private final Map<ComponentServiceObjects<DebuginfoFetcher>, DebuginfoFetcher> fetcherServices = new ConcurrentHashMap<>();
    private final Set<ComponentServiceObjects<DebuginfoFetcher>> fetcherRefs = ConcurrentHashMap.newKeySet();
    private final List<SessionListener> listeners = new CopyOnWriteArrayList<>();
    private volatile DefaultSession current;

    /** For Declarative Services. */
    public KdiveSessions() {
    }

    /** For plain-Java use (tests, tools) without a framework. */
    public KdiveSessions(List<DumpFormat> formats, List<Architecture> architectures,
            List<DebugInfoProvider> providers, List<DebuginfoFetcher> fetchers) {
        this.formats.addAll(formats);
        this.architectures.addAll(architectures);
        this.providers.addAll(providers);
        this.fetchers.addAll(fetchers);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addFormat(DumpFormat f) { formats.add(f); }

    void removeFormat(DumpFormat f) { formats.remove(f); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addArchitecture(Architecture a) { architectures.add(a); }

    void removeArchitecture(Architecture a) { architectures.remove(a); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addProvider(DebugInfoProvider p) { providers.add(p); }

    void removeProvider(DebugInfoProvider p) { providers.remove(p); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addFetcher(ComponentServiceObjects<DebuginfoFetcher> f) { fetcherRefs.add(f); }

    void removeFetcher(ComponentServiceObjects<DebuginfoFetcher> f) {
        fetcherRefs.remove(f);
        fetcherServices.remove(f); // (SCR ungets what was obtained through it)
    }

    /** The fetchers there are now, activating those not used before. */
    private List<DebuginfoFetcher> fetchers() {
        List<DebuginfoFetcher> all = new ArrayList<>(fetchers);
        for (ComponentServiceObjects<DebuginfoFetcher> ref : fetcherRefs) {
            DebuginfoFetcher f = fetcherServices.get(ref);
            if (f == null) {
                f = ref.getService(); // null when its component failed to activate (said in the log)
                if (f != null) fetcherServices.put(ref, f);
            }
            if (f != null) all.add(f);
        }
        return all;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addListener(SessionListener l) { listeners.add(l); }

    void removeListener(SessionListener l) { listeners.remove(l); }

    @Deactivate
    void deactivate() {
        close();
    }

    @Override
    public Session open(OpenRequest request) throws IOException {
        DefaultSession session = openSession(request);
        DefaultSession old = current;
        current = session;
        if (old != null) old.close();
        return session;
    }

    /** A session of the caller's own (triage): not current, closed with {@link #close(Session)}. */
    @Override
    public Session openDetached(OpenRequest request) throws IOException {
        return openSession(request);
    }

    @Override
    public void close(Session session) {
        if (session == current) close();
        else if (session instanceof DefaultSession d) d.close();
    }

    private DefaultSession openSession(OpenRequest request) throws IOException {
        if (request.dumpFiles().isEmpty()) throw new CommandException("no dump file given");
        for (Path p : request.dumpFiles()) {
            if (!Files.isRegularFile(p)) throw new KdiveException(p + ": no such file");
            if (!Files.isReadable(p)) throw new KdiveException(p + ": not readable");
        }
        long t0 = System.nanoTime();
        DumpFormat format = pickFormat(request.dumpFiles().get(0));
        Dump dump = format.open(request.dumpFiles());
        LOG.debug("opened {} as {} in {} ms", request.dumpFiles(), format.name(), (System.nanoTime() - t0) / 1_000_000);
        DefaultSession session;
        try {
            session = new DefaultSession(dump, pickArchitecture(dump), providers);
            // describing a dump needs a few kernel symbols (panic_cpu) at most: the kernel's own kallsyms
            // (Linux 6.0+) give them without opening a cached vmlinux and its index (~100 MB, --info)
            if (request.forCommands() || !session.useKallsyms()) openDebuginfo(session, request);
        } catch (IOException | RuntimeException e) {
            dump.close();
            throw e;
        }
        if (request.forCommands() && (session.vmlinux().isPresent() || session.builtin().isPresent())) {
            for (SessionListener l : listeners) {
                try {
                    long t1 = System.nanoTime();
                    l.opened(session);
                    LOG.debug("{} took {} ms on the new session", l.getClass().getSimpleName(), (System.nanoTime() - t1) / 1_000_000);
                } catch (RuntimeException e) {
                    LOG.warn("{} failed on the new session: {}", l.getClass().getSimpleName(), e.getMessage());
                }
            }
        }
        return session;
    }

    /**
     * The kernel's debuginfo: a vmlinux given or cached takes precedence. Otherwise the dump's own
     * kallsyms and BTF, at once, with a vmlinux fetched only when a lookup needs what BTF lacks
     * (source lines, the types of ordinary globals) or on `debuginfo fetch`; eagerly at open when
     * asked ({@link OpenRequest#eagerFetch()}, KDIVE_FETCH=eager) or when the kernel carries no BTF.
     */
    private void openDebuginfo(DefaultSession session, OpenRequest request) throws IOException {
        Path vmlinux = request.vmlinux();
        boolean eager = request.fetch() && (request.eagerFetch() || "eager".equalsIgnoreCase(System.getenv("KDIVE_FETCH")));
        if (vmlinux == null) {
            DebuginfoLookup lookup = new DebuginfoLookup(fetchers());
            vmlinux = lookup.find(session, eager).orElse(null);
            lookup.warnings.forEach(session::warn);
        }
        if (vmlinux != null) {
            session.loadVmlinux(vmlinux);
            return;
        }
        if (!session.hasArchitecture()) {
            session.warn("no vmlinux debuginfo: symbols, types and backtraces need one (give it after the dump, or see `debuginfo`)");
            return;
        }
        boolean kallsyms = session.useKallsyms();
        Optional<org.kdive.api.symbols.DebugInfo> btf = kallsyms ? session.useKernelMemory() : Optional.empty();
        if (btf.isPresent()) {
            session.warn("no vmlinux: types from " + btf.get().origin() + ", symbols from kallsyms, stacks from ORC;"
                    + " source lines and the types of most globals need the vmlinux ("
                    + (request.fetch() ? "fetched when a command needs them, or now with `debuginfo fetch`"
                            : "--no-fetch: give it after the dump, or `debuginfo fetch`") + ")");
            try {
                btf.get().notes().forEach(session::warn);
            } catch (RuntimeException e) {
                session.warn(btf.get().origin() + ": " + e.getMessage());
            }
            if (request.fetch()) session.fetchOnDemand(() -> fetchNow(session));
            return;
        }
        if (!kallsyms) {
            session.warn("VMCOREINFO has no kallsyms_* entries (they appear in Linux 6.0): without a vmlinux this"
                    + " kernel's symbols are unknown, and so are its BTF and ORC tables");
        }
        if (request.fetch() && !eager) {
            // nothing in the dump gives types: fetch now, as before kdive read BTF
            DebuginfoLookup now = new DebuginfoLookup(fetchers());
            vmlinux = now.find(session, true).orElse(null);
            now.warnings.forEach(session::warn);
            if (vmlinux != null) {
                session.loadVmlinux(vmlinux);
                return;
            }
        }
        session.warn("no vmlinux debuginfo: symbols, types and backtraces need one (give it after the dump, or see `debuginfo`)");
    }

    /** A vmlinux from the fetchers, for a lookup that needs what BTF lacks; null when none can be had. */
    private Path fetchNow(DefaultSession session) {
        DebuginfoLookup lookup = new DebuginfoLookup(fetchers());
        try {
            Path p = lookup.find(session, true).orElse(null);
            lookup.warnings.forEach(w -> LOG.warn("{}", w));
            return p;
        } catch (IOException | RuntimeException e) {
            LOG.warn("fetching debuginfo failed: {}", e.getMessage());
            return null;
        }
    }

    /** Debuginfo-free open, for `--info`: format only. */
    public Session openDumpOnly(List<Path> files) throws IOException {
        return open(new OpenRequest(files, null, false));
    }

    DumpFormat pickFormat(Path file) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(DumpFormat.PROBE_SIZE);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (head.hasRemaining() && ch.read(head) > 0) {
                // fill
            }
        }
        head.flip();
        DumpFormat best = null;
        int bestScore = 0;
        for (DumpFormat f : formats) {
            int score;
            try {
                score = f.probe(file, head.asReadOnlyBuffer());
            } catch (RuntimeException e) {
                LOG.warn("format {} failed probing {}: {}", f.name(), file, e.toString());
                continue;
            }
            if (score > bestScore) {
                best = f;
                bestScore = score;
            }
        }
        if (best == null) {
            String tried = formats.stream().map(DumpFormat::name).sorted().collect(Collectors.joining(", "));
            throw new KdiveException(file + ": not a dump format kdive knows (tried: "
                    + (tried.isEmpty() ? "no format bundles installed" : tried) + ")");
        }
        return best;
    }

    private Architecture pickArchitecture(Dump dump) {
        String machine = dump.info().machine();
        List<Architecture> sorted = new ArrayList<>(architectures);
        sorted.sort(Comparator.comparing(Architecture::name));
        for (Architecture a : sorted) {
            if (machine != null && a.supports(machine)) return a;
        }
        // the session's warnings say so (the shell shows them once); only the log needs it here
        LOG.debug("no architecture bundle supports machine '{}'", machine);
        return null;
    }

    @Override
    public Optional<Session> current() {
        return Optional.ofNullable(current);
    }

    @Override
    public Session require() {
        Session s = current;
        if (s == null) throw new CommandException("no dump is open: start kdive with a dump, or run: open DUMP [VMLINUX]");
        return s;
    }

    @Override
    public void close() {
        DefaultSession s = current;
        current = null;
        if (s != null) s.close();
    }
}
