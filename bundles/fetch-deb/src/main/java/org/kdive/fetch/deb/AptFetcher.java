package org.kdive.fetch.deb;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.kdive.api.fetch.CacheRoot;
import org.kdive.api.fetch.FetchContext;
import org.kdive.api.fetch.FetchException;
import org.kdive.api.fetch.FetchPlan;
import org.kdive.api.fetch.FetchResult;
import org.kdive.api.fetch.KernelIdentity;
import org.kdive.fetch.support.BaseFetcher;
import org.kdive.fetch.support.Downloader;
import org.kdive.fetch.support.PackageFetch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the Debian and Ubuntu fetchers share: find the debug package in the mirrors' Packages
 * indexes (SHA256 and size to check), else try its pool path directly; then download, unpack,
 * verify and cache through {@link PackageFetch}.
 */
abstract class AptFetcher extends BaseFetcher {
    private static final Logger LOG = LoggerFactory.getLogger(AptFetcher.class);

    protected AptFetcher(String pid, int defaultOrder, Map<String, ?> config) {
        super(pid, defaultOrder, config);
    }

    abstract List<String> defaultMirrors();

    abstract List<String> defaultSuites();

    /** Package names to look for, preferred first. */
    abstract List<String> packageNames(KernelIdentity k);

    /** The package version, or null when the dump does not say it. */
    abstract String packageVersion(KernelIdentity k);

    /** The distribution's code name for the kernel (to fill {codename} in suites), or null. */
    abstract String codename(KernelIdentity k);

    /** Pool paths (relative to a mirror) where the package file may be. */
    abstract List<String> poolPaths(KernelIdentity k, String pkg, String version, String arch);

    abstract String packageSuffix();

    List<String> mirrors() {
        return settings.list("mirrors", String.join(",", defaultMirrors()));
    }

    List<String> suites(KernelIdentity k) {
        String code = codename(k);
        List<String> out = new ArrayList<>();
        for (String s : settings.list("suites", String.join(",", defaultSuites()))) {
            if (s.contains("{codename}")) {
                if (code == null) continue;
                s = s.replace("{codename}", code);
            }
            out.add(s);
        }
        return out;
    }

    static String debArch(String machine) {
        if (machine == null) return "amd64";
        return switch (machine) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "i386", "i486", "i586", "i686" -> "i386";
            case "ppc64le" -> "ppc64el";
            case "s390x" -> "s390x";
            case "riscv64" -> "riscv64";
            case "armv7l", "armv7", "arm" -> "armhf";
            default -> machine;
        };
    }

    String fileName(String pkg, String version, String arch) {
        String v = version == null ? "VERSION" : version.replaceFirst("^\\d+:", "");
        return pkg + "_" + v + "_" + arch + packageSuffix();
    }

    @Override
    public Optional<FetchPlan> plan(KernelIdentity k) {
        return applies(k) ? Optional.of(plan(k, CacheRoot.defaultRoot())) : Optional.empty();
    }

    FetchPlan plan(KernelIdentity k, Path cacheRoot) {
        String arch = debArch(k.machine());
        String version = packageVersion(k);
        List<String> files = new ArrayList<>();
        LinkedHashSet<URI> urls = new LinkedHashSet<>();
        for (String pkg : packageNames(k)) {
            files.add(fileName(pkg, version, arch));
            for (String m : mirrors()) {
                DebRepository repo = new DebRepository(m);
                for (String p : poolPaths(k, pkg, version, arch)) urls.add(repo.resolve(p));
            }
        }
        String what = files.size() == 1 ? files.get(0)
                : files.get(0) + " (or, for older kernels, " + String.join(" or ", files.subList(1, files.size())) + ")";
        String note = PackageFetch.manualNote(k, cacheRoot, name(), List.of(what), new ArrayList<>(urls),
                "usr/lib/debug/boot/vmlinux-" + k.release() + " (dpkg-deb -x FILE DIR)");
        return new FetchPlan(name(), files, new ArrayList<>(urls), note);
    }

    @Override
    public FetchResult fetch(KernelIdentity k, FetchContext context) throws IOException {
        if (!applies(k)) {
            throw new FetchException(name() + ": the dump's kernel " + k.release() + " (" + k.version()
                    + ") is not a " + name() + " kernel");
        }
        FetchPlan plan = plan(k, context.cacheRoot());
        if (mirrors().isEmpty()) {
            throw new FetchException(name() + ": no mirror configured: set mirrors=URL[,URL] in etc/" + pid()
                    + ".cfg (this machine's APT sources name none)\n" + plan.note());
        }
        String arch = debArch(k.machine());
        String version = packageVersion(k);
        List<String> suites = suites(k);
        List<String> components = settings.list("components", "main");
        List<String> problems = new ArrayList<>();
        List<String> reachable = new ArrayList<>(mirrors());
        PackageFetch.Source found = null;
        String foundName = null;
        // 1. the indexes: exact file path, SHA256 and size
        if (!suites.isEmpty()) {
            outer:
            for (String pkg : packageNames(k)) {
                for (String m : new ArrayList<>(reachable)) {
                    try {
                        Optional<PackageFetch.Source> s = new DebRepository(m).lookup(downloader, suites, components, arch, pkg, version);
                        if (s.isPresent()) {
                            found = s.get();
                            foundName = pkg;
                            break outer;
                        }
                    } catch (FetchException e) {
                        problems.add(e.getMessage());
                        reachable.remove(m);
                        LOG.debug("{}: index lookup on {} failed: {}", name(), m, e.getMessage());
                    }
                }
            }
        }
        List<PackageFetch.Source> sources = new ArrayList<>();
        String file;
        if (found != null) {
            sources.add(found);
            String path = found.uri().getPath();
            file = path.substring(path.lastIndexOf('/') + 1);
        } else {
            // 2. no index lists it: the pool paths, verified by build-id alone
            if (version == null) {
                throw new FetchException(name() + ": the dump's version string '" + k.version() + "' does not name the "
                        + "package version and no Packages index lists " + packageNames(k) + also(problems) + "\n" + plan.note());
            }
            for (String pkg : packageNames(k)) {
                for (String m : reachable) {
                    DebRepository repo = new DebRepository(m);
                    for (String p : poolPaths(k, pkg, version, arch)) {
                        sources.add(new PackageFetch.Source(repo.resolve(p), Downloader.Expect.NOTHING));
                    }
                }
            }
            if (sources.isEmpty()) {
                throw new FetchException(name() + ": no mirror reachable" + also(problems) + "\n" + plan.note());
            }
            file = fileName(packageNames(k).get(0), version, arch);
        }
        LOG.debug("{}: fetching {} ({}) from {}", name(), foundName, file, sources);
        DebUnpacker unpacker = new DebUnpacker(settings.limits());
        try {
            return PackageFetch.run(name(), k, context, downloader, settings,
                    List.of(new PackageFetch.Package(file, sources, false)),
                    (pkgFile, n, raw, sink) -> unpacker.unpack(pkgFile, n, raw, sink), plan);
        } catch (FetchException e) {
            throw failure(e, problems, plan);
        }
    }
}
