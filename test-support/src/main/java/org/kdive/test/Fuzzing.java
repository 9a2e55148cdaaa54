package org.kdive.test;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Seeded mutation fuzzing of a parser on real input: the seed is mutated a number of times, the target
 * runs on each mutant, only the allowed exception types may escape, and nothing may take longer than the
 * time bound. The random seed differs from run to run (so that runs together cover more), and a
 * failure names it: {@code -Dkdive.fuzz.seed=N} replays that run exactly. Coverage-guided fuzzing
 * (Jazzer, the @FuzzTest classes and bench/fuzz.sh) complements this.
 *
 * <pre>
 * Fuzzing.of("kdump", seed).mutation(Fuzzing.fieldEdits(0x1100)).rounds(3000)
 *         .allow(DumpFormatException.class, MemoryAccessException.class)
 *         .within(Duration.ofSeconds(60)).run(KdumpFuzz::fuzz);
 * </pre>
 */
public final class Fuzzing {
    /** Turns a copy of the seed into a mutant; draws only from {@code random} (the run replays). */
    @FunctionalInterface
    public interface Mutation {
        byte[] apply(byte[] copy, Random random);
    }

    private final String what;
    private final byte[] seed;
    private Mutation mutation = fieldEdits(Integer.MAX_VALUE);
    private int rounds = 1000;
    /** Set: the seed this run uses (a replay); else a fresh one per run. */
    public static final String SEED_PROPERTY = "kdive.fuzz.seed";
    private Long randomSeed;
    private List<Class<? extends Throwable>> allowed = List.of();
    private Duration total;
    private Duration eachRound;

    private Fuzzing(String what, byte[] seed) {
        this.what = what;
        this.seed = seed.clone();
    }

    /** A run on {@code seed}, named {@code what} in failures. */
    public static Fuzzing of(String what, byte[] seed) {
        return new Fuzzing(what, seed);
    }

    public Fuzzing mutation(Mutation m) {
        this.mutation = m;
        return this;
    }

    public Fuzzing rounds(int n) {
        this.rounds = n;
        return this;
    }

    /** Pins the random seed (a replay in a test); without it each run draws one, or takes -Dkdive.fuzz.seed. */
    public Fuzzing randomSeed(long s) {
        this.randomSeed = s;
        return this;
    }

    /** The seed of this run: pinned, else -Dkdive.fuzz.seed, else drawn now. */
    private long seedOfThisRun() {
        if (randomSeed != null) return randomSeed;
        String p = System.getProperty(SEED_PROPERTY);
        if (p != null && !p.isBlank()) return Long.parseLong(p.trim());
        return new java.security.SecureRandom().nextLong();
    }

    /** The exception types the target may throw on bad input (its typed errors). */
    @SafeVarargs
    public final Fuzzing allow(Class<? extends Throwable>... types) {
        this.allowed = List.of(types);
        return this;
    }

    /** A bound on the whole run. */
    public Fuzzing within(Duration d) {
        this.total = d;
        return this;
    }

    /** A bound on each round (a hang is reported with its round). */
    public Fuzzing eachWithin(Duration d) {
        this.eachRound = d;
        return this;
    }

    /** Runs every round; fails on the first escaping exception of another type, or when a bound is exceeded. */
    public void run(Consumer<byte[]> target) {
        long s = seedOfThisRun();
        String replay = " (random seed " + s + ": -D" + SEED_PROPERTY + "=" + s + " replays this run)";
        if (total == null) {
            rounds(target, s, replay);
        } else {
            assertTimeoutPreemptively(total, () -> rounds(target, s, replay), what + ": fuzzing took longer than " + total + replay);
        }
    }

    private void rounds(Consumer<byte[]> target, long s, String replay) {
        Random r = new Random(s);
        for (int round = 0; round < rounds; round++) {
            byte[] mutant = mutation.apply(seed.clone(), r);
            int n = round;
            if (eachRound == null) {
                once(target, mutant, n, replay);
            } else {
                assertTimeoutPreemptively(eachRound, () -> once(target, mutant, n, replay), what + " round " + n + " hung" + replay);
            }
        }
    }

    private void once(Consumer<byte[]> target, byte[] mutant, int round, String replay) {
        try {
            target.accept(mutant);
        } catch (AssertionError e) {
            throw new AssertionError(what + " round " + round + replay + ": " + e.getMessage(), e); // an agreement check
        } catch (Throwable t) {
            for (Class<? extends Throwable> a : allowed) {
                if (a.isInstance(t)) return; // the parser said what is wrong
            }
            fail(what + " round " + round + replay + ": " + t, t);
        }
    }

    /**
     * 1 to 8 edits, three in four within the first {@code hot} bytes (the headers): a random byte, a
     * flipped bit, a boundary value over an aligned 8-byte field, or a truncation.
     */
    public static Mutation fieldEdits(int hot) {
        return (b, r) -> {
            int edits = 1 + r.nextInt(8);
            for (int e = 0; e < edits; e++) {
                int at = r.nextInt(4) > 0 ? r.nextInt(Math.min(hot, b.length)) : r.nextInt(b.length);
                switch (r.nextInt(4)) {
                    case 0 -> b[at] = (byte) r.nextInt(256);
                    case 1 -> b[at] ^= (byte) (1 << r.nextInt(8));
                    case 2 -> { // a boundary value into a 4- or 8-byte field
                        long[] v = {0, 1, -1, 0x7fffffffL, 0x80000000L, Long.MAX_VALUE, Long.MIN_VALUE, b.length};
                        long x = v[r.nextInt(v.length)];
                        for (int k = 0; k < 8 && (at & ~7) + k < b.length; k++) b[(at & ~7) + k] = (byte) (x >>> (8 * k));
                    }
                    default -> b = Arrays.copyOf(b, r.nextInt(b.length + 1));
                }
                if (b.length == 0) break;
            }
            return b;
        };
    }

    /** The first {@code n} bytes of a file (fewer if it is shorter): a seed of headers and first pages. */
    public static byte[] head(Path file, int n) {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
