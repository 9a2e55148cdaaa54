package org.kdive.fetch.deb;

import java.util.ArrayList;
import java.util.LinkedHashSet;
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
 * Ubuntu: release {@code 5.15.0-91-generic} and version {@code #101-Ubuntu …} make the ddeb
 * {@code linux-image-unsigned-5.15.0-91-generic-dbgsym_5.15.0-91.101_amd64.ddeb} (older kernels:
 * {@code linux-image-…-dbgsym}) in the ddebs archive's pool.
 */
@Component(service = DebuginfoFetcher.class, configurationPid = UbuntuFetcher.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = UbuntuFetcher.Config.class)
public class UbuntuFetcher extends AptFetcher {
    public static final String PID = "org.kdive.fetch.ubuntu";
    private static final Pattern RELEASE = Pattern.compile("^(\\d+\\.\\d+)\\.\\d+-\\d+-([a-z0-9-]+)$");
    private static final Pattern ABI = Pattern.compile("^(\\d+\\.\\d+\\.\\d+-\\d+)-");
    private static final Pattern UPLOAD = Pattern.compile("#(\\S+?)-Ubuntu");

    /** The settings (etc/org.kdive.fetch.ubuntu.cfg). */
    @ObjectClassDefinition(id = PID, name = "kdive Ubuntu ddeb debuginfo fetcher")
    public @interface Config {
        @AttributeDefinition(description = "ddeb archives tried in order")
        String[] mirrors() default {"http://ddebs.ubuntu.com"};

        @AttributeDefinition(description = "Suites whose Packages indexes are searched; {codename} is the series (jammy …)")
        String[] suites() default {"{codename}-updates", "{codename}-security", "{codename}", "{codename}-proposed"};

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
    public UbuntuFetcher() {
        this(Map.of());
    }

    /** For plain Java: settings as the OSGi configuration would give them (keys of {@link Config}). */
    public UbuntuFetcher(Map<String, ?> config) {
        super(PID, 30, config);
    }

    @Activate
    @Modified
    void activate(Map<String, Object> config) {
        configure(config);
    }

    @Override public String name() { return "ubuntu"; }

    @Override public String description() { return "Ubuntu linux-image[-unsigned]-RELEASE-dbgsym ddebs"; }

    @Override List<String> defaultMirrors() { return List.of("http://ddebs.ubuntu.com"); }

    @Override List<String> defaultSuites() { return List.of("{codename}-updates", "{codename}-security", "{codename}", "{codename}-proposed"); }

    @Override String packageSuffix() { return ".ddeb"; }

    @Override
    protected boolean applies(KernelIdentity k) {
        return k.release() != null && k.version() != null && UPLOAD.matcher(k.version()).find()
                && ABI.matcher(k.release()).find();
    }

    @Override
    List<String> packageNames(KernelIdentity k) {
        return List.of("linux-image-unsigned-" + k.release() + "-dbgsym", "linux-image-" + k.release() + "-dbgsym");
    }

    @Override
    String packageVersion(KernelIdentity k) {
        Matcher abi = ABI.matcher(k.release());
        Matcher up = UPLOAD.matcher(k.version());
        if (!abi.find() || !up.find()) return null;
        return abi.group(1) + "." + up.group(1);
    }

    @Override
    String codename(KernelIdentity k) {
        String v = packageVersion(k);
        if (v != null && v.contains("~")) {
            String series = v.substring(v.indexOf('~') + 1);
            if (series.startsWith("24.04")) return "noble";
            if (series.startsWith("22.04")) return "jammy";
            if (series.startsWith("20.04")) return "focal";
            if (series.startsWith("18.04")) return "bionic";
            if (series.startsWith("16.04")) return "xenial";
        }
        Matcher m = RELEASE.matcher(k.release());
        if (!m.find()) return null;
        return switch (m.group(1)) {
            case "4.4" -> "xenial";
            case "4.15" -> "bionic";
            case "5.4" -> "focal";
            case "5.15" -> "jammy";
            case "6.2" -> "lunar";
            case "6.5" -> "mantic";
            case "6.8" -> "noble";
            case "6.11" -> "oracular";
            case "6.14" -> "plucky";
            default -> null;
        };
    }

    /** The source package's pool folders: linux, linux-FLAVOUR, and the HWE variants (linux-hwe-5.15 …). */
    @Override
    List<String> poolPaths(KernelIdentity k, String pkg, String version, String arch) {
        Matcher m = RELEASE.matcher(k.release());
        LinkedHashSet<String> sources = new LinkedHashSet<>();
        sources.add("linux");
        if (m.find()) {
            String majorMinor = m.group(1);
            String flavour = m.group(2);
            String base = flavour.replaceAll("-(64k|lpae|edge)$", "");
            boolean generic = base.equals("generic") || base.equals("lowlatency");
            if (version != null && version.contains("~")) {
                if (generic) sources.add("linux-hwe-" + majorMinor);
                sources.add("linux-" + base + "-" + majorMinor);
                if (generic) sources.add("linux-hwe");
            }
            if (!base.equals("generic")) sources.add("linux-" + base);
        }
        List<String> out = new ArrayList<>();
        String f = fileName(pkg, version, arch);
        for (String s : sources) out.add("pool/main/l/" + s + "/" + f);
        return out;
    }
}
