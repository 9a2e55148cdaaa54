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
import org.junit.jupiter.api.AfterEach;
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

    /** Sends raw bytes; returns the frames as text: "1:...", "2:...", "exit N", "busy", or "closed". */
    private static List<String> exchange(Path socket, byte[] bytes) throws IOException {
        List<String> frames = new ArrayList<>();
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            Channels.newOutputStream(ch).write(bytes);
            ch.shutdownOutput();
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
            assertEquals(List.of("closed"), exchange(socket, bad));
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
}
