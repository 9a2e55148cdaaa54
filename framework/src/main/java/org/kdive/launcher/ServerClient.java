package org.kdive.launcher;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.File;
import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.LinkOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jdk.net.ExtendedSocketOptions;

/**
 * Hands a batch run to a kdive server, which has the framework up and its code compiled already
 * (the shell bundle's ServerLoop, which also documents the wire format), and starts such a server
 * after a run that found none. One server serves one installation with one environment: the
 * socket's name hashes the JVM, the installation's jars, the plug-in directories and the KDIVE_*,
 * DEBUGINFOD_*, TZ and HOME variables, so a run with other settings never reaches a server
 * started with different ones.
 */
final class ServerClient {
    static final int MAGIC = 0x4b445631; // "KDV1"
    private static final int OUT = 1;
    private static final int ERR = 2;
    private static final int EXIT = 3;
    private static final int BUSY = 4;
    /** {@link #run}: the server's directory or listener is not this user's; run alone, start none. */
    static final int REFUSED = -2;
    /** Unix socket paths are limited to 108 bytes; longer ones get no server. */
    private static final int MAX_SOCKET_PATH = 100;

    private ServerClient() {
    }

    /** Whether this run may use a server: batch runs without their own log or console level. */
    static boolean eligible(Options o) {
        String v = System.getenv("KDIVE_SERVER");
        if (v != null && (v.equalsIgnoreCase("off") || v.equals("0") || v.equalsIgnoreCase("false") || v.equalsIgnoreCase("no"))) {
            return false;
        }
        return !o.interactive() && o.serve == null && !o.verbose && o.logFile == null;
    }

    /** The socket of this installation's server for this environment, or null if its path is too long. */
    static Path socket(Path cache, Path home, Options o) {
        StringBuilder key = new StringBuilder();
        key.append(System.getProperty("java.home")).append('\0').append(System.getProperty("java.vm.version")).append('\0');
        key.append(home.toAbsolutePath().normalize()).append('\0');
        // no lambdas, globs or String.format on this path: each would cost the client 5-40 ms of
        // class loading and bootstrap, more than the rest of what it does.
        // What a server reads once when it starts: its bundles, drop-ins and configuration files.
        stamps(key, home.resolve("lib"));
        stamps(key, home.resolve("bundles"));
        stamps(key, home.resolve("plugins"));
        stamps(key, home.resolve("etc"));
        for (String d : o.pluginDirs) {
            Path dir = Paths.get(d).toAbsolutePath().normalize();
            key.append(dir).append('\0');
            stamps(key, dir);
        }
        String config = System.getenv("KDIVE_CONFIG");
        stamps(key, config != null && !config.isBlank() ? Paths.get(config)
                : Paths.get(System.getProperty("user.home"), ".config", "kdive", "kdive.properties"));
        key.append(settings(System.getenv()));
        String hex = Long.toHexString(fnv1a(key));
        Path socket = cache.resolve("server").resolve("0".repeat(16 - hex.length()) + hex + ".sock").toAbsolutePath();
        return socket.toString().length() > MAX_SOCKET_PATH ? null : socket;
    }

    /** FNV-1a, 64 bits, of the characters: a name for what they describe, not a secret. */
    static long fnv1a(CharSequence key) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < key.length(); i++) {
            h ^= key.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }

    /**
     * The variables of {@code env} that the bundles read (a server has its starter's): KDIVE_*
     * but KDIVE_SERVER, DEBUGINFOD_*, TZ and HOME, sorted.
     */
    static Map<String, String> settings(Map<String, String> env) {
        Map<String, String> kept = new TreeMap<>();
        for (Map.Entry<String, String> e : env.entrySet()) {
            String k = e.getKey();
            if ((k.startsWith("KDIVE_") && !k.equals("KDIVE_SERVER")) || k.startsWith("DEBUGINFOD_") || k.equals("TZ")
                    || k.equals("HOME")) {
                kept.put(k, e.getValue());
            }
        }
        return kept;
    }

    /** Appends name, size and time of the file, or of each file in the directory (sorted). */
    static void stamps(StringBuilder key, Path fileOrDir) {
        List<String> stamps = new ArrayList<>();
        if (Files.isDirectory(fileOrDir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(fileOrDir)) {
                for (Path f : files) stamps.add(stamp(f));
            } catch (IOException e) {
                stamps.add("unreadable");
            }
        } else {
            stamps.add(stamp(fileOrDir));
        }
        stamps.sort(null);
        key.append(stamps).append('\0');
    }

    private static String stamp(Path f) {
        try {
            BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
            return f.getFileName() + ":" + a.size() + ":" + a.lastModifiedTime().toMillis();
        } catch (IOException e) {
            return f.getFileName() + ":none";
        }
    }

    /**
     * Runs the request on the server behind {@code socket}, copying its output to this process's.
     *
     * @return the run's exit status, or -1 when no server took the run (none, busy, gone before
     *     printing anything): then this process runs it itself; {@link #REFUSED} when the socket's
     *     directory or its listener is not this user's: this process runs it and starts no server
     */
    static int run(Path socket, Map<String, String> request) {
        if (socket == null) return -1;
        String unsafe = unsafeDirectory(socket.getParent());
        if (unsafe == MISSING) return -1;
        if (unsafe != null) {
            refuse(socket, unsafe);
            return REFUSED;
        }
        if (!Files.exists(socket)) return -1;
        boolean printed = false;
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            // the directory was ours a moment ago; whoever listens must be us too, before it hears
            // anything of this run (its directory, files and commands)
            UserPrincipal peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED).user();
            if (!peer.equals(self())) {
                refuse(socket, "its listener runs as " + peer.getName());
                return REFUSED;
            }
            DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(Channels.newOutputStream(ch)));
            write(out, Paths.get("").toAbsolutePath().toString(), request);
            out.flush();
            DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch), 64 * 1024));
            while (true) {
                int type = in.readUnsignedByte();
                switch (type) {
                    case OUT, ERR -> {
                        int len = in.readInt();
                        byte[] b = in.readNBytes(len);
                        if (b.length < len) throw new EOFException();
                        if (type == OUT) {
                            System.out.write(b, 0, b.length);
                        } else {
                            System.out.flush();
                            System.err.write(b, 0, b.length);
                            System.err.flush();
                        }
                        printed = true;
                    }
                    case EXIT -> {
                        int status = in.readInt();
                        System.out.flush();
                        return status;
                    }
                    case BUSY -> {
                        return -1;
                    }
                    default -> throw new IOException("unexpected frame " + type);
                }
            }
        } catch (ConnectException e) {
            // a server that was killed left its socket behind
            try {
                Files.deleteIfExists(socket);
            } catch (IOException ignored) {
                // the next server replaces it
            }
            return -1;
        } catch (IOException e) {
            if (!printed) return -1;
            System.out.flush();
            System.err.println("kdive: the kdive server stopped during the run (" + e + "); see "
                    + socket.getParent().resolveSibling("kdive-server.log"));
            return 3;
        }
    }

    /** A run that must not use the server at {@code socket} (and must not start one there): why, on stderr. */
    private static void refuse(Path socket, String why) {
        System.err.println("WARNING: kdive: not using the kdive server at " + socket + ": " + why
                + " (only a directory of yours with mode 0700 and a server of yours are trusted)");
    }

    /**
     * Why {@code dir} may not hold this user's server socket, null when it may, {@link #MISSING} when it
     * is not there: it must be a real directory (not a link), owned by this process's user, with mode 0700,
     * else another user could listen there in the server's place or reach the server's socket.
     */
    static String unsafeDirectory(Path dir) {
        PosixFileAttributes a;
        try {
            a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return MISSING; // no server there, and none can be started (a cache that is a file, say)
        } catch (UnsupportedOperationException e) {
            return dir + " cannot be checked (" + e.getMessage() + ")";
        }
        if (!a.isDirectory()) return dir + " is not a directory";
        UserPrincipal self;
        try {
            self = self();
        } catch (IOException e) {
            return "this process's user is unknown (" + e.getMessage() + ")";
        }
        if (!a.owner().equals(self)) return dir + " belongs to " + a.owner().getName();
        if (!a.permissions().equals(PRIVATE)) return dir + " has mode " + PosixFilePermissions.toString(a.permissions());
        return null;
    }

    /** {@link #unsafeDirectory}: the directory is not there (or not reachable): no server in it. */
    static final String MISSING = new String("missing");

    private static final java.util.Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");

    /** This process's (effective) user: the owner of /proc/self. */
    static UserPrincipal self() throws IOException {
        return Files.getOwner(Paths.get("/proc/self"));
    }

    /** Makes the server directory, private from its creation on (umask may only take bits away). */
    static void makePrivateDirectory(Path dir) throws IOException {
        Files.createDirectories(dir.getParent());
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE));
            Files.setPosixFilePermissions(dir, PRIVATE);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // made by a parallel run, or there before: checked by the caller
        }
    }

    /** The request for a server: the launcher's property names, file names made absolute. */
    static Map<String, String> request(Options o) {
        Map<String, String> r = new LinkedHashMap<>();
        List<String> files = new ArrayList<>();
        for (String f : o.files) files.add(Paths.get(f).toAbsolutePath().toString());
        r.put("kdive.files", String.join(File.pathSeparator, files));
        if (o.commands != null) r.put("kdive.commands", o.commands);
        if (o.script != null) r.put("kdive.script", Paths.get(o.script).toAbsolutePath().toString());
        r.put("kdive.info", Boolean.toString(o.info));
        r.put("kdive.json", Boolean.toString(o.json));
        r.put("kdive.fetch", Boolean.toString(o.fetch));
        r.put("kdive.interactive", "false");
        return r;
    }

    static Map<String, String> stopRequest() {
        return Map.of("kdive.stop", "true");
    }

    /**
     * Starts a server for later runs, detached from this terminal (setsid), through bin/kdive so it
     * gets the installation's JVM options; nothing happens when that is not possible.
     */
    static void start(Path home, Path socket, Map<String, String> warmUp) {
        Path script = home.resolve("bin").resolve("kdive");
        if (socket == null || Files.exists(socket) || !Files.isExecutable(script)) return;
        try {
            // the socket will run commands as this user: nobody else may reach it
            makePrivateDirectory(socket.getParent());
            if (unsafeDirectory(socket.getParent()) != null) return;
            // a server holds this lock from its start: one is starting already (parallel runs)
            if (!lockFree(Paths.get(socket + ".lock"))) return;
            // the server repeats this run once, unseen, so that the next one finds its code compiled
            try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(Paths.get(socket + ".warmup")))) {
                write(out, "/", warmUp);
            }
        } catch (IOException | UnsupportedOperationException e) {
            return; // a server could not keep its socket there either
        }
        // The first run of an installation also makes its class-data archive at exit: have the
        // client's socket classes in it, so that served runs do not load them from the JDK image.
        try {
            SocketChannel.open(StandardProtocolFamily.UNIX).close();
            ExtendedSocketOptions.SO_PEERCRED.type(); // (and the classes of the peer's check)
            self();
        } catch (IOException | UnsupportedOperationException e) {
            return; // no Unix sockets here: no server
        }
        ProcessBuilder pb = new ProcessBuilder("setsid", script.toString(), "--serve", socket.toString());
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        try {
            pb.start();
        } catch (IOException e) {
            // no setsid: no server, every run starts on its own
        }
    }

    /** Whether no process holds the lock file (a server starting or running does). */
    static boolean lockFree(Path lockFile) throws IOException {
        try (java.nio.channels.FileChannel f = java.nio.channels.FileChannel.open(lockFile, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE); java.nio.channels.FileLock l = f.tryLock()) {
            return l != null;
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return false;
        }
    }

    private static void write(DataOutputStream out, String cwd, Map<String, String> request) throws IOException {
        out.writeInt(MAGIC);
        string(out, cwd);
        out.writeInt(request.size());
        for (Map.Entry<String, String> e : request.entrySet()) {
            string(out, e.getKey());
            string(out, e.getValue());
        }
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }
}
