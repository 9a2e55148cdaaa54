package org.kdive.shell;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drop-in directories: the installation's plugins/ (FileInstall's own directory), the user's
 * (--plugins, $KDIVE_PLUGINS) and etc/ for configuration, watched by FileInstall instances that
 * this component configures. Reports a bundle that fails once, and keeps going.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = DropIns.class, immediate = true)
public class DropIns implements FrameworkListener, BundleListener {
    private static final Logger LOG = LoggerFactory.getLogger(DropIns.class);
    private static final String FILEINSTALL = "org.apache.felix.fileinstall";

    @Reference(cardinality = ReferenceCardinality.OPTIONAL)
    volatile ConfigurationAdmin configAdmin;

    private BundleContext context;
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private final Set<Long> failedBundles = ConcurrentHashMap.newKeySet();
    private final org.osgi.service.log.LogListener logListener = this::logged;

    /** SCR and FileInstall log component and bundle failures here; show them once, in kdive's words. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = org.osgi.service.component.annotations.ReferencePolicy.DYNAMIC)
    void bindLogReader(org.osgi.service.log.LogReaderService reader) {
        reader.addLogListener(logListener);
    }

    void unbindLogReader(org.osgi.service.log.LogReaderService reader) {
        reader.removeLogListener(logListener);
    }

    private void logged(org.osgi.service.log.LogEntry e) {
        Bundle b = e.getBundle();
        // Errors name the failing bundle; SCR's warnings are echoes in the bundles that use it.
        String msg = String.valueOf(e.getMessage()) + (e.getException() == null ? "" : " " + e.getException().getMessage());
        // "Service factory returned null" is SCR telling a user of a broken component, not the culprit.
        boolean echo = msg.contains("Service factory returned null") || msg.contains("resulted in a cycle");
        if (e.getLogLevel() == org.osgi.service.log.LogLevel.ERROR && b != null && !echo) {
            report(b, e.getException() != null ? e.getException() : new Exception(e.getMessage()));
        }
        // the log service (kdive-log) writes every entry to the log file itself
    }

    @Activate
    void activate(BundleContext ctx) {
        context = ctx;
        ctx.addFrameworkListener(this);
        ctx.addBundleListener(this);
        if (configAdmin != null) configureWatchers();
    }

    @Deactivate
    void deactivate() {
        context.removeFrameworkListener(this);
        context.removeBundleListener(this);
    }

    /** Every drop-in directory: plugins/ of the installation first, then the user's. */
    List<Path> pluginDirs() {
        List<Path> dirs = new ArrayList<>();
        String main = context.getProperty("felix.fileinstall.dir");
        if (main != null) dirs.add(Paths.get(main));
        String extra = context.getProperty("kdive.plugins.dirs");
        if (extra != null && !extra.isEmpty()) {
            for (String d : extra.split(File.pathSeparator)) dirs.add(Paths.get(d).toAbsolutePath());
        }
        return dirs;
    }

    private void configureWatchers() {
        Set<String> wanted = new HashSet<>();
        List<Path> dirs = pluginDirs();
        for (Path d : dirs.subList(Math.min(1, dirs.size()), dirs.size())) wanted.add(d.toString());
        String etc = context.getProperty("kdive.etc");
        if (etc != null && Files.isDirectory(Paths.get(etc))) wanted.add(etc);
        try {
            Configuration[] existing = configAdmin.listConfigurations("(&(service.factoryPid=" + FILEINSTALL + ")(kdive.managed=true))");
            if (existing != null) {
                for (Configuration c : existing) {
                    Object dir = c.getProperties().get("felix.fileinstall.dir");
                    if (dir == null || !wanted.remove(dir.toString())) {
                        c.delete();
                        continue;
                    }
                    // kept from an earlier run, perhaps by an older kdive with other settings
                    Dictionary<String, Object> want = watcherProperties(dir.toString());
                    if (!holds(c.getProperties(), want)) c.update(want);
                }
            }
            for (String dir : wanted) {
                Configuration c = configAdmin.getFactoryConfiguration(FILEINSTALL, "kdive-" + Integer.toHexString(dir.hashCode()), "?");
                c.update(watcherProperties(dir));
            }
        } catch (IOException | org.osgi.framework.InvalidSyntaxException e) {
            LOG.warn("cannot watch the drop-in directories: {}", e.getMessage());
        }
    }

    /** Whether {@code have} has every setting of {@code want}, with the same value. */
    private static boolean holds(Dictionary<String, Object> have, Dictionary<String, Object> want) {
        for (java.util.Enumeration<String> keys = want.keys(); keys.hasMoreElements(); ) {
            String k = keys.nextElement();
            if (!want.get(k).equals(have.get(k))) return false;
        }
        return true;
    }

    private static Dictionary<String, Object> watcherProperties(String dir) {
        Dictionary<String, Object> p = new Hashtable<>();
        p.put("felix.fileinstall.dir", dir);
        p.put("felix.fileinstall.poll", "1000");
        p.put("felix.fileinstall.noInitialDelay", "true");
        p.put("felix.fileinstall.disableNio2", "true"); // see the launcher
        p.put("felix.fileinstall.bundles.new.start", "true");
        p.put("kdive.managed", "true");
        return p;
    }

    /**
     * Waits until every jar already present in a drop-in directory is installed and settled
     * (active, or failed and reported), so batch commands see plugins dropped in before start.
     */
    void awaitInitialScan(long timeoutMillis) throws InterruptedException {
        List<Path> jars = new ArrayList<>();
        for (Path d : pluginDirs()) {
            if (!Files.isDirectory(d)) continue;
            try (Stream<Path> s = Files.list(d)) {
                s.filter(p -> p.toString().endsWith(".jar")).forEach(jars::add);
            } catch (IOException e) {
                LOG.warn("cannot list {}: {}", d, e.getMessage());
            }
        }
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!jars.isEmpty() && System.currentTimeMillis() < deadline) {
            jars.removeIf(this::settled);
            if (!jars.isEmpty()) Thread.sleep(20);
        }
        for (Path p : jars) warn("plugin " + p.getFileName() + " was not loaded within " + timeoutMillis + " ms");
    }

    private boolean settled(Path jar) {
        String uri = jar.toUri().normalize().toString();
        for (Bundle b : context.getBundles()) {
            String loc = b.getLocation();
            if (loc.equals(uri) || loc.endsWith(jar.toAbsolutePath().toString())) {
                return b.getState() == Bundle.ACTIVE || b.getHeaders().get("Fragment-Host") != null || failed(b);
            }
        }
        return false;
    }

    @Override
    public void frameworkEvent(FrameworkEvent event) {
        if (event.getType() == FrameworkEvent.ERROR && event.getBundle() != null) {
            report(event.getBundle(), event.getThrowable());
        }
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        if (event.getType() == BundleEvent.INSTALLED) {
            // FileInstall starts it; if it cannot resolve, say why once (FileInstall itself only logs).
            Bundle b = event.getBundle();
            new Thread(() -> checkResolves(b), "kdive-plugin-check").start();
        }
    }

    private void checkResolves(Bundle b) {
        try {
            Thread.sleep(1500);
        } catch (InterruptedException e) {
            return;
        }
        if (b.getState() == Bundle.INSTALLED && b.getHeaders().get("Fragment-Host") == null) {
            try {
                b.start();
            } catch (Exception e) {
                report(b, e);
            }
        }
    }

    /** Says once, per cause, that a bundle is left out and why. */
    void report(Bundle b, Throwable t) {
        String why = t == null ? "unknown error" : rootMessage(t);
        if (why.contains("Service factory returned null") || why.contains("resulted in a cycle")) {
            LOG.debug("{} could not use a broken service: {}", b.getSymbolicName(), why);
            return;
        }
        failedBundles.add(b.getBundleId());
        if (reported.add(why)) {
            warn(String.format("plugin %s %s (%s) failed and is left out: %s", b.getSymbolicName(), b.getVersion(), b.getLocation(), why));
            LOG.debug("plugin failure", t);
        }
    }

    /**
     * Where plug-in warnings go while an interactive prompt is shown (printed above it), or null:
     * then they are logged as warnings (stderr and the log file).
     */
    void console(java.util.function.Consumer<String> console) {
        this.console = console;
    }

    private volatile java.util.function.Consumer<String> console;

    private void warn(String message) {
        java.util.function.Consumer<String> c = console;
        if (c == null) {
            LOG.warn(message);
            return;
        }
        LOG.info("{} (shown above the prompt)", message);
        c.accept("WARNING: " + message);
    }

    boolean failed(Bundle b) {
        return failedBundles.contains(b.getBundleId());
    }

    /**
     * After start-up: every bundle that should run but does not is tried once more, so its reason
     * is reported even if it failed before this component was listening.
     */
    void sweep() {
        for (Bundle b : context.getBundles()) {
            if (b.getState() == Bundle.ACTIVE || b.getBundleId() == 0 || failed(b)) continue;
            if (b.getHeaders().get("Fragment-Host") != null) continue;
            if ("org.apache.felix.gogo.jline".equals(b.getSymbolicName())) continue; // used as a library
            try {
                b.start();
            } catch (Exception e) {
                report(b, e);
            }
        }
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) c = c.getCause();
        String m = c.getMessage();
        m = (m == null ? c.getClass().getSimpleName() : m).replace('\n', ' ');
        // Felix wraps messages as "pkg.SomeException: text"; the text alone identifies the cause.
        return m.replaceFirst("^([a-z]+\\.)+[A-Za-z]*(Exception|Error): ", "");
    }
}
