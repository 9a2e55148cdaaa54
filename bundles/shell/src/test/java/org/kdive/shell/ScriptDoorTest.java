package org.kdive.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The launcher script's door: who a loopback connection belongs to, and what a request is. */
class ScriptDoorTest {

    /** A real connection on 127.0.0.1, found in the kernel's own table with this process's uid. */
    @Test
    void aLoopbackConnectionOfThisProcessIsThisUsers() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
                Socket client = new Socket(InetAddress.getByName("127.0.0.1"), server.getLocalPort());
                Socket accepted = server.accept()) {
            assertTrue(ConnectionOwner.isThisUser(accepted.getLocalPort(), accepted.getPort()));
            int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            // (a JVM's sockets are IPv6 ones unless told otherwise: the connection is in tcp6, mapped)
            List<String> table = new java.util.ArrayList<>(Files.readAllLines(Path.of("/proc/net/tcp")));
            table.addAll(Files.readAllLines(Path.of("/proc/net/tcp6")));
            assertEquals(uid, ConnectionOwner.ownerOf(table, client.getLocalPort(), server.getLocalPort()));
            // the server's own end is not the client: the lookup goes by (client port, server port)
            assertEquals(-1, ConnectionOwner.ownerOf(table, server.getLocalPort(), server.getLocalPort()));
        }
    }

    private static ScriptDoor.Request read(String text) throws IOException {
        return ScriptDoor.Request.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aRequestKeepsNewlinesAndBackslashesOfItsArguments() throws Exception {
        ScriptDoor.Request r = read("KDV2 0a1b\npid 42\ncwd /tmp/a\\nb\njava /usr/bin/java\nenv TZ=UTC\nenv KDIVE_X=a=b\\nc\n"
                + "arg -c\narg p 1\\np 2\\\\x\\q\nend\n");
        assertEquals(List.of(0x0a, 0x1b), List.of(r.token()[0] & 0xff, r.token()[1] & 0xff));
        assertEquals(42, r.pid());
        assertEquals("/tmp/a\nb", r.cwd());
        assertEquals(List.of("-c", "p 1\np 2\\x\\q"), r.args());
        assertEquals("/usr/bin/java", r.java());
        assertEquals(java.util.Map.of("TZ", "UTC", "KDIVE_X", "a=b\nc"), r.env());
    }

    @Test
    void whatIsNotARequestIsNone() throws Exception {
        assertNull(read("KDV2 0a1b\npid 42\ncwd /tmp\narg x\n"), "no end");
        assertNull(read("KDV1 0a1b\npid 42\ncwd /tmp\nend\n"), "another protocol");
        assertNull(read("KDV2 0a1\npid 42\ncwd /tmp\nend\n"), "half a byte of token");
        assertNull(read("KDV2 0a1b\npid -1\ncwd /tmp\nend\n"), "no pid");
        assertNull(read("KDV2 0a1b\npid 42\ncwd tmp\nend\n"), "a relative directory");
        assertNull(read("KDV2 0a1b\npid 42\ncwd /tmp\nrm -rf /\nend\n"), "an unknown line");
        assertNull(read("KDV2 0a1b\npid 42\nend\n"), "no directory");
        assertNull(read("KDV2 0a1b\npid 42\ncwd /tmp\nenv =x\nend\n"), "a variable without a name");
        assertNull(read("KDV2 0a1b\npid 42\ncwd /tmp\nenv TZ\nend\n"), "a variable without a value");
    }

    /** Random bytes and cut or mutated requests: a request or none, never another exception or a hang. */
    @Test
    void randomBytesAreNoRequest() throws Exception {
        Random random = new Random(20261205);
        byte[] good = "KDV2 0a1b\npid 42\ncwd /tmp\narg --info\narg /x\nend\n".getBytes(StandardCharsets.UTF_8);
        for (int round = 0; round < 5000; round++) {
            byte[] b;
            if (round % 2 == 0) {
                b = new byte[random.nextInt(200)];
                random.nextBytes(b);
            } else {
                b = java.util.Arrays.copyOf(good, random.nextInt(good.length + 1));
                for (int k = random.nextInt(4); k > 0 && b.length > 0; k--) b[random.nextInt(b.length)] = (byte) random.nextInt(256);
            }
            ScriptDoor.Request r = ScriptDoor.Request.read(new ByteArrayInputStream(b));
            if (r != null) assertTrue(r.cwd().startsWith("/") && r.pid() > 0, "round " + round);
        }
    }
}
