package org.kdive.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The host's crash 8.0.2 run at test time, for a reference made from the corpus dump in the test's own
 * run: {@code crash -s VMLINUX VMCORE} with the commands on
 * stdin, each preceded by crash's own {@code echo} of a marker so that the output splits back into
 * one text per command. A missing crash (or another version) fails the test: install it with
 * {@code apt-get install -y crash}.
 */
public final class HostCrash {
    public static final String VERSION = "crash 8.0.2";
    private static final String MARK = "==kdive-command ";
    private static final long TIMEOUT_MINUTES = 5;

    private HostCrash() {
    }

    /** What crash printed for each command, in order (stdout and stderr as a terminal shows them). */
    public static List<String> run(Path vmlinux, Path vmcore, List<String> commands) {
        assertEquals(VERSION, version(), "the host's crash");
        try {
            Path in = Files.createTempFile("kdive-crash-", ".in");
            Path out = Files.createTempFile("kdive-crash-", ".out");
            try {
                StringBuilder script = new StringBuilder();
                for (int i = 0; i < commands.size(); i++) {
                    script.append("echo ").append(MARK).append(i).append("==\n").append(commands.get(i)).append('\n');
                }
                script.append("echo ").append(MARK).append("end==\n");
                Files.writeString(in, script, StandardCharsets.UTF_8);
                Process p = new ProcessBuilder("crash", "-s", vmlinux.toString(), vmcore.toString())
                        .redirectInput(in.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
                if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    fail("crash did not finish " + commands.size() + " commands within " + TIMEOUT_MINUTES + " minutes");
                }
                return split(Files.readString(out, StandardCharsets.UTF_8), commands.size());
            } finally {
                Files.deleteIfExists(in);
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            return fail("cannot run crash: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted while crash ran");
        }
    }

    private static List<String> split(String text, int count) {
        List<String> outputs = new ArrayList<>();
        StringBuilder cur = null;
        for (String line : text.split("\n", -1)) {
            if (line.startsWith(MARK)) {
                if (cur != null) outputs.add(cur.toString());
                cur = new StringBuilder();
                continue;
            }
            if (cur != null) cur.append(line).append('\n');
        }
        assertTrue(outputs.size() == count && text.contains(MARK + "end=="),
                "crash stopped after " + outputs.size() + " of " + count + " commands:\n" + tail(text));
        return outputs;
    }

    private static String tail(String text) {
        return text.length() > 2000 ? text.substring(text.length() - 2000) : text;
    }

    private static String version() {
        try {
            Process p = new ProcessBuilder("crash", "--version").redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(1, TimeUnit.MINUTES);
            return text.strip().lines().findFirst().orElse("").strip();
        } catch (IOException e) {
            return fail("crash is not installed on the host (apt-get install -y crash): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
    }
}
