package org.kdive.launcher;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URISyntaxException;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.felix.framework.Felix;
import org.kdive.launcher.log.LogSink;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * kdive's entry point: starts Felix with the installation's bundles and the drop-in
 * directories, hands the command line to the shell bundle through framework properties,
 * and exits with the status the shell leaves in {@code kdive.exit}.
 */
public final class Main {
    /** Exported from the launcher's class path so bundles share its slf4j binding. */
    private static final String SLF4J_VERSION = "2.0.16";

    private Main() {
    }

    public static void main(String[] args) {
        long t0 = System.nanoTime();
        // slf4j's own search for a provider (a ServiceLoader over the class path) cost ~15 ms a start
        if (System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.provider", org.kdive.launcher.log.KdiveLogProvider.class.getName());
            // (which slf4j would otherwise announce on stderr at every start)
            if (System.getProperty("slf4j.internal.verbosity") == null) System.setProperty("slf4j.internal.verbosity", "WARN");
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("kdive: " + e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        if (options.help) {
            System.out.println(Options.USAGE);
            return;
        }
        if (options.version) {
            System.out.println("kdive " + version());
            return;
        }
        CacheDir.followHome();
        Path cache = cacheRoot();
        Path home;
        try {
            home = home();
        } catch (URISyntaxException e) {
            System.err.println("kdive: cannot find the installation: " + e.getMessage());
            System.exit(3);
            return;
        }
        ClassDataStamp.start(home, !options.files.isEmpty() && !options.info && options.serve == null);
        if (options.stopServer) {
            int stopped = ServerClient.run(ServerClient.socket(cache, home, options), ServerClient.stopRequest());
            System.out.println(stopped == 0 ? "kdive: server stopped" : "kdive: no server running for this installation");
            return;
        }
        if (options.serve == null) {
            String bad = Inputs.problem(options);
            if (bad != null) {
                System.err.println(bad);
                System.exit(2);
                return;
            }
        }
        if (ServerClient.eligible(options)) {
            Path socket = ServerClient.socket(cache, home, options);
            Map<String, String> request = ServerClient.request(options);
            int served = ServerClient.run(socket, request);
            if (served >= 0) {
                System.out.flush();
                System.exit(served);
            }
            // none took it: this run goes on by itself, and leaves a server for the next ones
            if (served != ServerClient.REFUSED) Runtime.getRuntime().addShutdownHook(new Thread(() -> ServerClient.start(home, socket, request), "kdive-start-server"));
        }
        String cacheProblem = CacheDir.unusable(cache);
        if (cacheProblem != null) {
            // said once; the bundles' own complaints about writing there go to the log only
            System.err.println("WARNING: kdive: cannot use the cache directory " + cache + " (" + cacheProblem
                    + "): running without caching");
            LogSink.quietAbout(cache.toString());
        }
        Path logFile = options.logFile != null ? options.logFile
                : cacheProblem != null ? null : cache.resolve(options.serve != null ? "kdive-server.log" : "kdive.log");
        LogSink.configure(options.verbose ? Level.INFO : Level.WARN, Level.DEBUG, logFile);
        if (options.serve != null) LogSink.serverMode();
        org.kdive.launcher.log.JulBridge.install();
        Logger log = LoggerFactory.getLogger(Main.class);
        int status;
        try {
            status = run(options, home, cache, cacheProblem == null, log, t0);
        } catch (Exception e) {
            log.debug("launcher failed", e);
            System.err.println("kdive: " + e.getMessage() + LogSink.seeLog());
            status = 3;
        }
        LogSink.flush();
        System.out.flush();
        System.exit(status);
    }

    static int run(Options options, Path home, Path cache, boolean caching, Logger log, long t0) throws Exception {
        if (options.serve != null && !ServerClient.lockFree(Paths.get(options.serve + ".lock"))) {
            log.debug("a kdive server for {} is up already", options.serve);
            return 0; // before the framework's start: parallel runs may each have started one
        }
        Map<String, Object> config = new HashMap<>();
        // a server keeps its framework cache locked while it runs: it gets one of its own
        Path storage = cache.resolve("felix").resolve(Integer.toHexString(home.toAbsolutePath().normalize().toString().hashCode())
                + (options.serve != null ? "-server" : ""));
        RandomAccessFile lockFile = null;
        FileLock lock = null;
        if (caching) {
            Files.createDirectories(storage);
            lockFile = new RandomAccessFile(storage.resolve("lock").toFile(), "rw");
            lock = lockFile.getChannel().tryLock();
        }
        // A second kdive running on the same installation, or one without a cache directory, gets a
        // private, throw-away cache.
        if (lock == null) {
            Path temporary = Files.createTempDirectory("kdive-felix");
            storage = temporary;
            config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> CacheDir.deleteTree(temporary), "kdive-felix-cleanup"));
        }
        config.put(Constants.FRAMEWORK_STORAGE, storage.resolve("cache").toString());
        config.put("kdive.felix.storage", storage.resolve("cache").toString());
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, List.of("org.slf4j", "org.slf4j.spi", "org.slf4j.helpers", "org.slf4j.event")
                .stream().map(p -> p + ";version=" + SLF4J_VERSION).collect(Collectors.joining(","))
                // pure-Java decompressors embedded in bundles use Unsafe when it is there
                + ",sun.misc");
        config.put("felix.log.logger", new FelixLogBridge());
        config.put("felix.log.level", "1");
        Path plugins = home.resolve("plugins");
        config.put("felix.fileinstall.dir", plugins.toString());
        config.put("felix.fileinstall.poll", "1000");
        config.put("felix.fileinstall.noInitialDelay", "true");
        // plain polling: an inotify thread sits in native code, and the JVM waits 300 ms for such
        // threads when it exits
        config.put("felix.fileinstall.disableNio2", "true");
        config.put("felix.fileinstall.bundles.new.start", "true");
        config.put("felix.fileinstall.log.level", "1");
        config.put("felix.fileinstall.tmpdir", storage.resolve("fileinstall-tmp").toString());
        config.put("ds.loglevel", "warn");
        // bundles with DS components start at level 2, after SCR and the log service (BundleSync)
        config.put(Constants.FRAMEWORK_BEGINNING_STARTLEVEL, Integer.toString(BundleSync.COMPONENTS_LEVEL));
        config.put("felix.startlevel.bundle", Integer.toString(BundleSync.COMPONENTS_LEVEL));
        // SCR keeps parsed component descriptions in the framework cache: no XML parsing on later starts
        config.put("ds.cache.metadata", "true");
        config.put("kdive.home", home.toString());
        config.put("kdive.cache", cache.toString());
        config.put("kdive.plugins.dirs", String.join(File.pathSeparator, options.pluginDirs));
        config.put("kdive.etc", home.resolve("etc").toString());
        config.put("kdive.files", String.join(File.pathSeparator, options.files));
        if (options.commands != null) config.put("kdive.commands", options.commands);
        if (options.script != null) config.put("kdive.script", options.script);
        config.put("kdive.info", Boolean.toString(options.info));
        config.put("kdive.json", Boolean.toString(options.json));
        config.put("kdive.fetch", Boolean.toString(options.fetch));
        if (options.serve != null) {
            config.put("kdive.serve", options.serve);
            String idle = System.getenv("KDIVE_SERVER_IDLE");
            config.put("kdive.serve.idle", idle != null && idle.matches("[0-9]{1,7}") ? idle : "600");
            // the launcher script's own door (bin/kdive names the file it will look for)
            String scriptDoor = System.getProperty("kdive.serve.script");
            if (scriptDoor != null && !scriptDoor.isBlank()) config.put("kdive.serve.script", scriptDoor);
        } else {
            config.put("kdive.interactive", Boolean.toString(options.interactive()));
        }
        config.put("kdive.launch.nanos", Long.toString(t0));
        System.setProperty("kdive.cache", cache.toString());
        // the DWARF name index lives in the cache directory too, unless told otherwise
        if (System.getProperty("kdive.index.dir") == null) {
            String indexDir = System.getenv("KDIVE_INDEX_DIR");
            System.setProperty("kdive.index.dir", indexDir != null && !indexDir.isBlank() ? indexDir : cache.resolve("index").toString());
        }
        System.setProperty("kdive.launcher", "true"); // the shell may end the JVM when it is done

        log.debug("launcher configured at {} ms", (System.nanoTime() - t0) / 1_000_000);
        Felix felix = new Felix(config);
        log.debug("framework created at {} ms", (System.nanoTime() - t0) / 1_000_000);
        felix.init();
        log.debug("framework initialised at {} ms", (System.nanoTime() - t0) / 1_000_000);
        if (log.isDebugEnabled()) {
            felix.getBundleContext().addBundleListener(e -> {
                if (e.getType() == org.osgi.framework.BundleEvent.STARTED) {
                    log.debug("started {} at {} ms", e.getBundle().getSymbolicName(), (System.nanoTime() - t0) / 1_000_000);
                }
            });
        }
        if (options.serve != null) {
            java.util.Dictionary<String, Object> props = new java.util.Hashtable<>();
            props.put(ScriptRequests.PROPERTY, "true");
            felix.getBundleContext().registerService(java.util.function.BiFunction.class,
                    new ScriptRequests(cache, home, Paths.get(options.serve).toAbsolutePath()), props);
        }
        BundleSync sync = new BundleSync(felix.getBundleContext(), home.resolve("bundles"), log);
        List<Path> dropIns = new java.util.ArrayList<>();
        dropIns.add(plugins);
        options.pluginDirs.forEach(d -> dropIns.add(Paths.get(d).toAbsolutePath()));
        sync.installAll(dropIns);
        sync.startAll();
        log.debug("bundles installed at {} ms", (System.nanoTime() - t0) / 1_000_000);
        // one resolver run for every bundle, not one per bundle as each is started (~50 ms less)
        felix.adapt(org.osgi.framework.wiring.FrameworkWiring.class).resolveBundles(null);
        log.debug("bundles resolved at {} ms", (System.nanoTime() - t0) / 1_000_000);
        felix.start();
        log.debug("framework started at {} ms", (System.nanoTime() - t0) / 1_000_000);
        log.debug("framework up in {} ms", (System.nanoTime() - t0) / 1_000_000);
        if (!awaitShell(felix)) {
            System.err.println("kdive: the shell did not start:");
            for (org.osgi.framework.Bundle b : felix.getBundleContext().getBundles()) {
                if (b.getState() == org.osgi.framework.Bundle.ACTIVE || b.getHeaders().get(Constants.FRAGMENT_HOST) != null
                        || "org.apache.felix.gogo.jline".equals(b.getSymbolicName())) continue;
                try {
                    b.start();
                } catch (BundleException | RuntimeException e) {
                    System.err.println("  " + b.getSymbolicName() + ": " + e.getMessage());
                }
            }
            if (LogSink.filePath() != null) System.err.println("(details in " + LogSink.filePath() + ")");
            felix.stop();
            felix.waitForStop(5000);
            return 3;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                // the shell ends the JVM itself once it has closed its session: nothing left to stop
                if (!Boolean.getBoolean("kdive.shell.done") && felix.getState() == org.osgi.framework.Bundle.ACTIVE) {
                    felix.stop();
                    felix.waitForStop(5000);
                }
            } catch (BundleException | InterruptedException e) {
                // exiting anyway
            }
            LogSink.flush();
        }, "kdive-shutdown"));
        FrameworkEvent stopped = felix.waitForStop(0);
        if (stopped.getType() == FrameworkEvent.ERROR) {
            log.error("framework stopped with an error: {}", String.valueOf(stopped.getThrowable()));
            return 3;
        }
        if (lock != null) lock.release();
        if (lockFile != null) lockFile.close();
        return Integer.getInteger("kdive.exit", 0);
    }

    /** The shell bundle says it runs by setting kdive.shell.running; a broken install must not hang. */
    private static boolean awaitShell(Felix felix) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.getProperty("kdive.shell.running") == null) {
            if (System.currentTimeMillis() > deadline || felix.getState() != org.osgi.framework.Bundle.ACTIVE) {
                return System.getProperty("kdive.shell.running") != null;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /** The installation: the folder above lib/ that holds this launcher, or -Dkdive.home. */
    static Path home() throws URISyntaxException {
        String prop = System.getProperty("kdive.home");
        if (prop != null) return Paths.get(prop).toAbsolutePath();
        Path jar = Paths.get(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return jar.getParent().getParent().toAbsolutePath();
    }

    /** $KDIVE_CACHE, else ~/.cache/kdive. */
    static Path cacheRoot() {
        return CacheDir.root();
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
