package org.kdive.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where in a kernel build's kallsyms the names looked up before are: each hit's symbol number,
 * the place of its tokens in kallsyms_names and their count, and its size. A lookup from a hint
 * reads a page or two of the dump instead of decoding all the names (a megabyte of pages: ~40 ms of
 * CPU of `--info`'s panic_cpu, bench/). One small file per build id in the index directory, beside
 * the DWARF index; a hint is only a place to look: each is checked against the dump's own bytes,
 * and a lookup falls back to the scan when one does not hold. A checksum ends the file: a symbol's
 * number cannot be checked without the scan, so a file changed since it was written is not used.
 * Names the scan did not find are not kept (an absence cannot be checked in the dump without it).
 */
final class KallsymsHints {
    private static final Logger LOG = LoggerFactory.getLogger(KallsymsHints.class);
    private static final String MAGIC = "kdive kallsyms hints 1";
    private static final int MAX_NAMES = 256;
    private static final long MAX_BYTES = 64 << 10;

    /** One symbol of the name: its number, its tokens' place in kallsyms_names and count, its size. */
    record Hit(int index, int first, int count, long size) { }

    private final Path file;
    private final long numSyms;
    private final Map<String, List<Hit>> byName;
    private volatile boolean absolutePercpu;

    private KallsymsHints(Path file, long numSyms, boolean absolutePercpu, Map<String, List<Hit>> byName) {
        this.file = file;
        this.numSyms = numSyms;
        this.absolutePercpu = absolutePercpu;
        this.byName = byName;
    }

    /** The hints for this build (kept for {@code numSyms} names), none yet when the file is missing or unsound. */
    static KallsymsHints load(Path file, long numSyms) {
        Map<String, List<Hit>> names = new LinkedHashMap<>();
        boolean percpu = false;
        try {
            if (Files.isRegularFile(file) && Files.size(file) <= MAX_BYTES) {
                List<String> lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
                String last = lines.isEmpty() ? "" : lines.remove(lines.size() - 1);
                if (!last.equals("crc " + crc(lines))) throw new IllegalStateException("checksum");
                String[] head = lines.size() >= 2 ? lines.get(1).split(" ") : new String[0];
                if (lines.get(0).equals(MAGIC) && head.length == 2 && Long.parseLong(head[0]) == numSyms) {
                    percpu = head[1].equals("1");
                    for (String line : lines.subList(2, lines.size())) {
                        String[] f = line.split(" ");
                        if (f.length < 5 || (f.length - 1) % 4 != 0) throw new NumberFormatException(line);
                        List<Hit> hits = new ArrayList<>();
                        for (int i = 1; i < f.length; i += 4) {
                            hits.add(new Hit(Integer.parseInt(f[i]), Integer.parseInt(f[i + 1]), Integer.parseInt(f[i + 2]),
                                    Long.parseLong(f[i + 3])));
                        }
                        names.put(f[0], List.copyOf(hits));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("kallsyms hints {} unusable, not used: {}", file, e.toString());
            names.clear();
        }
        return new KallsymsHints(file, numSyms, percpu, names);
    }

    /** CRC32C of the lines, each with its line end, in hex. */
    private static String crc(List<String> lines) {
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        for (String l : lines) c.update((l + "\n").getBytes(StandardCharsets.ISO_8859_1));
        return Long.toHexString(c.getValue());
    }

    List<Hit> get(String name) {
        synchronized (byName) {
            return byName.get(name);
        }
    }

    boolean absolutePercpu() {
        return absolutePercpu;
    }

    /** Keeps what a scan found for the name, and writes the file (whole, under a temporary name first). */
    void put(String name, List<Hit> hits, boolean percpu) {
        if (hits.isEmpty() || name.isEmpty() || name.chars().anyMatch(c -> c <= ' ' || c > '~')) return;
        String text;
        synchronized (byName) {
            if (!byName.containsKey(name) && byName.size() >= MAX_NAMES) return;
            byName.put(name, List.copyOf(hits));
            absolutePercpu = percpu;
            StringBuilder sb = new StringBuilder(MAGIC).append('\n').append(numSyms).append(' ').append(percpu ? 1 : 0).append('\n');
            byName.forEach((n, hs) -> {
                sb.append(n);
                for (Hit h : hs) sb.append(' ').append(h.index()).append(' ').append(h.first()).append(' ').append(h.count()).append(' ').append(h.size());
                sb.append('\n');
            });
            String sum = crc(List.of(sb.toString().split("\n")));
            text = sb.append("crc ").append(sum).append('\n').toString();
        }
        Path tmp = file.resolveSibling(file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(tmp, text, StandardCharsets.ISO_8859_1);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            LOG.debug("kallsyms hints {} not written: {}", file, e.toString());
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a cache: the next run tries again
            }
        }
    }
}
