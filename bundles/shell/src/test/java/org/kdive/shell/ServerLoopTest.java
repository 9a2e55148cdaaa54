package org.kdive.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's side of the socket, with real Unix sockets: frames and their order, hostile or
 * broken requests (which must not run anything nor stop the server), one run at a time, stop,
 * idle end, and one server per socket.
 */
class ServerLoopTest {
    @TempDir
    Path dir;
    private final AtomicInteger runs = new AtomicInteger();
    private volatile CountDownLatch hold = new CountDownLatch(0);
    /** Counted down when a run is interrupted (the commands' cancellation). */
    private final CountDownLatch cancelled = new CountDownLatch(1);
    private final List<ServerLoop> started = new ArrayList<>();
    private final List<CompletableFuture<Boolean>> serving = new ArrayList<>();

    /** Stops every loop and waits till each has removed its socket, before the directory goes. */
    @AfterEach
    void stopAll() throws Exception {
        started.forEach(ServerLoop::stop);
        for (CompletableFuture<Boolean> f : serving) f.handle((ok, e) -> ok).get(10, TimeUnit.SECONDS);
    }

    /** Echoes the commands: "a" on stdout, the commands on stderr, "c" on stdout; status 7. */
    private CompletableFuture<Boolean> start(Path socket, long idleMillis) throws Exception {
        ServerLoop loop = new ServerLoop(socket, idleMillis, (Map<String, String> req, Path cwd, java.io.PrintStream out,
                java.io.PrintStream err) -> {
            runs.incrementAndGet();
            try {
                hold.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                cancelled.countDown();
                Thread.currentThread().interrupt();
            }
            out.print("a in " + cwd + "\n");
            err.print(req.get("kdive.commands") + "\n");
            out.print("c\n");
            return 7;
        });
        started.add(loop);
        CompletableFuture<Boolean> served = CompletableFuture.supplyAsync(() -> {
            try {
                return loop.serve();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        serving.add(served);
        long deadline = System.currentTimeMillis() + 10_000;
        // a socket, not the regular file a test may have left there as a killed server's
        while (!(Files.exists(socket) && !Files.isRegularFile(socket)) && !served.isDone()
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        return served;
    }

    private static byte[] request(String cwd, String... kv) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.writeInt(ServerLoop.MAGIC);
        string(out, cwd);
        out.writeInt(kv.length / 2);
        for (String s : kv) string(out, s);
        return b.toByteArray();
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    /**
     * Sends a request, keeping the socket open as a client does till it has the answer; returns the
     * frames as text: "1:...", "2:...", "exit N", "busy", or "closed".
     */
    private static List<String> exchange(Path socket, byte[] bytes) throws IOException {
        return exchange(socket, bytes, false);
    }

    /** With {@code endInput}, the server sees the end of the stream after the bytes (cut-short requests). */
    private static List<String> exchange(Path socket, byte[] bytes, boolean endInput) throws IOException {
        List<String> frames = new ArrayList<>();
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            Channels.newOutputStream(ch).write(bytes);
            if (endInput) ch.shutdownOutput();
            DataInputStream in = new DataInputStream(Channels.newInputStream(ch));
            while (true) {
                int type;
                try {
                    type = in.readUnsignedByte();
                } catch (EOFException e) {
                    frames.add("closed");
                    return frames;
                }
                switch (type) {
                    case ServerLoop.OUT, ServerLoop.ERR -> frames.add(type + ":" + new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8));
                    case ServerLoop.EXIT -> {
                        frames.add("exit " + in.readInt());
                        return frames;
                    }
                    case ServerLoop.BUSY -> {
                        frames.add("busy");
                        return frames;
                    }
                    default -> throw new AssertionError("frame type " + type);
                }
            }
        }
    }

    @Test
    void runAnswersInOrderWithItsStatus() throws Exception {
        Path socket = dir.resolve("s.sock");
        start(socket, 60_000);
        List<String> frames = exchange(socket, request("/home/me", "kdive.commands", "sys; bt"));
        // stdout is buffered, but stderr flushes it first: the terminal sees them in order
        assertEquals(List.of("1:a in /home/me\n", "2:sys; bt\n", "1:c\n", "exit 7"), frames);
    }

    @Test
    void brokenRequestsRunNothingAndTheServerGoesOn() throws Exception {
        Path socket = dir.resolve("s.sock");
        start(socket, 60_000);
        byte[] good = request("/", "kdive.commands", "x");
        byte[] badMagic = good.clone();
        badMagic[0] ^= 1;
        ByteArrayOutputStream hugeString = new ByteArrayOutputStream();
        new DataOutputStream(hugeString).writeInt(ServerLoop.MAGIC);
        new DataOutputStream(hugeString).writeInt(Integer.MAX_VALUE);
        ByteArrayOutputStream tooMany = new ByteArrayOutputStream();
        DataOutputStream t = new DataOutputStream(tooMany);
        t.writeInt(ServerLoop.MAGIC);
        string(t, "/");
        t.writeInt(1_000_000);
        for (byte[] bad : List.of(new byte[0], new byte[] {1, 2}, badMagic, java.util.Arrays.copyOf(good, good.length - 1),
                hugeString.toByteArray(), tooMany.toByteArray())) {
            assertEquals(List.of("closed"), exchange(socket, bad, true));
        }
        assertEquals(0, runs.get(), "no broken request ran");
        assertEquals("exit 7", exchange(socket, good).get(3));
        assertEquals(1, runs.get());
    }

    @Test
    void aSecondClientIsToldBusyWhileARunGoesOn() throws Exception {
        Path socket = dir.resolve("s.sock");
        start(socket, 60_000);
        hold = new CountDownLatch(1);
        CompletableFuture<List<String>> first = CompletableFuture.supplyAsync(() -> {
            try {
                return exchange(socket, request("/", "kdive.commands", "first"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        while (runs.get() == 0) Thread.sleep(10);
        long t0 = System.nanoTime();
        assertEquals(List.of("busy"), exchange(socket, request("/", "kdive.commands", "second")));
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "busy within the wait for a turn");
        hold.countDown();
        assertEquals("2:first\n", first.get(10, TimeUnit.SECONDS).get(1));
        assertEquals(1, runs.get(), "the busy request did not run");
    }

    @Test
    void stopRequestEndsTheServerAndRemovesItsSocket() throws Exception {
        Path socket = dir.resolve("s.sock");
        CompletableFuture<Boolean> served = start(socket, 60_000);
        assertEquals(List.of("exit 0"), exchange(socket, request("/", ServerLoop.STOP, "true")));
        assertTrue(served.get(10, TimeUnit.SECONDS));
        assertFalse(Files.exists(socket));
        assertEquals(0, runs.get());
    }

    @Test
    void anIdleServerEndsByItself() throws Exception {
        Path socket = dir.resolve("s.sock");
        CompletableFuture<Boolean> served = start(socket, 1500);
        assertTrue(served.get(15, TimeUnit.SECONDS));
        assertFalse(Files.exists(socket));
    }

    @Test
    void oneServerPerSocketAndAStaleSocketIsReplaced() throws Exception {
        Path socket = dir.resolve("s.sock");
        Files.createFile(socket); // left by a killed server
        start(socket, 60_000);
        assertEquals("exit 7", exchange(socket, request("/", "kdive.commands", "x")).get(3));
        CompletableFuture<Boolean> second = start(socket, 60_000);
        assertFalse(second.get(10, TimeUnit.SECONDS), "the lock keeps a second server out");
        assertEquals("exit 7", exchange(socket, request("/", "kdive.commands", "x")).get(3), "the first goes on serving");
    }

    @Test
    void aRunWhoseClientLeavesIsCancelledWithinASecond() throws Exception {
        Path socket = dir.resolve("s.sock");
        start(socket, 60_000);
        hold = new CountDownLatch(1); // the run waits (10 s at most) unless cancelled
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        Channels.newOutputStream(ch).write(request("/", "kdive.commands", "struct task_struct -c 100000"));
        while (runs.get() == 0) Thread.sleep(10);
        ch.close(); // the client is killed
        assertTrue(cancelled.await(1, TimeUnit.SECONDS), "the run was not cancelled within a second of its client's end");
        hold = new CountDownLatch(0);
        assertEquals("exit 7", exchange(socket, request("/", "kdive.commands", "next")).get(3), "the server takes the next run");
    }

    @Test
    void stopReachesABusyServerAndCancelsItsRun() throws Exception {
        Path socket = dir.resolve("s.sock");
        CompletableFuture<Boolean> served = start(socket, 60_000);
        hold = new CountDownLatch(1);
        CompletableFuture<List<String>> busy = CompletableFuture.supplyAsync(() -> {
            try {
                return exchange(socket, request("/", "kdive.commands", "long"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        while (runs.get() == 0) Thread.sleep(10);
        assertEquals(List.of("exit 0"), exchange(socket, request("/", ServerLoop.STOP, "true")));
        assertTrue(cancelled.await(1, TimeUnit.SECONDS), "the busy run was cancelled");
        assertTrue(served.get(10, TimeUnit.SECONDS));
        assertFalse(Files.exists(socket));
        busy.handle((frames, e) -> frames).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aDirectoryNotPrivateOrNotOursGetsNoServer() throws Exception {
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertFalse(start(open.resolve("s.sock"), 60_000).get(10, TimeUnit.SECONDS), "mode 0755");
        assertFalse(Files.exists(open.resolve("s.sock")));

        Path made = dir.resolve("made/server");
        CompletableFuture<Boolean> served = start(made.resolve("s.sock"), 60_000);
        assertTrue(Files.exists(made.resolve("s.sock")), "a missing directory is made, and served in");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(made)));
        started.get(started.size() - 1).stop();
        assertTrue(served.get(10, TimeUnit.SECONDS));

        if (!root()) return; // a directory of another user needs root to make
        Path theirs = Files.createDirectory(dir.resolve("theirs"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.setAttribute(theirs, "unix:uid", NOBODY);
        assertFalse(start(theirs.resolve("s.sock"), 60_000).get(10, TimeUnit.SECONDS), "owned by nobody");
        assertEquals(0, runs.get());
    }

    /**
     * A client of another user never runs anything, even when it reaches the socket (here through a
     * hard link in an open directory and a socket file opened to all: the directory alone would keep
     * it out). Needs root, to run that client as nobody.
     */
    @Test
    void aClientOfAnotherUserIsRefused() throws Exception {
        Assumptions.assumeTrue(root(), "running a client as another user needs root");
        Path socket = dir.resolve("s.sock");
        start(socket, 60_000);
        Path open = Files.createTempDirectory("kdive-peer");
        try {
            Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path link = Files.createLink(open.resolve("link.sock"), socket);
            Files.setPosixFilePermissions(link, PosixFilePermissions.fromString("rwxrwxrwx"));
            Files.write(open.resolve("request"), request("/", "kdive.commands", "sys"));
            Files.writeString(open.resolve("Peer.java"), String.join("\n",
                    "import java.net.*; import java.nio.*; import java.nio.channels.*; import java.nio.file.*;",
                    "public class Peer { public static void main(String[] a) throws Exception {",
                    "  try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {",
                    "    ch.connect(UnixDomainSocketAddress.of(a[0]));",
                    "    ch.write(ByteBuffer.wrap(Files.readAllBytes(Path.of(a[1]))));",
                    "    int n; try { n = Channels.newInputStream(ch).readAllBytes().length; } catch (java.io.IOException e) { n = 0; }",
                    "    System.out.println(\"answered \" + n + \" bytes\");",
                    "  } } }"));
            Process p = new ProcessBuilder("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:-UsePerfData",
                    open.resolve("Peer.java").toString(), link.toString(), open.resolve("request").toString())
                    .redirectErrorStream(true).start();
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals("answered 0 bytes\n", said, "the other user's client");
            assertEquals(0, runs.get(), "nothing ran for it");
            assertEquals("exit 7", exchange(socket, request("/", "kdive.commands", "x")).get(3), "this user's client is served");
        } finally {
            try (java.util.stream.Stream<Path> files = Files.list(open)) {
                for (Path f : (Iterable<Path>) files::iterator) Files.delete(f);
            }
            Files.delete(open);
        }
    }

    private static final int NOBODY = 65534;

    private static boolean root() throws IOException {
        return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    }
}
