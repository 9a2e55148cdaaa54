package org.kdive.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdive.test.Corpus;

/**
 * The kdive server through the real bin/kdive: the first batch run starts it, later runs are
 * served by it (proved by their starting no framework: no kdive.log of their own) and print
 * exactly what a run of its own prints, stderr and status included; relative file names mean the
 * caller's directory; concurrent runs, a killed server and --stop-server all leave runs working.
 * Runs whose output and errors are pipes or terminals are handed over by bin/kdive itself, with no
 * JVM of their own (the server's door for the launcher script); others by the launcher's client.
 */
class ServerTest {
    private static final String DUMP = Corpus.file("vmcore.kdump-zlib").toString();
    private static final String VMLINUX = Corpus.vmlinux().toString();
    private static final String COMMANDS = "sys; bt; p jiffies; mod; nosuchcommand; struct vqb_virtqueue";

    @TempDir
    static Path cache;
    private static List<String> env;

    @BeforeAll
    static void firstRunStartsTheServer() throws Exception {
        env = List.of("KDIVE_CACHE=" + cache, "KDIVE_SERVER=on", "KDIVE_SERVER_IDLE=300");
        Kdive.Run first = Kdive.run(Kdive.distro(), env, DUMP, VMLINUX, "-c", COMMANDS);
        assertEquals(1, first.status(), first.all()); // nosuchcommand fails
        awaitServer();
    }

    @AfterAll
    static void stopServer() throws Exception {
        Kdive.run(Kdive.distro(), env, "--stop-server");
        awaitExit(cache);
    }

    /** Waits till every server with its socket under {@code dir} has ended, before the directory goes. */
    private static void awaitExit(Path dir) throws Exception {
        for (ProcessHandle p : servers(dir)) p.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
    }

    private static List<ProcessHandle> servers(Path dir) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains("--serve " + dir)).orElse(false))
                .collect(java.util.stream.Collectors.toList());
    }

    /** The socket exists and the warm-up run (a repeat of the starting run) is over. */
    private static Path awaitServer() throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            Optional<Path> socket = serverFile(".sock");
            if (socket.isPresent() && serverFile(".warmup").isEmpty()) return socket.get();
            Thread.sleep(100);
        }
        throw new AssertionError("no kdive server came up under " + cache);
    }

    private static Optional<Path> serverFile(String suffix) throws Exception {
        Path dir = cache.resolve("server");
        if (!Files.isDirectory(dir)) return Optional.empty();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).findFirst();
        }
    }

    /** A run the server took: it left no log of a framework start of its own. */
    private static Kdive.Run served(Path cwd, String... args) throws Exception {
        Files.deleteIfExists(cache.resolve("kdive.log"));
        Kdive.Run r = Kdive.run(Kdive.distro(), cwd, env, args);
        assertFalse(Files.exists(cache.resolve("kdive.log")), "the run started a framework itself: " + r.all());
        return r;
    }

    private static Kdive.Run alone(Path cwd, String... args) throws Exception {
        List<String> offEnv = new ArrayList<>(env);
        offEnv.set(1, "KDIVE_SERVER=off");
        return Kdive.run(Kdive.distro(), cwd, offEnv, args);
    }

    @Test
    void servedRunPrintsWhatARunOfItsOwnPrints() throws Exception {
        awaitServer();
        Kdive.Run own = alone(null, DUMP, VMLINUX, "-c", COMMANDS);
        Kdive.Run viaServer = served(null, DUMP, VMLINUX, "-c", COMMANDS);
        assertEquals(own.out(), viaServer.out());
        assertEquals(own.err(), viaServer.err());
        assertEquals(own.status(), viaServer.status());
        assertTrue(viaServer.out().contains("PANIC: \"kernel BUG at"), viaServer.out());
        assertTrue(viaServer.err().contains("nosuchcommand: command not found"), viaServer.err());

        Kdive.Run json = served(null, "--json", "--no-fetch", DUMP, "-c", "sys");
        assertEquals(alone(null, "--json", "--no-fetch", DUMP, "-c", "sys").out(), json.out());
        assertEquals(0, json.status());
    }

    @Test
    void relativeNamesMeanTheCallersDirectory(@TempDir Path work) throws Exception {
        awaitServer();
        Files.createSymbolicLink(work.resolve("dump"), Path.of(DUMP));
        Files.createSymbolicLink(work.resolve("vqbug.ko.debug"), Corpus.file("vqbug.ko.debug"));
        Files.writeString(work.resolve("steps.txt"), "mod -s vqbug vqbug.ko.debug\nstruct -o vqb_vring_virtqueue\n");
        Kdive.Run viaServer = served(work, "dump", VMLINUX, "-i", "steps.txt");
        assertEquals(0, viaServer.status(), viaServer.all());
        assertTrue(viaServer.out().contains("vqbug.ko.debug"), viaServer.out());
        assertTrue(viaServer.out().contains("struct vqb_vring_virtqueue {"), viaServer.out());
        assertEquals(alone(work, "dump", VMLINUX, "-i", "steps.txt").out(), viaServer.out());
    }

    @Test
    void concurrentRunsAllGetTheirOwnAnswer() throws Exception {
        awaitServer();
        String expected = alone(null, DUMP, VMLINUX, "-c", "sym jiffies; task").out();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Kdive.Run>> runs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                runs.add(pool.submit(() -> Kdive.run(Kdive.distro(), null, env, DUMP, VMLINUX, "-c", "sym jiffies; task")));
            }
            for (Future<Kdive.Run> f : runs) {
                Kdive.Run r = f.get();
                assertEquals(0, r.status(), r.all());
                assertEquals(expected, r.out());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aKilledServerLeavesRunsWorkingAndIsReplaced() throws Exception {
        Path socket = awaitServer();
        ProcessHandle server = servers(socket.getParent()).stream().findFirst()
                .orElseThrow(() -> new AssertionError("no server process for " + socket));
        server.destroyForcibly();
        server.onExit().get();
        assertTrue(Files.exists(socket), "a killed server leaves its socket");
        Kdive.Run r = Kdive.run(Kdive.distro(), env, "--no-fetch", DUMP, "-c", "sys");
        assertEquals(0, r.status(), r.all());
        assertTrue(r.out().contains("RELEASE: 6.1.0-50-cloud-amd64"), r.out());
        Path again = awaitServer();
        assertEquals(socket, again, "the run started a new server on the same socket");
        assertTrue(served(null, "--no-fetch", DUMP, "-c", "sys").out().contains("RELEASE: 6.1.0-50-cloud-amd64"));
    }

    /**
     * A run whose client is killed stops within a second (issue 14: it went on for minutes, to
     * 3 GB): the server's CPU time stops growing, its resident set does not keep growing, and it
     * serves the next run.
     */
    @Test
    void aRunWhoseClientIsKilledStopsWithinASecond() throws Exception {
        Path socket = awaitServer();
        ProcessHandle server = servers(socket.getParent()).stream().findFirst()
                .orElseThrow(() -> new AssertionError("no server process for " + socket));
        Process client = longRun(env);
        client.destroyForcibly();
        client.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        Thread.sleep(1000);
        long cpu = cpuMillis(server);
        long rss = rssKiB(server);
        Thread.sleep(1500);
        long busy = cpuMillis(server) - cpu;
        assertTrue(busy < 150, "the server went on working " + busy + " ms of CPU in 1.5 s, a second after its client was killed");
        assertTrue(rssKiB(server) < rss + 20_000, "resident " + rss + " kB, then " + rssKiB(server) + " kB");
        assertTrue(served(null, "--no-fetch", DUMP, "-c", "sys").out().contains("RELEASE: 6.1.0-50-cloud-amd64"));
    }

    /** Starts a run that prints for a long time, through the server; returns once it printed. */
    private static Process longRun(List<String> runEnv) throws Exception {
        String task = null;
        for (String line : alone(null, "--no-fetch", DUMP, "-c", "ps").out().split("\n")) {
            String[] f = line.replace('>', ' ').trim().split("\\s+");
            if (f.length > 3 && f[0].equals("1")) task = f[3]; // init's task_struct: derived from this dump
        }
        assertTrue(task != null && task.matches("[0-9a-f]{16}"), "no task of PID 1 in ps");
        Process p = Kdive.builder(Kdive.distro(), null, runEnv, DUMP, VMLINUX, "-c", "struct task_struct " + task + " -c 100000")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        java.io.InputStream out = p.getInputStream();
        byte[] some = out.readNBytes(64 * 1024); // the run is under way (streamed), not in its first set-up
        assertEquals(64 * 1024, some.length, "the long run ended early: " + new String(some, java.nio.charset.StandardCharsets.UTF_8));
        Thread t = new Thread(() -> {
            try {
                out.transferTo(java.io.OutputStream.nullOutputStream());
            } catch (java.io.IOException e) {
                // killed
            }
        });
        t.setDaemon(true);
        t.start();
        return p;
    }

    /**
     * User plus system CPU time of a process's threads (Linux: /proc/PID/task/TID/stat, clock ticks
     * of 10 ms), but for the JVM's compiler and collector threads, which finish their queues after a
     * run whether it was cancelled or not.
     */
    private static long cpuMillis(ProcessHandle p) throws Exception {
        long ticks = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + p.pid() + "/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(t.resolve("stat"));
                } catch (java.nio.file.NoSuchFileException e) {
                    continue; // ended meanwhile
                }
                String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler") || comm.startsWith("GC Thread")
                        || comm.startsWith("VM Thread")) continue;
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            }
        }
        return ticks * 10;
    }

    private static long rssKiB(ProcessHandle p) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + p.pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        throw new AssertionError("no VmRSS for " + p.pid());
    }

    @Test
    void otherSettingsGetAnotherServerAndStopServerEndsOneEvenBusy(@TempDir Path other) throws Exception {
        awaitServer();
        List<String> otherEnv = List.of("KDIVE_CACHE=" + other, "KDIVE_SERVER=on", "KDIVE_SERVER_IDLE=300");
        Kdive.Run stopNone = Kdive.run(Kdive.distro(), otherEnv, "--stop-server");
        assertEquals("kdive: no server running for this installation\n", stopNone.out());
        Kdive.run(Kdive.distro(), otherEnv, "-c", "help");
        long deadline = System.currentTimeMillis() + 120_000;
        Path dir = other.resolve("server");
        while (System.currentTimeMillis() < deadline && !hasSocket(dir)) Thread.sleep(100);
        assertTrue(hasSocket(dir), "a second server for the other cache");
        assertNotEquals(serverFile(".sock").orElseThrow().getFileName(), socketIn(dir).getFileName());
        while (System.currentTimeMillis() < deadline && warmingUp(dir)) Thread.sleep(100);
        Process busy = longRun(otherEnv); // (issue 14: --stop-server said no server was running)
        Kdive.Run stop = Kdive.run(Kdive.distro(), otherEnv, "--stop-server");
        assertEquals("kdive: server stopped\n", stop.out());
        assertTrue(busy.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "the busy run did not end with its server");
        deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline && hasSocket(dir)) Thread.sleep(100);
        assertFalse(hasSocket(dir), "the stopped server removed its socket");
        awaitExit(other);
    }

    private static boolean warmingUp(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith(".warmup"));
        }
    }

    private static boolean hasSocket(Path dir) throws Exception {
        return Files.isDirectory(dir) && socketIn(dir) != null;
    }

    private static Path socketIn(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".sock")).findFirst().orElse(null);
        }
    }

    /** The server's door for the launcher script is open (after its warm-up): its port file. */
    private static Path awaitScriptDoor() throws Exception {
        awaitServer();
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            Optional<Path> door = serverFile(".script");
            if (door.isPresent()) return door.get();
            Thread.sleep(100);
        }
        throw new AssertionError("the server opened no door for the launcher script under " + cache);
    }

    private static long scriptRuns() throws Exception {
        Path log = cache.resolve("kdive-server.log");
        if (!Files.exists(log)) return 0;
        try (Stream<String> lines = Files.lines(log)) {
            return lines.filter(l -> l.contains("a run from the launcher script, pid")).count();
        }
    }

    /**
     * With pipes for output and errors (as here), bin/kdive hands the run over itself: the server
     * logs it as the script's, no JVM starts for it, and stdout and stderr keep their order when
     * they are one pipe (the server writes into the script's own descriptors).
     */
    @Test
    void theLauncherScriptHandsPipedRunsOverWithoutAJvm() throws Exception {
        Path door = awaitScriptDoor();
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(door)));
        long before = scriptRuns();
        Kdive.Run viaScript = served(null, "--no-fetch", DUMP, "-c", "p jiffies; nosuchcommand; sym jiffies");
        assertEquals(before + 1, scriptRuns(), "the launcher script did not hand the run over: " + viaScript.all());
        Kdive.Run own = alone(null, "--no-fetch", DUMP, "-c", "p jiffies; nosuchcommand; sym jiffies");
        assertEquals(own.out(), viaScript.out());
        assertEquals(own.err(), viaScript.err());
        assertEquals(1, viaScript.status());

        ProcessBuilder merged = Kdive.builder(Kdive.distro(), null, env, DUMP, VMLINUX, "-c", "p jiffies; nosuchcommand; sym jiffies")
                .redirectErrorStream(true);
        Process p = merged.start();
        String both = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(1, p.waitFor());
        assertEquals(before + 2, scriptRuns());
        String[] lines = both.split("\n");
        assertTrue(lines.length == 3 && lines[0].startsWith("jiffies = ") && lines[1].contains("nosuchcommand: command not found")
                && lines[2].contains(" jiffies"), "out of order: " + both);
    }

    /** Output to a regular file is not the script's to hand over (another offset): the launcher's client serves it. */
    @Test
    void aRunPrintingIntoAFileIsServedByTheLaunchersClient(@TempDir Path work) throws Exception {
        awaitScriptDoor();
        long before = scriptRuns();
        Path file = work.resolve("out.txt");
        Files.writeString(file, "before\n");
        Process p = Kdive.builder(Kdive.distro(), null, env, "--no-fetch", DUMP, "-c", "sym jiffies")
                .redirectOutput(ProcessBuilder.Redirect.appendTo(file.toFile())).start();
        p.getErrorStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertEquals(0, p.waitFor());
        assertEquals(before, scriptRuns());
        assertEquals("before\n" + alone(null, "--no-fetch", DUMP, "-c", "sym jiffies").out(), Files.readString(file));
    }

    /** A connection to the door without the token of its port file gets no answer and runs nothing. */
    @Test
    void theScriptDoorRefusesARequestWithoutItsToken() throws Exception {
        Path door = awaitScriptDoor();
        String[] portAndToken = Files.readString(door).trim().split(" ");
        long before = scriptRuns();
        try (java.net.Socket s = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), Integer.parseInt(portAndToken[0]))) {
            s.setSoTimeout(10_000);
            String wrong = "0".repeat(portAndToken[1].length());
            s.getOutputStream().write(("KDV2 " + wrong + "\npid " + ProcessHandle.current().pid() + "\ncwd /\narg --info\narg " + DUMP
                    + "\nend\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            int answer;
            try {
                answer = s.getInputStream().read();
            } catch (java.net.SocketException e) {
                answer = -1; // closed with the request unread: reset
            }
            assertEquals(-1, answer, "the door answered a request without its token");
        }
        assertEquals(before, scriptRuns());
    }

    /**
     * The door is named after the installation alone, so the server itself checks that a request
     * comes from a script it was made for: the same java (the file the command leads to) and the
     * same settings variables; a request that differs in either is refused, and the script then
     * runs the launcher, which finds or starts the server of its own settings. The request here is
     * the script's, written by hand from the server's own command and environment
     * (/proc/PID/environ); its output goes into a pipe of a process of the test's.
     */
    @Test
    void theScriptDoorTakesOnlyRunsWithItsJavaAndSettings() throws Exception {
        Path door = awaitScriptDoor();
        List<ProcessHandle> server = servers(cache);
        assertEquals(1, server.size(), server.toString());
        String java = server.get(0).info().command().orElseThrow();
        List<String> environ = new ArrayList<>();
        for (String v : Files.readString(Path.of("/proc", Long.toString(server.get(0).pid()), "environ")).split("\0")) {
            if (v.contains("=") && !v.contains("\n")) environ.add(v);
        }
        List<String> other = new ArrayList<>(environ);
        other.add("KDIVE_ANOTHER_SETTING=1");
        assertEquals("refused", askDoor(door, "/bin/sh", environ).get(0), "another java");
        assertEquals("refused", askDoor(door, java, other).get(0), "other settings");
        List<String> taken = askDoor(door, java, environ);
        assertEquals(List.of("ok", "exit 0"), taken.subList(0, 2), taken.toString());
        assertEquals(alone(null, "--info", DUMP).out(), taken.get(2));
    }

    /** The script's request for `--info DUMP`: its reply lines, then what the run wrote into the output pipe. */
    private static List<String> askDoor(Path door, String javaCommand, List<String> environ) throws Exception {
        String[] portAndToken = Files.readString(door).trim().split(" ");
        Process holder = new ProcessBuilder("sleep", "60").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (java.net.Socket s = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), Integer.parseInt(portAndToken[0]))) {
            s.setSoTimeout(60_000);
            StringBuilder request = new StringBuilder("KDV2 " + portAndToken[1] + "\npid " + holder.pid() + "\ncwd /\njava " + javaCommand + "\n");
            for (String v : environ) request.append("env ").append(v.replace("\\", "\\\\")).append('\n');
            request.append("arg --info\narg ").append(DUMP).append("\nend\n");
            s.getOutputStream().write(request.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8));
            List<String> replies = new ArrayList<>();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                replies.add(line);
                if (!line.equals("ok")) break;
            }
            // the server flushed the run's output into the pipe before it said "exit"; the holder keeps it open
            java.io.InputStream out = holder.getInputStream();
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            while (out.available() > 0) got.write(out.readNBytes(out.available()));
            replies.add(got.toString(java.nio.charset.StandardCharsets.UTF_8));
            return replies;
        } finally {
            holder.destroyForcibly();
        }
    }
}
