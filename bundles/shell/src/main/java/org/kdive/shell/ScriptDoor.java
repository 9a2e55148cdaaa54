package org.kdive.shell;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's second door, for the launcher script itself: a served run then starts no JVM at all
 * (a client JVM costs 0.15-0.3 s, most of a served run). bash reaches TCP, not Unix sockets, so this
 * door listens on 127.0.0.1 at a port it writes with a random token into a file of mode 0600 in the
 * server's 0700 directory. A client must show the token and must be this user's (its connection's
 * owner in /proc/net/tcp), as the Unix door's clients must be (SO_PEERCRED).
 *
 * <p>Wire format, one line each, newlines and backslashes in values escaped as \n and \\:
 * {@code KDV2 TOKEN}, {@code pid PID}, {@code cwd DIR}, {@code java PATH} (the java command the
 * script would run), {@code env NAME=VALUE} for each of its settings variables, {@code arg ARG} for
 * each argument, {@code end}. The port file is named after the installation only, so the server
 * checks that the client is one it was made for (its JVM, settings and installation as they are
 * now) and parses the arguments as the launcher does (both the {@code kdive.script.requests}
 * service of the framework), and answers {@code refused} (not a batch run it takes: the client runs by itself),
 * {@code busy}, or {@code ok}, then writes the run's output straight into the client's standard
 * output and error (/proc/PID/fd/1 and 2, which the script makes sure are pipes or character
 * devices: a regular file would be written at another offset than the client's), then
 * {@code exit STATUS}. The client sends nothing after {@code end}: the end of its stream cancels.
 */
final class ScriptDoor {
    private static final Logger LOG = LoggerFactory.getLogger(ScriptDoor.class);
    private static final int MAX_LINE = 4 << 20;
    private static final int MAX_LINES = 10_000;

    private final ServerLoop loop;
    private final Path portFile;
    private final BiFunction<Map<String, String>, List<String>, Map<String, String>> parser;
    private final byte[] token = new byte[24];
    private volatile ServerSocketChannel channel;
    private int port;

    ScriptDoor(ServerLoop loop, Path portFile, BiFunction<Map<String, String>, List<String>, Map<String, String>> parser) {
        this.loop = loop;
        this.portFile = portFile;
        this.parser = parser;
    }

    /** Listens and publishes the port file; then serves on a thread of its own until {@link #close}. */
    void open() throws IOException {
        new SecureRandom().nextBytes(token);
        ServerSocketChannel c = ServerSocketChannel.open(StandardProtocolFamily.INET);
        c.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        channel = c;
        port = ((InetSocketAddress) c.getLocalAddress()).getPort();
        publish();
        LOG.debug("kdive server: the launcher script's door is 127.0.0.1:{} ({})", port, portFile);
        Thread t = new Thread(this::acceptAll, "kdive-server-script-door");
        t.setDaemon(true);
        t.start();
        Thread keeper = new Thread(this::keepPublished, "kdive-server-script-door-file");
        keeper.setDaemon(true);
        keeper.start();
    }

    private void publish() throws IOException {
        Path tmp = portFile.resolveSibling(portFile.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, port + " " + HexFormat.of().formatHex(token) + "\n");
        Files.move(tmp, portFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * The file is named after the installation, so a server of the same installation with other
     * settings replaces it, and removes it when it stops: this server then publishes its door again
     * (a file that is there, another server's, is left to that one).
     */
    private void keepPublished() {
        while (channel != null && channel.isOpen()) {
            try {
                Thread.sleep(2000);
                synchronized (this) { // not after close() has taken the file away
                    if (channel.isOpen() && !Files.exists(portFile)) {
                        publish();
                        LOG.debug("kdive server: published the launcher script's door again ({})", portFile);
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                LOG.debug("publishing the script door again", e);
            }
        }
    }

    synchronized void close() {
        try {
            ServerSocketChannel c = channel;
            if (c != null) c.close();
            // another server of this installation (other settings) may have published its door since
            String published = Files.exists(portFile) ? Files.readString(portFile) : "";
            if (published.contains(HexFormat.of().formatHex(token))) Files.deleteIfExists(portFile);
        } catch (IOException e) {
            LOG.debug("closing the script door", e);
        }
    }

    private void acceptAll() {
        while (true) {
            SocketChannel client;
            try {
                client = channel.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.debug("script door: accept failed", e);
                return;
            }
            Thread t = new Thread(() -> answer(client), "kdive-server-script-client");
            t.start();
        }
    }

    private void answer(SocketChannel client) {
        try (client) {
            int localPort = ((InetSocketAddress) client.getLocalAddress()).getPort();
            int remotePort = ((InetSocketAddress) client.getRemoteAddress()).getPort();
            if (!ConnectionOwner.isThisUser(localPort, remotePort)) {
                LOG.warn("kdive server: refused a connection on 127.0.0.1:{} from another user", localPort);
                return;
            }
            client.socket().setSoTimeout(5000); // a request comes at once, in one piece
            Request r = Request.read(new java.io.BufferedInputStream(client.socket().getInputStream()));
            if (r == null || !MessageDigest.isEqual(token, r.token)) {
                LOG.warn("kdive server: refused a request on 127.0.0.1:{} without this server's token", localPort);
                return;
            }
            Map<String, String> facts = new java.util.HashMap<>();
            facts.put("cwd", r.cwd);
            if (r.java != null) facts.put("java", r.java);
            r.env.forEach((k, v) -> facts.put("env:" + k, v));
            Map<String, String> request = parser.apply(facts, r.args);
            if (request == null) {
                say(client, "refused");
                return;
            }
            Path fd1 = Paths.get("/proc", Long.toString(r.pid), "fd", "1");
            Path fd2 = Paths.get("/proc", Long.toString(r.pid), "fd", "2");
            if (!streamable(fd1) || !streamable(fd2)) {
                say(client, "refused");
                return;
            }
            LOG.debug("kdive server: a run from the launcher script, pid {}", r.pid);
            try (FileOutputStream o = new FileOutputStream(fd1.toFile()); FileOutputStream e = new FileOutputStream(fd2.toFile())) {
                PrintStream out = new PrintStream(new BufferedOutputStream(o, 32 * 1024), false);
                // the error stream flushes the output first: the two keep their order on one terminal
                PrintStream err = new PrintStream(new OutputStream() {
                    @Override
                    public void write(int b) throws IOException {
                        out.flush();
                        e.write(b);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.flush();
                        e.write(b, off, len);
                    }
                }, true);
                loop.runInTurn(client, request, Paths.get(r.cwd), out, err, new ServerLoop.Turn() {
                    @Override public void busy() throws IOException { say(client, "busy"); }
                    @Override public void started() throws IOException { say(client, "ok"); }
                    @Override public void ended(int status) throws IOException {
                        out.flush();
                        say(client, "exit " + status);
                    }
                });
            }
        } catch (IOException e) {
            LOG.debug("script door: client gone", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A pipe or a character device (terminal, /dev/null): opening it again writes where the client writes. */
    private static boolean streamable(Path fd) {
        try {
            int mode = (Integer) Files.getAttribute(fd, "unix:mode");
            int type = mode & 0170000;
            return type == 0010000 || type == 0020000;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    private static void say(SocketChannel client, String line) throws IOException {
        ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) client.write(b);
    }

    /** One request of the script (package-private: the tests write and fuzz it). */
    record Request(byte[] token, long pid, String cwd, String java, Map<String, String> env, List<String> args) {
        /** The request, or null when the bytes are not one (nothing is trusted before the token is checked). */
        static Request read(InputStream in) throws IOException {
            byte[] token = null;
            long pid = -1;
            String cwd = null;
            String java = null;
            Map<String, String> env = new java.util.TreeMap<>();
            List<String> args = new ArrayList<>();
            for (int n = 0; n < MAX_LINES; n++) {
                String line = line(in);
                if (line == null) return null;
                int sp = line.indexOf(' ');
                String key = sp < 0 ? line : line.substring(0, sp);
                String value = sp < 0 ? "" : line.substring(sp + 1);
                if (n == 0) {
                    if (!key.equals("KDV2") || !value.matches("[0-9a-f]{2,128}") || value.length() % 2 != 0) return null;
                    token = HexFormat.of().parseHex(value);
                    continue;
                }
                switch (key) {
                    case "pid" -> {
                        if (!value.matches("[1-9][0-9]{0,9}")) return null;
                        pid = Long.parseLong(value);
                    }
                    case "cwd" -> cwd = unescape(value);
                    case "java" -> java = unescape(value);
                    case "env" -> {
                        String v = unescape(value);
                        int eq = v.indexOf('=');
                        if (eq <= 0) return null;
                        env.put(v.substring(0, eq), v.substring(eq + 1));
                    }
                    case "arg" -> args.add(unescape(value));
                    case "end" -> {
                        return pid < 0 || cwd == null || !cwd.startsWith("/") ? null : new Request(token, pid, cwd, java, env, args);
                    }
                    default -> {
                        return null;
                    }
                }
            }
            return null;
        }

        private static String line(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            while (true) {
                int c = in.read();
                if (c < 0) return null;
                if (c == '\n') return b.toString(StandardCharsets.UTF_8);
                if (b.size() >= MAX_LINE) return null;
                b.write(c);
            }
        }

        /** \n is a newline, \\ a backslash; any other escape is kept as it is. */
        static String unescape(String s) {
            if (s.indexOf('\\') < 0) return s;
            StringBuilder sb = new StringBuilder(s.length());
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '\\' && i + 1 < s.length()) {
                    char d = s.charAt(++i);
                    if (d == 'n') {
                        sb.append('\n');
                    } else if (d == '\\') {
                        sb.append('\\');
                    } else {
                        sb.append(c).append(d);
                    }
                } else {
                    sb.append(c);
                }
            }
            return sb.toString();
        }
    }
}
