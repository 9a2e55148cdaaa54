package org.kdive.fetch.rpm;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.kdive.api.fetch.CacheRoot;
import org.kdive.api.fetch.DebuginfoFetcher;
import org.kdive.fetch.support.BaseFetcher;
import org.kdive.api.fetch.FetchContext;
import org.kdive.api.fetch.FetchException;
import org.kdive.api.fetch.FetchPlan;
import org.kdive.api.fetch.FetchResult;
import org.kdive.api.fetch.KernelIdentity;
import org.kdive.fetch.support.DebuginfoCache;
import org.kdive.fetch.support.Downloader;
import org.kdive.fetch.support.FetchSettings;
import org.kdive.fetch.support.PackageFetch;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CentOS / RHEL family: release {@code 3.10.0-862.14.4.el7.x86_64} makes
 * {@code kernel-debuginfo-3.10.0-862.14.4.el7.x86_64.rpm} (vmlinux and module .ko.debug) and
 * {@code kernel-debuginfo-common-x86_64-…rpm} (sources). Each configured repository is asked for
 * its repodata (exact location, SHA256 and size); without repodata the flat, {@code Packages/} and
 * {@code Packages/k/} layouts are tried.
 */
@Component(service = DebuginfoFetcher.class, configurationPid = RpmFetcher.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = RpmFetcher.Config.class)
public class RpmFetcher extends BaseFetcher {
    public static final String PID = "org.kdive.fetch.rpm";
    private static final Logger LOG = LoggerFactory.getLogger(RpmFetcher.class);
    private static final Pattern RELEASE = Pattern.compile("^(\\d[^-]*)-(.+\\.el(\\d+)[^.]*(?:\\.[^.]+)*?)\\.(x86_64|aarch64|ppc64le|s390x|i686)(\\+debug)?$");
    static final List<String> DEFAULT_REPOSITORIES = List.of(
            "https://debuginfo.centos.org/{major}/{arch}/",
            "https://debuginfo.centos.org/{major}-stream/{arch}/",
            "https://mirror.stream.centos.org/{major}-stream/BaseOS/{arch}/debug/tree/",
            "https://dl.rockylinux.org/pub/rocky/{major}/BaseOS/{arch}/debug/tree/",
            "https://repo.almalinux.org/almalinux/{major}/BaseOS/debug/{arch}/");

    /** The settings (etc/org.kdive.fetch.rpm.cfg). */
    @ObjectClassDefinition(id = PID, name = "kdive CentOS/RHEL-family debuginfo fetcher")
    public @interface Config {
        @AttributeDefinition(description = "Debuginfo repository base URLs tried in order; {major} (7, 8, 9 …) and {arch} are filled in."
                + " Add rebuilds (Rocky, Alma, a local mirror) here")
        String[] repositories() default {
            "https://debuginfo.centos.org/{major}/{arch}/",
            "https://debuginfo.centos.org/{major}-stream/{arch}/",
            "https://mirror.stream.centos.org/{major}-stream/BaseOS/{arch}/debug/tree/",
            "https://dl.rockylinux.org/pub/rocky/{major}/BaseOS/{arch}/debug/tree/",
            "https://repo.almalinux.org/almalinux/{major}/BaseOS/debug/{arch}/"};

        @AttributeDefinition(description = "Also download kernel-debuginfo-common (sources) even when kernel-debuginfo has the vmlinux")
        boolean includeCommon() default false;

        @AttributeDefinition(description = "Lower runs first among fetchers")
        int order() default 30;

        @AttributeDefinition(description = "Retries of a failed transfer")
        int retries() default 3;

        @AttributeDefinition(description = "Keep downloaded packages in the cache after unpacking")
        boolean keepPackages() default false;
    }

    /** For Declarative Services. */
    public RpmFetcher() {
        this(Map.of());
    }

    /** For plain Java: settings as the OSGi configuration would give them (keys of {@link Config}). */
    public RpmFetcher(Map<String, ?> config) {
        super(PID, 30, config);
    }

    @Activate
    @Modified
    void activate(Map<String, Object> config) {
        configure(config);
    }

    @Override public String name() { return "rpm"; }

    @Override public String description() { return "CentOS/RHEL-family kernel-debuginfo rpms from debuginfo repositories"; }

    /** name, version, release, arch, el major of the kernel; null when it is not an el kernel. */
    record Nvra(String name, String version, String release, String arch, String major) {
        String file(String n) {
            return n + "-" + version + "-" + release + "." + arch + ".rpm";
        }

        String debuginfo() { return name + "-debuginfo"; }

        String common() { return "kernel-debuginfo-common-" + arch; }
    }

    static Nvra parse(String release) {
        if (release == null) return null;
        Matcher m = RELEASE.matcher(release);
        if (!m.matches()) return null;
        return new Nvra(m.group(5) != null ? "kernel-debug" : "kernel", m.group(1), m.group(2), m.group(4), m.group(3));
    }

    List<URI> repositories(Nvra n) {
        List<URI> out = new ArrayList<>();
        for (String t : settings.list("repositories", String.join(",", DEFAULT_REPOSITORIES))) {
            String u = t.replace("{major}", n.major()).replace("{arch}", n.arch());
            out.add(URI.create(u.endsWith("/") ? u : u + "/"));
        }
        return out;
    }

    private static List<String> layouts(String file) {
        return List.of(file, "Packages/" + file, "Packages/" + file.charAt(0) + "/" + file);
    }

    @Override
    public Optional<FetchPlan> plan(KernelIdentity k) {
        Nvra n = parse(k.release());
        return n == null ? Optional.empty() : Optional.of(plan(k, n, CacheRoot.defaultRoot()));
    }

    private FetchPlan plan(KernelIdentity k, Nvra n, Path cacheRoot) {
        List<String> files = List.of(n.file(n.debuginfo()), n.file(n.common()));
        LinkedHashSet<URI> urls = new LinkedHashSet<>();
        for (URI repo : repositories(n)) {
            for (String l : layouts(files.get(0))) urls.add(repo.resolve(l));
        }
        String note = PackageFetch.manualNote(k, cacheRoot, name(), files, new ArrayList<>(urls),
                "usr/lib/debug/lib/modules/" + k.release() + "/vmlinux (rpm2cpio FILE | cpio -idm)");
        return new FetchPlan(name(), files, new ArrayList<>(urls), note);
    }

    /** An el kernel release (see {@link #parse}). */
    @Override
    protected boolean applies(KernelIdentity k) {
        return parse(k.release()) != null;
    }

    @Override
    public FetchResult fetch(KernelIdentity k, FetchContext context) throws IOException {
        Nvra n = parse(k.release());
        if (n == null) throw new FetchException(name() + ": " + k.release() + " is not a CentOS/RHEL-family kernel release");
        FetchPlan plan = plan(k, n, context.cacheRoot());
        Map<String, String[]> wanted = new LinkedHashMap<>();
        wanted.put(n.debuginfo(), new String[] {n.version(), n.release(), n.arch()});
        wanted.put(n.common(), new String[] {n.version(), n.release(), n.arch()});
        List<String> problems = new ArrayList<>();
        List<PackageFetch.Source> debuginfo = new ArrayList<>();
        List<PackageFetch.Source> common = new ArrayList<>();
        Path tmp = new DebuginfoCache(context.cacheRoot(), name()).downloads();
        for (URI repo : repositories(n)) {
            try {
                Optional<Map<String, PackageFetch.Source>> listed = Repodata.lookup(repo, downloader, tmp, wanted);
                if (listed.isPresent()) {
                    PackageFetch.Source d = listed.get().get(n.debuginfo());
                    if (d == null) continue; // this repository has metadata and does not have the kernel
                    debuginfo.clear();
                    common.clear();
                    debuginfo.add(d);
                    if (listed.get().get(n.common()) != null) common.add(listed.get().get(n.common()));
                    break;
                }
                for (String l : layouts(n.file(n.debuginfo()))) debuginfo.add(new PackageFetch.Source(repo.resolve(l), Downloader.Expect.NOTHING));
                for (String l : layouts(n.file(n.common()))) common.add(new PackageFetch.Source(repo.resolve(l), Downloader.Expect.NOTHING));
            } catch (FetchException e) {
                problems.add(e.getMessage());
                LOG.debug("{}: repository {} failed: {}", name(), repo, e.getMessage());
            }
        }
        if (debuginfo.isEmpty()) {
            throw new FetchException(name() + ": no repository lists " + n.file(n.debuginfo()) + also(problems) + "\n" + plan.note());
        }
        List<PackageFetch.Package> packages = new ArrayList<>();
        packages.add(new PackageFetch.Package(n.file(n.debuginfo()), debuginfo, false));
        if (!common.isEmpty()) {
            packages.add(new PackageFetch.Package(n.file(n.common()), common, !settings.bool("includeCommon", false)));
        }
        FetchSettings.Limits limits = settings.limits();
        try {
            return PackageFetch.run(name(), k, context, downloader, settings, packages,
                    (file, what, raw, sink) -> RpmReader.unpack(raw, what, limits, sink), plan);
        } catch (FetchException e) {
            throw failure(e, problems, plan);
        }
    }
}
