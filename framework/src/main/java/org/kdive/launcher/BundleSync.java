package org.kdive.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.slf4j.Logger;

/**
 * Makes the framework's installed bundles match the installation's bundles/ folder: installs
 * new jars by reference (no copying), updates changed ones, uninstalls removed ones. The
 * persistent framework cache makes later starts cheap. A bundle that fails is reported once
 * and the others go on.
 */
final class BundleSync {
    /** The start level of bundles without DS components (SCR, the log service, Gogo, FileInstall ...). */
    static final int SERVICES_LEVEL = 1;
    /**
     * The start level of bundles with DS components, the framework's beginning start level and that of
     * the bundles FileInstall installs.
     */
    static final int COMPONENTS_LEVEL = 2;

    private final BundleContext context;
    private final Path dir;
    private final Logger log;
    private final List<Bundle> ours = new ArrayList<>();

    BundleSync(BundleContext context, Path dir, Logger log) {
        this.context = context;
        this.dir = dir;
        this.log = log;
    }

    /**
     * @param dropInDirs the drop-in directories of this run: bundles FileInstall installed from
     *                   other directories in earlier runs are removed from the framework cache
     */
    void installAll(List<Path> dropInDirs) throws IOException {
        Map<String, Bundle> installed = new HashMap<>();
        String prefix = "reference:" + dir.toUri();
        for (Bundle b : context.getBundles()) {
            if (b.getBundleId() == 0) continue;
            if (b.getLocation().startsWith(prefix)) {
                installed.put(b.getLocation(), b);
            } else if (dropInDirs.stream().noneMatch(d -> inDir(b.getLocation(), d))) {
                try {
                    b.uninstall();
                } catch (BundleException e) {
                    log.debug("uninstall of stale {} failed", b.getLocation(), e);
                }
            }
        }
        List<Path> jars = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(jars::add);
            }
        } else {
            log.warn("no bundles folder at {}: only the framework will run", dir);
        }
        for (Path jar : jars) {
            String location = "reference:" + jar.toUri();
            Bundle b = installed.remove(location);
            try {
                if (b == null) {
                    b = context.installBundle(location);
                } else if (Files.getLastModifiedTime(jar).toMillis() > b.getLastModified()) {
                    b.update();
                }
                ours.add(b);
            } catch (BundleException e) {
                log.warn("bundle {} cannot be installed: {}", jar.getFileName(), e.getMessage());
            }
        }
        for (Bundle gone : installed.values()) {
            try {
                gone.uninstall();
            } catch (BundleException e) {
                log.debug("uninstall of {} failed", gone.getLocation(), e);
            }
        }
    }

    private static boolean hasComponents(Bundle b) {
        return b.getHeaders("").get("Service-Component") != null;
    }

    /** Whether the bundle's DS components provide the OSGi LoggerFactory (bnd declares it). */
    private static boolean providesLog(Bundle b) {
        String provided = b.getHeaders("").get(Constants.PROVIDE_CAPABILITY);
        return provided != null && provided.contains("org.osgi.service.log.LoggerFactory");
    }

    private static boolean inDir(String location, Path dir) {
        String loc = location.startsWith("reference:") ? location.substring(10) : location;
        String d = dir.toAbsolutePath().normalize().toString();
        return loc.startsWith("file:" + d + "/") || loc.startsWith("file://" + d + "/") || loc.startsWith(dir.toUri().toString());
    }

    void startAll() {
        // SCR processes components only after the log service is up (and every bundle with an
        // activator, as when SCR started last): without a LoggerFactory SCR prints its warnings on
        // the console, and the log service is itself a DS component. Set only where it differs: no
        // start-level thread once the framework cache holds the levels.
        for (Bundle b : context.getBundles()) {
            if (b.getBundleId() == 0) continue;
            int level = hasComponents(b) && !providesLog(b) ? COMPONENTS_LEVEL : SERVICES_LEVEL;
            BundleStartLevel bsl = b.adapt(BundleStartLevel.class);
            if (bsl != null && bsl.getStartLevel() != level) bsl.setStartLevel(level);
        }
        for (Bundle b : ours) {
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) != null) continue;
            // gogo.jline's activator would start its own console; kdive's shell uses its classes instead
            if ("org.apache.felix.gogo.jline".equals(b.getSymbolicName())) continue;
            try {
                b.start();
            } catch (BundleException | RuntimeException e) {
                log.warn("bundle {} {} failed to start and is left out: {}", b.getSymbolicName(), b.getVersion(),
                        e.getMessage());
            }
        }
    }
}
