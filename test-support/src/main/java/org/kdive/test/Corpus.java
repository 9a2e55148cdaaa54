package org.kdive.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The shared corpus (../shared/corpus beside the repository), unpacked by its setup.sh into
 * a cache. Tests fail, never skip, when it is missing: CI must have run setup.sh.
 */
public final class Corpus {
    public static final String DUMP = "vqbug-6.1";
    public static final String VMLINUX = "vmlinux-6.1.0-50-cloud-amd64";
    private static Path dir;

    private Corpus() {
    }

    /** The unpacked vqbug-6.1 folder (runs setup.sh once if it is not unpacked yet). */
    public static synchronized Path dir() {
        if (dir == null) {
            Path root = cacheRoot();
            Path d = root.resolve(DUMP);
            if (!Files.isRegularFile(d.resolve(VMLINUX))) {
                runSetup(root);
            }
            if (!Files.isRegularFile(d.resolve(VMLINUX))) {
                throw new IllegalStateException("corpus not found at " + d + ": run ../shared/corpus/setup.sh");
            }
            dir = d;
        }
        return dir;
    }

    public static Path file(String name) {
        return dir().resolve(name);
    }

    public static Path vmlinux() {
        return file(VMLINUX);
    }

    /** The shared folder beside the repository (read-only). */
    public static Path shared() {
        Path p = Paths.get("").toAbsolutePath();
        while (p != null) {
            Path s = p.resolve("../shared/corpus/setup.sh").normalize();
            if (Files.isRegularFile(s)) return s.getParent().getParent();
            p = p.getParent();
        }
        throw new IllegalStateException("../shared/corpus not found above " + Paths.get("").toAbsolutePath());
    }

    /** A crash reference output without its "crash> CMD" line and the PID-hash warning crash prints first. */
    public static String crashRef(String name) {
        List<String> lines = readLines(file("refs/crash/" + name + ".txt"));
        List<String> out = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.startsWith("WARNING: active task") && l.contains("not found in PID hash")) {
                if (i + 1 < lines.size() && lines.get(i + 1).isEmpty()) i++;
                continue;
            }
            out.add(l);
        }
        return String.join("\n", out);
    }

    /** The command a crash reference was made with (its first line after "crash> "). */
    public static String crashCommand(String name) {
        String first = readLines(file("refs/crash/" + name + ".txt")).get(0);
        return first.startsWith("crash> ") ? first.substring(7) : first;
    }

    public static String drgnRef(String name) {
        return read(file("refs/drgn/" + name));
    }

    /** Whitespace normalisation for comparing with references: runs of blanks → one space, no blank lines at the ends. */
    public static String normalize(String s) {
        StringBuilder sb = new StringBuilder();
        for (String line : s.split("\n", -1)) {
            sb.append(line.strip().replaceAll("[ \t]+", " ")).append('\n');
        }
        return sb.toString().strip();
    }

    public static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> readLines(Path p) {
        return List.of(read(p).split("\n", -1));
    }

    /**
     * The corpus cache: -Dkdive.corpus, else $KDIVE_CORPUS, else $HOME/.cache/kdive-corpus, the folder
     * the dump scripts use (the JVM's user.home comes from the password database and ignores $HOME).
     */
    public static Path cacheRoot() {
        String prop = System.getProperty("kdive.corpus");
        if (prop == null || prop.isBlank()) prop = System.getenv("KDIVE_CORPUS");
        if (prop == null || prop.isBlank()) {
            String home = System.getenv("HOME");
            prop = (home == null || home.isBlank() ? System.getProperty("user.home") : home) + "/.cache/kdive-corpus";
        }
        return Paths.get(prop);
    }

    private static void runSetup(Path root) {
        try {
            Path setup = shared().resolve("corpus/setup.sh");
            Process p = new ProcessBuilder("bash", setup.toString(), root.toString()).inheritIO().start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("setup.sh did not finish in 10 minutes");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
