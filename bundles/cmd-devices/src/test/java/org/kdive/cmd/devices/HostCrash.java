package org.kdive.cmd.devices;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The host's crash (8.0.2, Debian's package) run at test time: each command's output is redirected
 * to a file of its own ("CMD > FILE"), so crash's start-up warnings stay out of it. A missing crash
 * FAILS the test (install it with {@code apt-get install -y crash}), never skips it.
 */
final class HostCrash {
    private HostCrash() {
    }

    /** The output of each of {@code commands} (in order) that crash printed on {@code vmlinux} + {@code dump}. */
    static Map<String, String> run(Path vmlinux, Path dump, List<String> commands) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("kdive-hostcrash");
        try {
            StringBuilder in = new StringBuilder();
            List<Path> outs = new ArrayList<>();
            for (int i = 0; i < commands.size(); i++) {
                Path out = dir.resolve(i + ".txt");
                outs.add(out);
                in.append(commands.get(i)).append(" > ").append(out).append('\n');
            }
            in.append("quit\n");
            Path input = dir.resolve("input");
            Path log = dir.resolve("log");
            Files.writeString(input, in);
            Process p;
            try {
                p = new ProcessBuilder("crash", "-s", vmlinux.toString(), dump.toString()).redirectInput(input.toFile())
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            } catch (IOException e) {
                throw new AssertionError("crash is not installed on this host (apt-get install -y crash): " + e.getMessage(), e);
            }
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("crash did not finish in 5 minutes: " + Files.readString(log));
            }
            Map<String, String> result = new LinkedHashMap<>();
            for (int i = 0; i < commands.size(); i++) {
                if (!Files.isRegularFile(outs.get(i))) {
                    throw new AssertionError("crash wrote nothing for \"" + commands.get(i) + "\" (exit " + p.exitValue() + "): "
                            + Files.readString(log, StandardCharsets.UTF_8));
                }
                result.put(commands.get(i), Files.readString(outs.get(i), StandardCharsets.UTF_8));
            }
            return result;
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        }
    }
}
