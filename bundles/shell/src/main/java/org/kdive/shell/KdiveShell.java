package org.kdive.shell;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import org.apache.felix.gogo.jline.Builtin;
import org.apache.felix.gogo.jline.Posix;
import org.apache.felix.gogo.jline.Procedural;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.apache.felix.service.threadio.ThreadIO;
import org.kdive.api.KdiveException;
import org.kdive.api.session.OpenRequest;
import org.kdive.api.session.SessionService;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The front end: once the framework is up, opens the dump named on the command line and runs
 * the batch commands or the interactive loop, then stops the framework with an exit status.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, immediate = true)
public class KdiveShell {
    private static final Logger LOG = LoggerFactory.getLogger(KdiveShell.class);
    static final String SCOPE_PATH = "kdive:gogo:*";

    @Reference
    CommandProcessor processor;
    @Reference
    SessionService sessions;
    @Reference
    CommandRegistry registry;
    @Reference
    DropIns dropIns;

    private final List<ServiceRegistration<?>> gogoCommands = new ArrayList<>();
    @Reference
    ThreadIO threadIO;

    private BundleContext context;
    private Thread thread;
    private volatile ServerLoop server;

    @Activate
    void activate(BundleContext ctx) {
        context = ctx;
        registerGogoCommands();
        if (ctx.getProperty("kdive.serve") != null) {
            thread = new Thread(this::serve, "kdive-server");
            thread.start();
            return;
        }
        if (ctx.getProperty("kdive.interactive") == null) {
            return; // embedded without the launcher (e.g. tests that drive sessions themselves)
        }
        thread = new Thread(this::main, "kdive-shell");
        thread.start();
    }

    @Deactivate
    void deactivate() {
        for (ServiceRegistration<?> r : gogoCommands) {
            try {
                r.unregister();
            } catch (IllegalStateException e) {
                // gone already
            }
        }
        if (server != null) server.stop();
        if (thread != null && thread != Thread.currentThread()) thread.interrupt();
    }

    /** gogo.jline's command sets (grep, cat, head, each, if …) without its own console. */
    private void registerGogoCommands() {
        // less and clear need a terminal: kdive's own (LineFilters) work without one too
        register(new Posix(processor), "cat", "echo", "grep", "sort", "sleep", "cd", "pwd", "ls", "wc", "date");
        register(new Builtin(), "format", "getopt", "new", "tac", "type", "history");
        register(new Procedural(), "each", "if", "not", "throw", "try", "until", "while", "break", "continue");
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(CommandProcessor.COMMAND_SCOPE, "kdive");
        props.put(CommandProcessor.COMMAND_FUNCTION, new String[] {"head", "tail", "grep", "clear", "less"});
        gogoCommands.add(context.registerService(Object.class.getName(), new LineFilters(), props));
    }

    private void register(Object target, String... functions) {
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(CommandProcessor.COMMAND_SCOPE, "gogo");
        props.put(CommandProcessor.COMMAND_FUNCTION, functions);
        gogoCommands.add(context.registerService(Object.class.getName(), target, props));
    }

    private void main() {
        int status;
        System.setProperty("kdive.shell.running", "true");
        try {
            awaitFramework();
            dropIns.awaitInitialScan(5000);
            dropIns.sweep();
            java.io.PrintStream out = new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true);
            java.io.PrintStream err = new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true);
            status = run(context::getProperty, new java.io.FileInputStream(java.io.FileDescriptor.in), out, err, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (RuntimeException e) {
            LOG.error("shell failed", e);
            status = 3;
        }
        System.setProperty("kdive.exit", Integer.toString(status));
        System.out.flush();
        // What a run leaves behind is written by now or goes with the session. Stopping 30+ bundles
        // one by one would add ~150 ms to every batch run for nothing: the JVM just ends.
        try {
            sessions.close();
        } catch (RuntimeException e) {
            LOG.debug("closing the session failed", e);
        }
        if (Boolean.getBoolean("kdive.launcher") && !scrCacheStale()) {
            System.setProperty("kdive.shell.done", "true");
            System.exit(status);
        }
        stopFramework();
    }

    /** The server's thread: serves runs until idle, then stops the framework (the JVM ends with it). */
    private void serve() {
        Path socket = Paths.get(context.getProperty("kdive.serve"));
        long idle = Long.parseLong(java.util.Objects.requireNonNullElse(context.getProperty("kdive.serve.idle"), "600"));
        server = new ServerLoop(socket, idle * 1000, this::runForClient);
        String portFile = context.getProperty("kdive.serve.script");
        java.util.function.BiFunction<java.util.Map<String, String>, List<String>, java.util.Map<String, String>> parser = scriptRequests();
        if (portFile != null && parser != null) server.scriptDoor(Paths.get(portFile), parser);
        System.setProperty("kdive.shell.running", "true");
        try {
            awaitFramework();
            dropIns.awaitInitialScan(5000);
            dropIns.sweep();
            server.serve();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (IOException | RuntimeException e) {
            LOG.error("kdive server on {} failed", socket, e);
        }
        stopFramework();
    }

    /** The launcher's parser of the script's command lines (registered by a launcher started to serve). */
    @SuppressWarnings("unchecked")
    private java.util.function.BiFunction<java.util.Map<String, String>, List<String>, java.util.Map<String, String>> scriptRequests() {
        try {
            var refs = context.getServiceReferences(java.util.function.BiFunction.class, "(kdive.script.requests=true)");
            return refs.isEmpty() ? null : context.getService(refs.iterator().next());
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One client's batch run: System.out/err of this thread and its children go to the client. */
    private int runForClient(java.util.Map<String, String> request, Path cwd, java.io.PrintStream out, java.io.PrintStream err) {
        threadIO.setStreams(InputStream.nullInputStream(), out, err);
        try {
            return run(request::get, InputStream.nullInputStream(), out, err, cwd);
        } catch (RuntimeException e) {
            LOG.error("run failed", e);
            err.println("kdive: " + e.getMessage() + " (details in the server's log)");
            return 3;
        } finally {
            try {
                sessions.close();
            } catch (RuntimeException e) {
                LOG.debug("closing the session failed", e);
            }
            out.flush();
            threadIO.close();
        }
    }

    /**
     * One run: opens the files, then runs the batch, dumpinfo or the interactive loop.
     *
     * @param request the run's settings by framework property name (kdive.files, kdive.commands ...)
     * @param out stdout; the real descriptor in a run of its own (System.out is Gogo's per-thread
     *     stream and would write into itself), the client's in a server
     * @param cwd the client's working directory in a server, else null
     */
    private int run(java.util.function.Function<String, String> request, InputStream in, java.io.PrintStream out,
            java.io.PrintStream err, Path cwd) {
        boolean interactive = Boolean.parseBoolean(request.apply("kdive.interactive"));
        boolean json = Boolean.parseBoolean(request.apply("kdive.json"));
        boolean info = Boolean.parseBoolean(request.apply("kdive.info"));
        CommandSession session = processor.createSession(in, out, err);
        if (cwd != null) session.currentDir(cwd);
        try {
            return run(session, request, info, interactive, json, out, err);
        } finally {
            if (cwd != null) session.close(); // a server's; a run of its own ends with the JVM
        }
    }

    private int run(CommandSession session, java.util.function.Function<String, String> request, boolean info,
            boolean interactive, boolean json, java.io.PrintStream out, java.io.PrintStream err) {
        session.put("SCOPE", SCOPE_PATH);
        if (System.console() == null) {
            // Gogo takes its streams for a terminal; no colour codes into files and pipes
            session.put("GREP_COLORS", "none=0");
            session.put("LS_COLORS", "none=0");
        }
        if (json) session.put(CommandFunction.OUTPUT, "json");
        session.put(ShellContext.FETCH, String.valueOf(Boolean.parseBoolean(request.apply("kdive.fetch"))));
        String launched = context.getProperty("kdive.launch.nanos");
        if (launched != null && context.getProperty("kdive.serve") == null) {
            LOG.debug("shell ready {} ms after launch", (System.nanoTime() - Long.parseLong(launched)) / 1_000_000);
        }
        List<Path> files = new ArrayList<>();
        String f = request.apply("kdive.files");
        if (f != null && !f.isEmpty()) {
            for (String s : f.split(File.pathSeparator)) files.add(Paths.get(s));
        }
        if (!files.isEmpty()) {
            try {
                open(files, !info && Boolean.parseBoolean(request.apply("kdive.fetch")), info, err);
            } catch (KdiveException | IOException e) {
                err.println("kdive: " + e.getMessage());
                if (!interactive) return 2;
            }
        } else if (info) {
            err.println("kdive: --info needs a dump file");
            return 2;
        }
        Runner runner = new Runner(session, registry, out, err);
        if (info) {
            return runner.runAll(List.of("dumpinfo"));
        }
        if (!interactive) {
            String commands = request.apply("kdive.commands");
            if (commands != null) runner.runAll(List.of(commands));
            String script = request.apply("kdive.script");
            if (script != null && runner.status() != Failures.CANCELLED) {
                try {
                    CommandFile.run(Paths.get(script), runner);
                } catch (IOException e) {
                    String why = e instanceof java.nio.file.NoSuchFileException ? "no such file"
                            : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.getMessage();
                    err.println("kdive: cannot read " + script + ": " + why);
                    return Failures.CANNOT_START;
                }
            }
            return runner.status();
        }
        session.put(RepeatCommand.INTERACTIVE, Boolean.TRUE); // repeat may run until Ctrl-C only here
        new Repl(runner, registry, sessions, dropIns, this::kernelTasks).loop();
        return 0;
    }

    private java.util.Optional<org.kdive.api.kernel.KernelTasks> kernelTasks() {
        org.osgi.framework.ServiceReference<org.kdive.api.kernel.KernelTasks> ref = context.getServiceReference(org.kdive.api.kernel.KernelTasks.class);
        return ref == null ? java.util.Optional.empty() : java.util.Optional.ofNullable(context.getService(ref));
    }

    /** Sorts the command line's files into dump part(s) and a vmlinux, as crash does. */
    void open(List<Path> files, boolean fetch, boolean dumpOnly, java.io.PrintStream err) throws IOException {
        List<Path> dumps = new ArrayList<>();
        Path vmlinux = null;
        for (Path p : files) {
            if (!Files.isRegularFile(p)) throw new KdiveException(p + ": no such file");
            if (!dumpOnly && vmlinux == null && isDebugObject(p)) vmlinux = p;
            else if (!isDebugObject(p)) dumps.add(p);
        }
        if (dumps.isEmpty()) throw new KdiveException("no dump file among " + files);
        org.kdive.api.session.Session s = sessions.open(dumpOnly ? OpenRequest.describeOnly(dumps) : new OpenRequest(dumps, vmlinux, fetch));
        if (!dumpOnly) {
            for (String w : s.warnings()) err.println("WARNING: " + w);
        }
    }

    /** An ELF executable or shared object (vmlinux) rather than an ELF core or another format. */
    static boolean isDebugObject(Path p) throws IOException {
        byte[] h = new byte[18];
        try (InputStream in = Files.newInputStream(p)) {
            if (in.readNBytes(h, 0, h.length) < h.length) return false;
        }
        boolean elf = h[0] == 0x7f && h[1] == 'E' && h[2] == 'L' && h[3] == 'F';
        int type = (h[16] & 0xff) | (h[17] & 0xff) << 8;
        return elf && type != 4; // ET_CORE is a dump
    }

    private void awaitFramework() throws InterruptedException {
        Bundle system = context.getBundle(0);
        long deadline = System.currentTimeMillis() + 30_000;
        while (system.getState() != Bundle.ACTIVE && System.currentTimeMillis() < deadline) {
            Thread.sleep(5);
        }
    }

    /**
     * Felix SCR saves its component-metadata cache (which spares every later start the parsing of
     * each bundle's component XML) only when it stops. While that cache is missing, or older than
     * a bundle installed since, kdive stops the framework properly on exit.
     */
    private boolean scrCacheStale() {
        String storage = context.getProperty("kdive.felix.storage");
        if (storage == null) return true;
        Bundle[] bundles = context.getBundles();
        for (Bundle b : bundles) {
            if (!"org.apache.felix.scr".equals(b.getSymbolicName())) continue;
            Path store = Paths.get(storage, "bundle" + b.getBundleId(), "data", "componentMetadataStore");
            try {
                long saved = Files.getLastModifiedTime(store).toMillis();
                for (Bundle o : bundles) {
                    if (o.getLastModified() > saved) return true;
                }
                return false;
            } catch (IOException e) {
                return true;
            }
        }
        return false;
    }

    private void stopFramework() {
        Thread t = new Thread(() -> {
            try {
                context.getBundle(0).stop();
            } catch (Exception e) {
                LOG.debug("stopping the framework failed", e);
            }
        }, "kdive-stop");
        t.start();
    }

    static String format(CommandSession session, Object result) {
        CharSequence cs = session.format(result, Converter.INSPECT);
        return cs == null ? String.valueOf(result) : cs.toString();
    }
}
