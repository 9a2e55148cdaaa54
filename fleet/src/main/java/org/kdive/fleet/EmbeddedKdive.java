package org.kdive.fleet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.felix.framework.Felix;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.Filter;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * One kdive framework per JVM (per installation), started on first use and reused for every dump
 * the JVM triages. The bundles come from the installation's bundles/ and plugins/ folders.
 *
 * <p>Class loading: the bundles see java.* (boot delegation, the boot loader as parent) and, from
 * the host, only the packages listed in {@link #SHARED_PACKAGES}: slf4j, so their logging goes to
 * the host's binding. Nothing else of the host (Spark, Scala, Hadoop, Jackson …) is visible to
 * them, and the host reaches triage only through {@code java.util.function.Function} of JDK types.
 */
public final class EmbeddedKdive {
    /** The host packages the bundles import (besides the JRE's), with the versions they are exported as. */
    static final String SHARED_PACKAGES = "org.slf4j;version=2.0.16,org.slf4j.spi;version=2.0.16,org.slf4j.helpers;version=2.0.16,"
            + "org.slf4j.event;version=2.0.16,sun.misc";
    /** Bundles of an installation that a job does not need: the interactive shell and its console, the drop-in watcher. */
    private static final List<String> SKIPPED = List.of("kdive-shell", "org.apache.felix.gogo", "jline", "org.apache.felix.fileinstall");
    private static final String TRIAGE_FILTER = "(&(" + Constants.OBJECTCLASS + "=java.util.function.Function)(kdive.function=triage))";
    private static final Map<Path, EmbeddedKdive> STARTED = new ConcurrentHashMap<>();

    private final Felix felix;
    private final Path storage;
    private final Function<Map<String, Object>, Map<String, Object>> triage;
    private final long startMillis;

    /** The framework of this JVM for {@code home}, started on the first call. */
    public static EmbeddedKdive of(Path home) {
        return STARTED.computeIfAbsent(home.toAbsolutePath().normalize(), EmbeddedKdive::new);
    }

    @SuppressWarnings("unchecked")
    private EmbeddedKdive(Path home) {
        long t0 = System.nanoTime();
        Path bundles = home.resolve("bundles");
        if (!Files.isDirectory(bundles)) {
            throw new IllegalStateException(home + " is not a kdive installation (no bundles/ folder): give --kdive-home");
        }
        try {
            storage = Files.createTempDirectory("kdive-fleet-felix");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, SHARED_PACKAGES);
        // nothing of the host by boot delegation: java.* only (always delegated), parent = boot loader
        config.put(Constants.FRAMEWORK_BOOTDELEGATION, "");
        config.put(Constants.FRAMEWORK_BUNDLE_PARENT, Constants.FRAMEWORK_BUNDLE_PARENT_BOOT);
        config.put("felix.log.level", "1");
        config.put("ds.loglevel", "warn");
        config.put("kdive.home", home.toString());
        config.put("kdive.etc", home.resolve("etc").toString());
        felix = new Felix(config);
        try {
            felix.init();
            BundleContext ctx = felix.getBundleContext();
            List<Bundle> installed = new ArrayList<>();
            for (Path jar : jars(bundles, home.resolve("plugins"))) installed.add(ctx.installBundle(jar.toUri().toString()));
            felix.start();
            // as the launcher orders them (BundleSync): SCR, the log service and every bundle with an
            // activator first, then the bundles of components, so that SCR logs through kdive-log
            // (without a LoggerFactory it prints its warnings on the console)
            for (int pass = 0; pass < 2; pass++) {
                for (Bundle b : installed) {
                    if (b.getHeaders().get(Constants.FRAGMENT_HOST) != null) continue;
                    String components = b.getHeaders().get("Service-Component");
                    String provided = b.getHeaders().get(Constants.PROVIDE_CAPABILITY);
                    boolean late = components != null && (provided == null || !provided.contains("org.osgi.service.log.LoggerFactory"));
                    if (late != (pass == 1)) continue;
                    try {
                        b.start();
                    } catch (BundleException e) {
                        // a broken drop-in leaves the rest working, as in kdive itself
                        System.err.println("kdive fleet: bundle " + b.getSymbolicName() + " did not start: " + e.getMessage());
                    }
                }
            }
            triage = (Function<Map<String, Object>, Map<String, Object>>) await(ctx, TRIAGE_FILTER, 60_000);
        } catch (BundleException | InvalidSyntaxException e) {
            throw new IllegalStateException("kdive's framework did not start: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while kdive's framework started", e);
        }
        startMillis = (System.nanoTime() - t0) / 1_000_000;
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "kdive-fleet-stop"));
    }

    /** How many frameworks this JVM has started (one per installation). */
    public static int started() {
        return STARTED.size();
    }

    /**
     * Loads a class as the bundle {@code symbolicName} sees it: for checking that the host's class
     * path stays out of the bundles.
     */
    Class<?> loadFromBundle(String symbolicName, String className) throws ClassNotFoundException {
        for (Bundle b : felix.getBundleContext().getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) return b.loadClass(className);
        }
        throw new IllegalArgumentException("no bundle " + symbolicName);
    }

    /** How long the framework took to start. */
    public long startMillis() {
        return startMillis;
    }

    /** One dump's record (see kdive-cmd-triage's TriageFunction for the request's keys). */
    public Map<String, Object> triage(Map<String, Object> request) {
        return triage.apply(request);
    }

    private static List<Path> jars(Path... dirs) {
        List<Path> out = new ArrayList<>();
        for (Path d : dirs) {
            if (!Files.isDirectory(d)) continue;
            try (Stream<Path> s = Files.list(d)) {
                s.filter(p -> p.getFileName().toString().endsWith(".jar"))
                        .filter(p -> SKIPPED.stream().noneMatch(x -> p.getFileName().toString().startsWith(x)))
                        .sorted(Comparator.comparing(Path::toString)).forEach(out::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    private static Object await(BundleContext ctx, String filter, long millis) throws InvalidSyntaxException, InterruptedException {
        Filter f = ctx.createFilter(filter);
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            ServiceReference<?>[] refs = ctx.getAllServiceReferences(null, filter);
            if (refs != null) {
                for (ServiceReference<?> r : refs) {
                    if (f.match(r)) {
                        Object service = ctx.getService(r);
                        if (service != null) return service;
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("no triage service after " + millis / 1000 + " s: is kdive-cmd-triage among the bundles?");
    }

    private void stop() {
        try {
            felix.stop();
            felix.waitForStop(5000);
        } catch (BundleException | InterruptedException e) {
            // the JVM ends anyway
        }
        try (Stream<Path> s = Files.walk(storage)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder
        }
    }
}
