package org.kdive.shell;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;

/**
 * Who opened a connection to 127.0.0.1: Linux lists every TCP socket with its owner's uid in
 * /proc/net/tcp, so the server's end of a connection (local port, peer port) finds the peer's
 * socket (in tcp, or in tcp6 as an IPv4-mapped address), and its uid must be this process's. A TCP door then trusts no more than the Unix one.
 */
final class ConnectionOwner {
    private static final String LOOPBACK = "0100007F"; // 127.0.0.1 as the kernel prints it (little-endian)
    /** ::ffff:127.0.0.1, an IPv4 connection on an IPv6 socket (a JVM's, unless told to prefer IPv4), in tcp6. */
    private static final String LOOPBACK_MAPPED = "0000000000000000FFFF0000" + LOOPBACK;

    private ConnectionOwner() {
    }

    /** Whether the client whose connection came to {@code serverPort} from {@code clientPort} runs as this user. */
    static boolean isThisUser(int serverPort, int clientPort) throws IOException {
        long self = ((Integer) Files.getAttribute(Paths.get("/proc/self"), "unix:uid")).longValue();
        long owner = ownerOf(Files.readAllLines(Path.of("/proc/net/tcp")), clientPort, serverPort);
        if (owner < 0 && Files.exists(Path.of("/proc/net/tcp6"))) {
            owner = ownerOf(Files.readAllLines(Path.of("/proc/net/tcp6")), clientPort, serverPort);
        }
        return owner == self;
    }

    /** The uid of the socket bound to 127.0.0.1:{@code local} and connected to 127.0.0.1:{@code remote}, or -1. */
    static long ownerOf(List<String> procNetTcp, int local, int remote) {
        String l = String.format(Locale.ROOT, ":%04X", local);
        String r = String.format(Locale.ROOT, ":%04X", remote);
        for (String line : procNetTcp) {
            String[] f = line.trim().split("\\s+");
            // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
            if (f.length > 7 && loopback(f[1], l) && loopback(f[2], r)) {
                try {
                    return Long.parseLong(f[7]);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    private static boolean loopback(String address, String port) {
        return address.endsWith(port) && (address.startsWith(LOOPBACK + ":") || address.startsWith(LOOPBACK_MAPPED + ":"));
    }
}
