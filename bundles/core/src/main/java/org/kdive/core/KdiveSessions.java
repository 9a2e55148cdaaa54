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
import java.util.Optional;
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
    private final List<DebuginfoFetcher> fetchers = new CopyOnWriteArrayList<>();
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
    void addFetcher(DebuginfoFetcher f) { fetchers.add(f); }

    void removeFetcher(DebuginfoFetcher f) { fetchers.remove(f); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addListener(SessionListener l) { listeners.add(l); }

    void removeListener(SessionListener l) { listeners.remove(l); }

    @Deactivate
    void deactivate() {
        close();
    }

    @Override
    public Session open(OpenRequest request) throws IOException {
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
            Path vmlinux = request.vmlinux();
            if (vmlinux == null) {
                DebuginfoLookup lookup = new DebuginfoLookup(fetchers);
                vmlinux = lookup.find(session, request.fetch()).orElse(null);
                lookup.warnings.forEach(session::warn);
                if (vmlinux == null) {
                    session.warn("no vmlinux debuginfo: symbols, types and backtraces need one (give it after the dump, or see `debuginfo`)");
                }
            }
            if (vmlinux != null) session.loadVmlinux(vmlinux);
            else session.useKallsyms();
        } catch (IOException | RuntimeException e) {
            dump.close();
            throw e;
        }
        if (session.vmlinux().isPresent()) {
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
        DefaultSession old = current;
        current = session;
        if (old != null) old.close();
        return session;
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
        LOG.warn("no architecture bundle supports machine '{}': virtual memory and backtraces are unavailable", machine);
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
