package org.kdive.test;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The dumps made at test time by {@code dumps/make-dumps.sh} (see dumps/README.md): every row of
 * {@code dumps/dumps.list} and of each {@code dumps/*}{@code /dumps.list}, made or not, so a test
 * can iterate over every kernel generation and kind.
 *
 * <p>The rule for a missing dump: {@link Entry#require()} FAILS the test, unless the run allows
 * missing dumps ({@code ./test.sh --allow-missing-dumps}, i.e. {@code -Dkdive.allowMissingDumps=true});
 * then the test is skipped with the reason, and test.sh lists it at the end.
 */
public final class MadeDumps {
    /** System property: {@code true} skips (instead of failing) tests whose made dump is missing. */
    public static final String ALLOW_MISSING = "kdive.allowMissingDumps";
    private static List<Entry> all;

    private MadeDumps() {
    }

    /** One row of a dumps.list: the dump it names may or may not be made. */
    public record Entry(String kernel, String kind, String trigger, String capture, int cpus, int paging,
                        List<String> outputs, List<String> refs, Path dir) {
        /** Why the dump is not usable (no STAMP, a listed file missing or changed in size), or null. */
        public String problem() {
            Path stamp = dir.resolve("STAMP");
            if (!Files.isRegularFile(stamp)) {
                Path failed = dir.resolveSibling(kind + ".failed.log");
                return "not made (no " + stamp + ")"
                        + (Files.isRegularFile(failed) ? "; the last attempt failed, see " + failed : "");
            }
            for (String line : Corpus.read(stamp).split("\n")) {
                if (!line.startsWith("file ")) continue;
                String[] f = line.split(" ", 5);  // file SHA256 SIZE MTIME PATH
                Path p = dir.resolve(f[4]);
                try {
                    if (!Files.exists(p)) return p + " is listed in its STAMP but missing";
                    if (Files.size(p) != Long.parseLong(f[2])) return p + " changed size since its STAMP";
                } catch (IOException e) {
                    return p + ": " + e.getMessage();
                }
            }
            return null;
        }

        public boolean made() {
            return problem() == null;
        }

        /**
         * The made dump; when it is missing the test fails, or is skipped if the run allows missing
         * dumps ({@value MadeDumps#ALLOW_MISSING}).
         */
        public MadeDump require() {
            String problem = problem();
            if (problem == null) return new MadeDump(this);
            String why = "made dump " + this + " " + problem + ": run dumps/make-dumps.sh " + this
                    + " (./test.sh does)";
            if (allowMissing()) {
                Assumptions.abort(why + " [skipped: the run allows missing dumps]");
            }
            return fail(why + " [to skip instead: ./test.sh --allow-missing-dumps, or -D" + ALLOW_MISSING + "=true]");
        }

        @Override
        public String toString() {
            return kernel + "/" + kind;
        }
    }

    /** Every dump the lists name, in list order. */
    public static synchronized List<Entry> all() {
        if (all == null) all = List.copyOf(read());
        return all;
    }

    /** The dumps of one kind, one per kernel that has it (e.g. "vqbug-kdump": every generation). */
    public static List<Entry> ofKind(String kind) {
        List<Entry> r = all().stream().filter(e -> e.kind().equals(kind)).toList();
        if (r.isEmpty()) throw new IllegalArgumentException("no kind " + kind + " in dumps.list");
        return r;
    }

    public static Entry get(String kernel, String kind) {
        return all().stream().filter(e -> e.kernel().equals(kernel) && e.kind().equals(kind)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no dump " + kernel + "/" + kind + " in dumps.list"));
    }

    /** {@code get(kernel, kind).require()}. */
    public static MadeDump require(String kernel, String kind) {
        return get(kernel, kind).require();
    }

    public static boolean allowMissing() {
        return Boolean.parseBoolean(System.getProperty(ALLOW_MISSING, "false"));
    }

    /**
     * A file of the corpus kernel's (deb12-6.1-cloud) made dumps by its name in the former
     * ~/.cache/kdive-corpus/extra folder: vmcore-KIND.flat, vmcore-sysrq.qemu.elf,
     * vmcore-kdump.proc, vmcore-kdump.kdump, console-KIND.log, crashme.ko. Fails (or skips) as
     * {@link Entry#require()} when that dump is missing.
     */
    public static Path corpusKernelFile(String extraName) {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("vmcore-([a-z]+)\\.(flat|qemu\\.elf|proc|kdump)|console-([a-z]+)\\.log|(crashme\\.ko)").matcher(extraName);
        if (!m.matches()) throw new IllegalArgumentException("no made dump file is called " + extraName);
        if (m.group(4) != null) return require("deb12-6.1-cloud", "null").file("crashme.ko");
        if (m.group(3) != null) return require("deb12-6.1-cloud", m.group(3)).console();
        String ext = m.group(2);
        return require("deb12-6.1-cloud", m.group(1)).file(ext.equals("qemu.elf") ? "vmcore.qemu.elf" : "vmcore." + ext);
    }

    /** The made dumps' folder: ${KDIVE_CORPUS:-~/.cache/kdive-corpus}/made. */
    public static Path madeDir() {
        return Corpus.cacheRoot().resolve("made");
    }

    /** The repository's dumps/ folder (found above the working directory). */
    public static Path repoDumps() {
        Path p = Paths.get("").toAbsolutePath();
        while (p != null) {
            Path d = p.resolve("dumps");
            if (Files.isRegularFile(d.resolve("dumps.list"))) return d;
            p = p.getParent();
        }
        throw new IllegalStateException("dumps/dumps.list not found above " + Paths.get("").toAbsolutePath());
    }

    private static List<Entry> read() {
        Path dumps = repoDumps();
        List<Path> lists = new ArrayList<>();
        lists.add(dumps.resolve("dumps.list"));
        try (Stream<Path> s = Files.list(dumps)) {
            s.filter(Files::isDirectory).map(d -> d.resolve("dumps.list")).filter(Files::isRegularFile).sorted()
                    .forEach(lists::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Entry> r = new ArrayList<>();
        for (Path list : lists) {
            for (String line : Corpus.read(list).split("\n")) {
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#")) continue;
                String[] c = l.split("\\s+");
                if (c.length < 8) throw new IllegalStateException(list + ": a row needs 8 columns: " + line);
                r.add(new Entry(c[0], c[1], c[2], c[3], Integer.parseInt(c[4]), Integer.parseInt(c[5]),
                        Arrays.asList(c[6].split(",")), c[7].equals("-") ? List.of() : Arrays.asList(c[7].split(",")),
                        madeDir().resolve(c[0]).resolve(c[1])));
            }
        }
        return r;
    }
}
