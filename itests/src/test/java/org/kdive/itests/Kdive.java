package org.kdive.itests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs an installed kdive (bin/kdive) as a user would, capturing stdout, stderr and the status. */
final class Kdive {
    record Run(int status, String out, String err) {
        String all() { return out + err; }
    }

    private Kdive() {
    }

    static Path distro() {
        Path p = Paths.get(System.getProperty("kdive.distro", "../distro/default/target/kdive"));
        if (!Files.isExecutable(p.resolve("bin/kdive"))) {
            throw new IllegalStateException("no distribution at " + p + ": build it with mvn install");
        }
        return p;
    }

    static Path sample(String name) {
        return Paths.get(System.getProperty("kdive.samples", "target/samples")).resolve("kdive-sample-" + name + ".jar");
    }

    /** A copy of an installation, files with their times (for tests that change one). */
    static void copyInstallation(Path from, Path to) throws IOException {
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (java.nio.file.Files.isDirectory(p)) {
                    java.nio.file.Files.createDirectories(target);
                } else {
                    java.nio.file.Files.copy(p, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    static Run run(Path home, String... args) throws IOException, InterruptedException {
        return run(home, List.of(), args);
    }

    static Run run(Path home, List<String> env, String... args) throws IOException, InterruptedException {
        return run(home, null, env, args);
    }

    /**
     * Runs bin/kdive in {@code cwd} (null: this JVM's). Without KDIVE_SERVER in {@code env}, the run
     * neither uses nor starts a kdive server: only ServerTest's runs do.
     */
    static Run run(Path home, Path cwd, List<String> env, String... args) throws IOException, InterruptedException {
        ProcessBuilder pb = builder(home, cwd, env, args);
        List<String> cmd = pb.command();
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread t1 = pump(p.getInputStream(), out);
        Thread t2 = pump(p.getErrorStream(), err);
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("kdive did not finish in 240 s: " + cmd);
        }
        t1.join();
        t2.join();
        return new Run(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** bin/kdive as {@link #run} starts it (same environment), for a test that drives the process itself. */
    static ProcessBuilder builder(Path home, Path cwd, List<String> env, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(home.toAbsolutePath().resolve("bin/kdive").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (cwd != null) pb.directory(cwd.toFile());
        pb.environment().put("KDIVE_SERVER", "off");
        pb.environment().put("TZ", "UTC"); // the references' zone; kdive prints the local one, as crash
        for (String e : env) {
            int eq = e.indexOf('=');
            pb.environment().put(e.substring(0, eq), e.substring(eq + 1));
        }
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return pb;
    }

    static Thread pump(InputStream in, OutputStream out) {
        Thread t = new Thread(() -> {
            try {
                in.transferTo(out);
            } catch (IOException e) {
                // process ended
            }
        });
        t.start();
        return t;
    }

    /** The outputs of commands run in one batch on a made dump and its vmlinux, in order, and the run's stderr. */
    record Each(List<String> outputs, String err) {
    }

    private static final String SPLIT = "@@kdive-each-command@@";

    /**
     * Runs {@code setup} (e.g. crash's earlier mod -s; may be empty) and then every command in one
     * batch on {@code d} (its dump and vmlinux, in its folder), each output cut out at a marker line.
     */
    static Each runEach(org.kdive.test.MadeDump d, String setup, List<String> commands) throws IOException, InterruptedException {
        StringBuilder script = new StringBuilder(setup);
        script.append("echo ").append(SPLIT);
        for (String c : commands) script.append("; ").append(c).append("; echo ").append(SPLIT);
        Run r = run(distro(), d.dir(), List.of(), d.dump().toRealPath().toString(), d.vmlinux().toRealPath().toString(),
                "-c", script.toString());
        String[] parts = r.out().split("(?m)^" + SPLIT + "\n", -1);
        if (parts.length != commands.size() + 2) {
            org.junit.jupiter.api.Assertions.fail(d + ": kdive's output has " + parts.length + " parts for " + commands.size()
                    + " commands (status " + r.status() + "): " + r.err());
        }
        return new Each(List.of(parts).subList(1, commands.size() + 1), r.err());
    }
}
