package org.kdive.fetch.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.kdive.api.command.Progress;
import org.kdive.api.fetch.FetchContext;
import org.kdive.api.fetch.FetchException;
import org.kdive.api.fetch.FetchPlan;
import org.kdive.api.fetch.FetchResult;
import org.kdive.api.fetch.KernelIdentity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps every package-based fetcher shares: download each package (first source that has it),
 * unpack the kernel's debug files into a staging folder, verify them against the dump, and commit
 * them to the cache. Any failure leaves the cache as it was and says what to do by hand.
 */
public final class PackageFetch {
    private static final Logger LOG = LoggerFactory.getLogger(PackageFetch.class);

    /** Reads one package file and hands its entries to the collector. */
    @FunctionalInterface
    public interface Unpacker {
        void unpack(Path pkg, String name, InputStream countedRaw, DebugFileCollector sink) throws IOException;
    }

    /** Where a package can be had, with what its repository metadata says about it. */
    public record Source(URI uri, Downloader.Expect expect) {
    }

    /**
     * @param onlyIfNoVmlinux skip this package when an earlier one already had the vmlinux
     */
    public record Package(String fileName, List<Source> sources, boolean onlyIfNoVmlinux) {
    }

    private PackageFetch() {
    }

    public static FetchResult run(String fetcher, KernelIdentity kernel, FetchContext context, Downloader downloader,
            FetchSettings settings, List<Package> packages, Unpacker unpacker, FetchPlan plan) throws IOException {
        DebuginfoCache cache = new DebuginfoCache(context.cacheRoot(), fetcher);
        FetchSettings.Limits limits = settings.limits();
        boolean keep = settings.bool("keepPackages", false);
        Path staging = cache.newStaging();
        try {
            DebugFileCollector sink = new DebugFileCollector(kernel.release(), staging, limits);
            List<String> sources = new ArrayList<>();
            for (Package pkg : packages) {
                if (pkg.onlyIfNoVmlinux() && sink.vmlinux().isPresent()) continue;
                Path file = cache.downloads().resolve(DebuginfoCache.safe(pkg.fileName()));
                Source used = null;
                for (Source s : pkg.sources()) {
                    if (Files.isRegularFile(file) && s.expect().sha256() != null
                            && Downloader.sha256(file).equalsIgnoreCase(s.expect().sha256())) {
                        used = s; // kept from an earlier run and still matching the metadata
                        break;
                    }
                    Files.deleteIfExists(file);
                    if (downloader.download(s.uri(), file, s.expect(), context::progress)) {
                        used = s;
                        break;
                    }
                    LOG.debug("{}: not at {}", pkg.fileName(), s.uri());
                }
                if (used == null) {
                    throw new FetchException(notFound(kernel, pkg, plan, cache));
                }
                sources.add(used.uri().toString());
                try (InputStream raw = Files.newInputStream(file);
                        Progress p = context.progress("unpack " + pkg.fileName(), Files.size(file))) {
                    InputStream counted = new java.io.FilterInputStream(raw) {
                        @Override public int read() throws IOException {
                            int b = super.read();
                            if (b >= 0) p.advance(1);
                            return b;
                        }
                        @Override public int read(byte[] b, int off, int len) throws IOException {
                            int n = super.read(b, off, len);
                            if (n > 0) p.advance(n);
                            return n;
                        }
                    };
                    unpacker.unpack(file, pkg.fileName(), counted, sink);
                }
                if (!keep) Files.deleteIfExists(file);
            }
            if (sink.vmlinux().isEmpty()) {
                throw new FetchException("the package(s) " + names(packages) + " have no vmlinux for " + kernel.release()
                        + " (looked for usr/lib/debug/boot/vmlinux-" + kernel.release() + " and usr/lib/debug/lib/modules/"
                        + kernel.release() + "/vmlinux)\n" + plan.note());
            }
            Verify.vmlinux(sink.vmlinux().get(), kernel, String.join(", ", sources));
            for (Map.Entry<String, Path> m : sink.modules().entrySet()) {
                Verify.module(m.getValue(), m.getKey(), kernel, String.join(", ", sources));
            }
            FetchResult r = cache.commit(kernel, staging, sources);
            LOG.info("{}: debuginfo for {} cached in {}", fetcher, kernel.release(), cache.dir(kernel));
            return r;
        } finally {
            DebuginfoCache.deleteTree(staging);
        }
    }

    private static String names(List<Package> packages) {
        return String.join(", ", packages.stream().map(Package::fileName).toList());
    }

    private static String notFound(KernelIdentity k, Package pkg, FetchPlan plan, DebuginfoCache cache) {
        StringBuilder sb = new StringBuilder();
        sb.append(pkg.fileName()).append(" was not found at:");
        for (Source s : pkg.sources()) sb.append("\n  ").append(s.uri());
        sb.append('\n').append(plan.note());
        return sb.toString();
    }

    /**
     * The "do it by hand" text for a plan: the exact packages and URLs, and where the extracted
     * files go so that the next run finds them.
     */
    public static String manualNote(KernelIdentity k, Path cacheRoot, String fetcher, List<String> packages,
            List<URI> urls, String vmlinuxInPackage) {
        StringBuilder sb = new StringBuilder("To do it by hand: download ");
        sb.append(String.join(" and ", packages));
        if (!urls.isEmpty()) {
            sb.append(" from one of:");
            for (URI u : urls) sb.append("\n  ").append(u);
            sb.append('\n');
        } else {
            sb.append(' ');
        }
        Path dir = cacheRoot == null ? null : new DebuginfoCache(cacheRoot, fetcher).dir(k);
        sb.append("extract ").append(vmlinuxInPackage).append(" and either open the dump with it (kdive DUMP VMLINUX)");
        if (dir != null) sb.append(" or put it at ").append(dir.resolve("vmlinux")).append(" (modules in ")
                .append(dir.resolve("modules")).append(')');
        sb.append('.');
        return sb.toString();
    }
}
