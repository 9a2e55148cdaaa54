package org.kdive.shell;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.LinkOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import jdk.net.ExtendedSocketOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A kdive server: takes batch runs from later kdive invocations over a Unix socket, so that they
 * skip the JVM and framework start-up and run on already compiled code. One run at a time (the
 * shell has one current session); a client that finds the server busy runs by itself.
 *
 * <p>Wire format (the launcher's ServerClient writes the other side): the client sends the int
 * {@link #MAGIC}, its working directory, then an int count of key/value pairs (the launcher's
 * framework property names: kdive.files, kdive.commands ...), every string as an int length and
 * UTF-8 bytes. The server answers with frames: a byte {@link #OUT}/{@link #ERR} with an int length
 * and bytes, then {@link #EXIT} with an int status, or a lone {@link #BUSY}. The client keeps its
 * side open and sends nothing more until it has the EXIT frame: the end of its stream during the
 * run means it is gone, and the run is cancelled. Only clients of this process's user are served
 * (SO_PEERCRED), and only in a directory of that user with mode 0700.
 */
final class ServerLoop {
    private static final Logger LOG = LoggerFactory.getLogger(ServerLoop.class);
    static final int MAGIC = 0x4b445631; // "KDV1"
    static final int OUT = 1;
    static final int ERR = 2;
    static final int EXIT = 3;
    static final int BUSY = 4;
    /** A request key that asks the server to end (kdive --stop-server). */
    static final String STOP = "kdive.stop";
    private static final java.util.Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");
    /** How long a client waits for the run before it, e.g. a script's previous line still closing. */
    private static final long WAIT_FOR_TURN_MS = 2000;

    /** Runs one request with the client's streams and directory; returns the exit status. */
    interface Handler {
        int run(Map<String, String> request, Path cwd, PrintStream out, PrintStream err);
    }

    private final Path socket;
    private final long idleMillis;
    private final Handler handler;
    private final ReentrantLock turn = new ReentrantLock();
    private volatile long lastUse = System.currentTimeMillis();
    private volatile ServerSocketChannel channel;
    /** The thread running a client's request, if one runs. */
    private volatile Thread runner;
    /** This process's user: the only one whose clients are served. */
    private volatile UserPrincipal self;
    /** The launcher script's own door (TCP on 127.0.0.1), when the script asked for one. */
    private volatile ScriptDoor door;

    ServerLoop(Path socket, long idleMillis, Handler handler) {
        this.socket = socket;
        this.idleMillis = idleMillis;
        this.handler = handler;
    }

    /**
     * Also serves the launcher script itself ({@link ScriptDoor}), announced in {@code portFile}
     * (in this server's private directory), its command lines parsed by {@code parser}.
     */
    void scriptDoor(Path portFile, java.util.function.BiFunction<Map<String, String>, java.util.List<String>, Map<String, String>> parser) {
        // only beside the socket: a directory of this user's with mode 0700, checked by serve()
        if (portFile.toAbsolutePath().getParent().equals(socket.toAbsolutePath().getParent())) {
            door = new ScriptDoor(this, portFile, parser);
        } else {
            LOG.warn("kdive server: no door for the launcher script at {}: not beside {}", portFile, socket);
        }
    }

    /**
     * Serves until idle for the configured time or asked to stop; false if another server has the
     * socket, or if its directory is not this user's own with mode 0700 (anyone else who could
     * write there could put a socket of theirs in the server's place or reach this one's).
     */
    boolean serve() throws IOException {
        Path dir = socket.toAbsolutePath().getParent();
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir.getParent());
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE));
                Files.setPosixFilePermissions(dir, PRIVATE); // umask may have taken more bits than 077
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // a parallel start made it: checked below like any other
            }
        }
        self = Files.getOwner(Paths.get("/proc/self"));
        PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isDirectory() || !a.owner().equals(self) || !a.permissions().equals(PRIVATE)) {
            LOG.warn("kdive server: not serving in {}: it must be a directory of {} with mode 0700 (owner {}, mode {})", dir,
                    self.getName(), a.owner().getName(), PosixFilePermissions.toString(a.permissions()));
            return false;
        }
        try (FileChannel lockFile = FileChannel.open(Paths.get(socket + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = tryLock(lockFile)) {
            if (lock == null) {
                LOG.debug("another kdive server holds {}", socket);
                return false;
            }
            try {
                Files.deleteIfExists(socket); // left by a server that was killed
                channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                channel.bind(UnixDomainSocketAddress.of(socket));
                LOG.debug("kdive server listening on {}", socket);
                warmUp();
                if (door != null) {
                    try {
                        door.open();
                    } catch (IOException e) {
                        LOG.debug("kdive server: no door for the launcher script", e);
                        door = null;
                    }
                }
                Thread watchdog = new Thread(this::closeWhenIdle, "kdive-server-idle");
                watchdog.setDaemon(true);
                watchdog.start();
                while (true) {
                    SocketChannel client;
                    try {
                        client = channel.accept();
                    } catch (ClosedChannelException e) { // also AsynchronousCloseException: stop() closed it
                        break;
                    }
                    Thread t = new Thread(() -> answer(client), "kdive-server-client");
                    t.start();
                }
            } finally {
                if (door != null) door.close();
                Files.deleteIfExists(socket);
            }
        }
        LOG.debug("kdive server on {} stopped", socket);
        return true;
    }

    /** The lock, or null when another server (process, or loop in this JVM) holds it. */
    private static FileLock tryLock(FileChannel file) throws IOException {
        try {
            return file.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return null;
        }
    }

    void stop() {
        ScriptDoor d = door;
        if (d != null) d.close();
        ServerSocketChannel c = channel;
        try {
            if (c != null) c.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private void closeWhenIdle() {
        while (channel.isOpen()) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            if (!turn.isLocked() && System.currentTimeMillis() - lastUse > idleMillis) {
                LOG.debug("kdive server idle for {} s: stopping", idleMillis / 1000);
                stop();
            }
        }
    }

    /**
     * After a run, once its client has the answer: a run leaves a few hundred MB of garbage, and
     * its mappings of vmlinux stay in the resident set until their buffers are collected, so runs
     * would pile them up. The next client, a new JVM, comes later than this ends (~50 ms).
     */
    private static void collect() {
        long t0 = System.nanoTime();
        System.gc();
        LOG.debug("collected after the run in {} ms", (System.nanoTime() - t0) / 1_000_000);
    }

    private void answer(SocketChannel client) {
        try (client) {
            // the directory keeps others out; this makes sure of it (and of a socket reached through a link)
            UserPrincipal peer = client.getOption(ExtendedSocketOptions.SO_PEERCRED).user();
            if (!peer.equals(self)) {
                LOG.warn("kdive server: refused a client running as {}", peer.getName());
                return;
            }
            DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(client)));
            // (not Channels.newOutputStream: on JDK 17 its writes and the watch's reads of a stream
            // from Channels.newInputStream take the same lock, and the run would wait for the watch)
            Frames frames = new Frames(new java.io.BufferedOutputStream(new ChannelSink(client), 8192));
            Map<String, String> request = new HashMap<>();
            Path cwd = read(in, request);
            if (cwd == null) return;
            if (request.containsKey(STOP)) {
                // a busy server stops too: its run is cancelled, its client told so by the closed socket
                Thread running = runner;
                if (running != null) running.interrupt();
                frames.end(EXIT, 0);
                stop();
                return;
            }
            PrintStream out = new PrintStream(frames.out, false);
            PrintStream err = new PrintStream(frames.err, true);
            runInTurn(client, request, cwd, out, err, new Turn() {
                @Override public void busy() throws IOException { frames.end(BUSY, 0); }
                @Override public void started() { }
                @Override public void ended(int status) throws IOException { frames.end(EXIT, status); }
            });
        } catch (IOException e) {
            LOG.debug("kdive server: client gone", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How a door answers its client around a run. */
    interface Turn {
        /** Another run kept the server past {@link #WAIT_FOR_TURN_MS}: the client runs by itself. */
        void busy() throws IOException;

        /** The run has the server: it starts now. */
        void started() throws IOException;

        void ended(int status) throws IOException;
    }

    /**
     * Runs one client's request when the server is free (it waits a little for the run before),
     * cancelling it when the client leaves, then collects the run's garbage. Closes the client.
     */
    void runInTurn(SocketChannel client, Map<String, String> request, Path cwd, PrintStream out, PrintStream err, Turn reply)
            throws IOException, InterruptedException {
        if (!turn.tryLock(WAIT_FOR_TURN_MS, TimeUnit.MILLISECONDS)) {
            reply.busy();
            return;
        }
        try {
            lastUse = System.currentTimeMillis();
            reply.started();
            runner = Thread.currentThread();
            ClientWatch watch = new ClientWatch(client, runner);
            int status;
            try {
                status = handler.run(request, cwd, out, err);
                out.flush();
            } finally {
                runner = null;
                watch.done();
                Thread.interrupted(); // a cancelled run's interrupt ends with it
            }
            if (watch.clientGone()) {
                LOG.debug("kdive server: the client left during its run, which stopped with {}", status);
                return;
            }
            reply.ended(status);
        } finally {
            client.close();
            collect();
            lastUse = System.currentTimeMillis();
            turn.unlock();
        }
    }

    /**
     * Watches a client while its run goes on: a client sends nothing after its request, so the end
     * of its stream means it is gone (killed, or Ctrl-C), and its run is cancelled by interrupting
     * the thread that runs it (the commands' cancellation contract, CommandContext).
     */
    private static final class ClientWatch implements Runnable {
        private final SocketChannel client;
        private final Thread runner;
        private final Thread thread;
        private volatile boolean done;
        private volatile boolean gone;

        ClientWatch(SocketChannel client, Thread runner) {
            this.client = client;
            this.runner = runner;
            this.thread = new Thread(this, "kdive-server-watch");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void run() {
            try {
                java.nio.ByteBuffer ignored = java.nio.ByteBuffer.allocate(256);
                while (client.read(ignored.clear()) >= 0) {
                    // nothing is expected; whatever comes is ignored
                }
            } catch (IOException e) {
                // reset by the peer: gone as well, or closed by done()
            }
            if (!done) {
                gone = true;
                LOG.debug("kdive server: client gone during its run: cancelling it");
                runner.interrupt();
            }
        }

        /** The run is over; the caller closes the socket, which ends this watch. */
        void done() {
            done = true;
        }

        boolean clientGone() {
            return gone;
        }
    }

    /**
     * Repeats, unseen, the run that started this server (left by it beside the socket), so that the
     * next client finds the code it needs compiled: the optimising compiler needs a few runs.
     */
    private void warmUp() {
        Path file = Paths.get(socket + ".warmup");
        if (!Files.exists(file)) return;
        turn.lock();
        try {
            Map<String, String> request = new HashMap<>();
            Path cwd;
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
                cwd = read(in, request);
            }
            if (cwd != null) {
                long t0 = System.nanoTime();
                PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
                int status = handler.run(request, cwd, nowhere, nowhere);
                LOG.debug("warm-up run ended with {} in {} ms", status, (System.nanoTime() - t0) / 1_000_000);
                collect();
            }
            Files.deleteIfExists(file); // after the run: its absence tells that the server is warm
        } catch (IOException | RuntimeException e) {
            LOG.debug("warm-up run failed", e);
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // the next server repeats it
            }
        } finally {
            lastUse = System.currentTimeMillis();
            turn.unlock();
        }
    }

    /**
     * Reads a request into {@code request}; returns its working directory, or null if it is not one.
     * (Package-private: ServerRequestFuzzTest fuzzes it.)
     */
    static Path read(DataInputStream in, Map<String, String> request) throws IOException {
        if (in.readInt() != MAGIC) return null;
        Path cwd = Paths.get(string(in));
        int n = in.readInt();
        if (n < 0 || n > 64) return null;
        for (int i = 0; i < n; i++) request.put(string(in), string(in));
        return cwd;
    }

    private static String string(DataInputStream in) throws IOException {
        int len = in.readInt();
        if (len < 0 || len > 16 << 20) throw new IOException("bad string length " + len);
        byte[] b = in.readNBytes(len);
        if (b.length < len) throw new java.io.EOFException("request cut short");
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Writes straight to the socket (the channel's own write lock only). */
    private static final class ChannelSink extends OutputStream {
        private final SocketChannel channel;

        ChannelSink(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b, off, len);
            while (buf.hasRemaining()) channel.write(buf);
        }
    }

    /** The client's stdout (buffered) and stderr; stderr flushes stdout first, to keep their order. */
    private static final class Frames {
        private final DataOutputStream sink;
        final OutputStream out;
        final OutputStream err;

        Frames(OutputStream socket) {
            this.sink = new DataOutputStream(socket);
            this.out = new java.io.BufferedOutputStream(new Channel(OUT), 32 * 1024);
            this.err = new Channel(ERR);
        }

        synchronized void end(int type, int status) throws IOException {
            out.flush();
            sink.writeByte(type);
            if (type == EXIT) sink.writeInt(status);
            sink.flush();
        }

        private final class Channel extends OutputStream {
            private final int type;

            Channel(int type) {
                this.type = type;
            }

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (len == 0) return;
                if (type == ERR) out.flush();
                synchronized (Frames.this) {
                    sink.writeByte(type);
                    sink.writeInt(len);
                    sink.write(b, off, len);
                    sink.flush();
                }
            }
        }
    }
}
