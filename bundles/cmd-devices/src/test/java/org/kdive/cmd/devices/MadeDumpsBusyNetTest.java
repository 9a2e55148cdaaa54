package org.kdive.cmd.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.cmd.devices.net.NetCommand;
import org.kdive.cmd.kernel.commands.ForeachCommand;
import org.kdive.cmd.symbols.StructCommand;
import org.kdive.test.CrashText;
import org.kdive.test.MadeDump;
import org.kdive.test.MadeDumps;
import org.kdive.test.session.MadeSession;

/**
 * net with sockets of several families on the "busy" made dumps (dumps/busy.c via guest-init.sh's
 * trigger busy; Debian 11 5.10, 12 6.1 and its RT build, 13 6.12): one task and its forked child
 * share a TCP listener, a connected TCP pair, a UDP socket, a TCP6 listener, a UDP6 socket, a unix
 * listener, a unix datagram pair and a netlink socket; busybox nc listens on TCP6. Compared exactly
 * with crash 8.0.6 run on the same dump in the same run (dumps/crash-commands.txt, 79, 82, 401-407:
 * net -s/-S for those tasks, net -s/-S -R by the listener's struct sock and by fd, foreach net -s
 * -R and foreach PID... net -s), then checked against the guest: the struct sock that -R selects is
 * the one the guest read in /proc/net/tcp for 127.0.0.1:7070 (kdive-busy-sock, as root with
 * kptr_restrict 1), held at the fd busy.c printed by exactly its two tasks.
 */
class MadeDumpsBusyNetTest {
    static final List<String> NAMES = List.of("79-net", "82-net-s", "401-net-s-busy", "402-net-S-busy", "403-net-R-sock", "404-net-R-fd",
            "405-net-S-R-sock", "406-foreach-net-R", "407-foreach-net-s");

    @TestFactory
    Stream<DynamicContainer> busyDumpsMatchCrashAndTheGuest() {
        return MadeDumps.ofKind("busy").stream().map(e -> {
            List<DynamicTest> tests = new ArrayList<>(MadeSession.refTests(e, NAMES, MadeDumpsBusyNetTest::compare));
            tests.add(DynamicTest.dynamicTest("net -R finds the guest's listener in its two tasks", () -> referenceIsTheGuestsListener(e.require())));
            return DynamicContainer.dynamicContainer(e.toString(), tests);
        });
    }

    private static CommandContext context(MadeDump d) {
        return MadeSession.context(d, "module symbols", c -> Devices.moduleSymbols(c.session()));
    }

    /** net (with struct, for -S), or foreach running it, as the distribution wires them (net is a service of this bundle). */
    private static String run(CommandContext ctx, String line) {
        List<String> words = Arrays.asList(line.trim().split("\\s+"));
        Command net = new NetCommand(Devices.TASKS, new StructCommand(Devices.TASKS));
        Command c = words.get(0).equals("foreach") ? new ForeachCommand().with(net) : net;
        try {
            return c.execute(ctx, words.subList(1, words.size())).text();
        } catch (CommandException e) {
            return c.name() + ": " + e.getMessage() + "\n";
        }
    }

    private static void compare(MadeDumps.Entry e, String name) {
        MadeDump d = e.require();
        String command = MadeSession.crashCommand(d, name);
        if (name.equals("403-net-R-sock")) {
            referenceOverSeveralTasks(d, command);
            return;
        }
        assertEquals(CrashText.layout(gdbInTheCLocale(d.crashRef(name))), CrashText.layout(run(context(d), command)),
                d + " (" + d.release() + "): " + command);
    }

    /**
     * crash 8.0.6 is wrong here: net -s -R REF PID PID... keeps its reference state across the
     * pids, so only the first task holding REF gets its PID header; busy.c's child, which holds
     * the same listener, shows its row under the parent's header (and each later task adds a blank
     * line). kdive prints each holder's header. Checked: kdive's text is crash's own foreach net -s
     * -R REF (406, which resets the reference per task) of the same dump, the nc task listed too
     * holding nothing; and crash's 403 has the very rows of kdive's, in the same order.
     */
    private static void referenceOverSeveralTasks(MadeDump d, String command) {
        String kdive = run(context(d), command);
        assertEquals(CrashText.layout(d.crashRef("406-foreach-net-R")), CrashText.layout(kdive), d + ": " + command);
        assertEquals(rows(d.crashRef("403-net-R-sock")), rows(kdive), d + ": " + command + ": the socket rows");
        assertEquals(1, HEADER.matcher(d.crashRef("403-net-R-sock")).results().count(), d + ": crash's headers in " + command);
    }

    private static List<String> rows(String text) {
        return ROW.matcher(text).results().map(m -> m.group()).toList();
    }

    /**
     * crash's text as its gdb prints it under the C locale. refs.sh runs crash under the host's
     * LANG=C.UTF-8, and gdb then prints the bytes of a char array that happen to form a printable
     * UTF-8 character as that character: net -S's struct inet_sock on 6.12 shows the unused
     * half of an IPv6 saddr (\320\215, a kernel pointer's bytes) as "Ѝ". kdive prints every byte
     * above 0x7e in octal, as gdb does under the C locale. The mapping is exact: each non-ASCII
     * character back to the octal escapes of its UTF-8 bytes.
     */
    static String gdbInTheCLocale(String crash) {
        StringBuilder sb = new StringBuilder();
        crash.codePoints().forEach(cp -> {
            if (cp < 0x80) {
                sb.appendCodePoint(cp);
                return;
            }
            for (byte b : new String(Character.toChars(cp)).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                sb.append('\\').append(String.format("%03o", b & 0xff));
            }
        });
        return sb.toString();
    }

    private static final Pattern SOCKETS = Pattern.compile("(?m)^kdive-busy-sockets: pid (\\d+) child (\\d+) fds tcp-listen (\\d+) ");
    private static final Pattern SOCK = Pattern.compile("(?m)^kdive-busy-sock: ([0-9a-f]{16})$");
    private static final Pattern HEADER = Pattern.compile("(?m)^PID: (\\d+) ");
    private static final Pattern ROW = Pattern.compile("(?m)^\\s*(\\d+) ([0-9a-f]{16}) ([0-9a-f]{16}) (\\S+)\\s+(\\S+) (\\S+)");

    /**
     * foreach net -s -R SOCK names the two tasks of busy.c, nothing else; each holds SOCK at the fd
     * busy.c printed for its TCP listener, as an INET stream socket bound to 127.0.0.1-7070 and
     * unconnected (0.0.0.0-0).
     */
    private static void referenceIsTheGuestsListener(MadeDump d) {
        String console = d.consoleText().replace("\r", "");
        Matcher s = SOCKETS.matcher(console);
        Matcher k = SOCK.matcher(console);
        assertTrue(s.find() && k.find(), d + ": the console has no kdive-busy-sockets/kdive-busy-sock line");
        String out = run(context(d), "foreach net -s -R " + k.group(1));
        List<String> pids = new ArrayList<>();
        Matcher h = HEADER.matcher(out);
        while (h.find()) pids.add(h.group(1));
        assertEquals(List.of(s.group(1), s.group(2)), pids, d + ": the tasks holding the listener\n" + out);
        Matcher r = ROW.matcher(out);
        int rows = 0;
        while (r.find()) {
            rows++;
            assertEquals(List.of(s.group(3), k.group(1), "INET:STREAM", "127.0.0.1-7070", "0.0.0.0-0"),
                    List.of(r.group(1), r.group(3), r.group(4), r.group(5), r.group(6)), d + ": " + r.group());
        }
        assertEquals(2, rows, d + ": socket rows\n" + out);
    }
}
