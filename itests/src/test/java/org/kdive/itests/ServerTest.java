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

    @Test
    void otherSettingsGetAnotherServerAndStopServerEndsOne(@TempDir Path other) throws Exception {
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
        Kdive.Run stop = Kdive.run(Kdive.distro(), otherEnv, "--stop-server");
        assertEquals("kdive: server stopped\n", stop.out());
        deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline && hasSocket(dir)) Thread.sleep(100);
        assertFalse(hasSocket(dir), "the stopped server removed its socket");
        awaitExit(other);
    }

    private static boolean hasSocket(Path dir) throws Exception {
        return Files.isDirectory(dir) && socketIn(dir) != null;
    }

    private static Path socketIn(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".sock")).findFirst().orElse(null);
        }
    }
}
