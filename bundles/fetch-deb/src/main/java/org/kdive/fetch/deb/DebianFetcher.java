package org.kdive.fetch.deb;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.kdive.api.fetch.DebuginfoFetcher;
import org.kdive.api.fetch.KernelIdentity;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Debian: {@code linux-image-RELEASE-dbg} at the version the banner names ("Debian 6.1.176-1"),
 * from the mirrors' Packages indexes (SHA256-checked) or the pool.
 */
@Component(service = DebuginfoFetcher.class, configurationPid = DebianFetcher.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = DebianFetcher.Config.class)
public class DebianFetcher extends AptFetcher {
    public static final String PID = "org.kdive.fetch.debian";
    private static final Pattern VERSION = Pattern.compile("\\bDebian (\\S+)");
    private static final Pattern DEB_RELEASE = Pattern.compile("(?:\\+deb|~bpo|~deb)(\\d+)");

    /** The settings (etc/org.kdive.fetch.debian.cfg); see also FetchSettings for plain Java. */
    @ObjectClassDefinition(id = PID, name = "kdive Debian debuginfo fetcher")
    public @interface Config {
        @AttributeDefinition(description = "APT mirrors tried in order; empty: the mirrors this machine's APT sources name")
        String[] mirrors() default {};

        @AttributeDefinition(description = "Suites whose Packages indexes are searched; {codename} is the release's (bookworm …)")
        String[] suites() default {"{codename}", "{codename}-security", "{codename}-updates", "{codename}-backports"};

        @AttributeDefinition(description = "Archive components searched")
        String[] components() default {"main"};

        @AttributeDefinition(description = "Lower runs first among fetchers")
        int order() default 30;

        @AttributeDefinition(description = "Retries of a failed transfer")
        int retries() default 3;

        @AttributeDefinition(description = "Keep downloaded packages in the cache after unpacking")
        boolean keepPackages() default false;
    }

    /** For Declarative Services. */
    public DebianFetcher() {
        this(Map.of());
    }

    /** For plain Java: settings as the OSGi configuration would give them (keys of {@link Config}). */
    public DebianFetcher(Map<String, ?> config) {
        super(PID, 30, config);
    }

    @Activate
    @Modified
    void activate(Map<String, Object> config) {
        configure(config);
    }

    @Override public String name() { return "debian"; }

    @Override public String description() { return "Debian linux-image-RELEASE-dbg packages from APT mirrors"; }

    /** No mirror is hard-wired: a Debian machine's own APT sources say which mirror to use. */
    @Override List<String> defaultMirrors() { return AptSources.mirrors(java.nio.file.Paths.get("/etc/apt")); }

    @Override List<String> defaultSuites() { return List.of("{codename}", "{codename}-security", "{codename}-updates", "{codename}-backports"); }

    @Override String packageSuffix() { return ".deb"; }

    @Override
    protected boolean applies(KernelIdentity k) {
        return k.release() != null && k.version() != null && VERSION.matcher(k.version()).find()
                && !k.version().contains("Ubuntu");
    }

    @Override
    List<String> packageNames(KernelIdentity k) {
        return List.of("linux-image-" + k.release() + "-dbg");
    }

    @Override
    String packageVersion(KernelIdentity k) {
        Matcher m = VERSION.matcher(k.version() == null ? "" : k.version());
        return m.find() ? m.group(1) : null;
    }

    @Override
    String codename(KernelIdentity k) {
        String v = packageVersion(k);
        if (v != null) {
            Matcher m = DEB_RELEASE.matcher(v);
            if (m.find()) return byNumber(Integer.parseInt(m.group(1)));
        }
        String r = k.release() == null ? "" : k.release();
        if (r.startsWith("6.12.")) return "trixie";
        if (r.startsWith("6.1.")) return "bookworm";
        if (r.startsWith("5.10.")) return "bullseye";
        if (r.startsWith("4.19.")) return "buster";
        if (r.startsWith("4.9.")) return "stretch";
        if (r.startsWith("3.16.")) return "jessie";
        return null;
    }

    private static String byNumber(int n) {
        return switch (n) {
            case 8 -> "jessie";
            case 9 -> "stretch";
            case 10 -> "buster";
            case 11 -> "bullseye";
            case 12 -> "bookworm";
            case 13 -> "trixie";
            case 14 -> "forky";
            default -> null;
        };
    }

    @Override
    List<String> poolPaths(KernelIdentity k, String pkg, String version, String arch) {
        String f = fileName(pkg, version, arch);
        return List.of("pool/main/l/linux/" + f, "pool/updates/main/l/linux/" + f);
    }
}
