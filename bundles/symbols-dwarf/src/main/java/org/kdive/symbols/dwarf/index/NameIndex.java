package org.kdive.symbols.dwarf.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.kdive.api.KdiveException;
import org.kdive.symbols.dwarf.dwarf.DwarfFile;
import org.kdive.symbols.dwarf.dwarf.NameScanner;
import org.kdive.symbols.dwarf.dwarf.Reader;
import org.kdive.symbols.dwarf.dwarf.Unit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Name → DIE index of the top-level types, variables, functions and enumeration constants. Built in parallel over units on
 * first need and cached on disk by build-id; a cached file is mapped and used in place.
 */
public final class NameIndex {
    private static final Logger LOG = LoggerFactory.getLogger(NameIndex.class);
    private static final long MAGIC = 0x31584449_4556494bL; // "KDIVEIDX1" little-endian-ish tag
    private static final int VERSION = 4; // 3: (key, priority|reference) pairs interleaved; 4: enumerators
    private static final int HEADER = 128;

    private final NameTable table;     // when built in this process
    private final ByteBuffer mapped;   // when loaded from the cache
    private final int capacity;
    private final List<String> problems;
    private volatile Thread saver;     // the background save of a freshly built index

    private NameIndex(NameTable table, ByteBuffer mapped, int capacity, List<String> problems) {
        this.table = table;
        this.mapped = mapped;
        this.capacity = capacity;
        this.problems = problems;
    }

    /** -1 when the name is not indexed. */
    public long lookup(Category c, String name) {
        long key = c.key(Reader.hash(name));
        return table != null ? table.get(key) : NameTable.get(mapped, HEADER, capacity, key);
    }

    /** Units that could not be indexed (malformed), as messages. */
    public List<String> problems() { return problems; }

    public boolean fromCache() { return mapped != null; }

    // ---- building ----

    /**
     * Scans every unit on all cores: the caller and one thread per other core take the units one by
     * one in section order, each into its own table; the tables are merged at the end. Unless the
     * units are listed already, their headers are read as they are taken (listing 2,000 headers first
     * would be ~20 ms of one thread before any scan), and the listing is handed to the DwarfFile.
     * Results do not depend on which thread got which unit (NameTable keeps the lowest reference among
     * equal priorities), and the scanner's "already reported" cache is sound because each thread meets
     * its units in order. No lambdas or executors here: on a cold JVM their bootstrap alone costs tens
     * of milliseconds.
     */
    public static NameIndex build(DwarfFile dwarf) {
        UnitQueue queue = new UnitQueue(dwarf);
        // each thread has ~6 MiB of tables and buffers, and its table is merged at the end: a few suffice
        int threads = Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors()));
        Worker[] workers = new Worker[threads];
        Thread[] helpers = new Thread[threads - 1];
        for (int i = 0; i < threads; i++) workers[i] = new Worker(queue);
        queue.first = workers[0];
        for (int i = 1; i < threads; i++) {
            Thread t = new Thread(workers[i], "kdive-dwarf-index");
            t.setDaemon(true);
            helpers[i - 1] = t;
            t.start();
        }
        workers[0].run();
        try {
            for (Thread t : helpers) t.join();
        } catch (InterruptedException e) {
            queue.cancelled = true;
            Thread.currentThread().interrupt();
            throw new KdiveException("interrupted while indexing " + dwarf.path);
        }
        for (Worker w : workers) {
            if (w.failure instanceof RuntimeException re) throw re;
            if (w.failure instanceof Error er) throw er;
            if (w.failure != null) throw new KdiveException("indexing " + dwarf.path + " failed: " + w.failure, w.failure);
        }
        queue.handOver();
        // problems in unit order, whichever thread met them
        List<long[]> order = new ArrayList<>();
        List<String> messages = new ArrayList<>();
        for (Worker w : workers) {
            for (int i = 0; i < w.problems.size(); i++) {
                order.add(new long[] {w.problemAt.get(i), messages.size()});
                messages.add(w.problems.get(i));
            }
        }
        if (order.size() > 1) order.sort((a, b) -> Long.compare(a[0], b[0])); // (no lambda bootstrap when clean)
        List<String> problems = new ArrayList<>();
        for (long[] o : order) problems.add(messages.get((int) o[1]));
        NameTable merged = workers[0].table;
        for (int i = 1; i < threads; i++) merged.putAll(workers[i].table);
        return new NameIndex(merged, null, merged.capacity(), problems);
    }

    /** The units of .debug_info then .debug_types, handed out one at a time in order. */
    private static final class UnitQueue {
        final DwarfFile dwarf;
        Worker first;                // the caller's
        private final Unit[] listed; // when the file had them listed already
        private final List<Unit> info = new ArrayList<>(), types = new ArrayList<>();
        private int taken;
        private long off;
        private boolean inTypes, done;
        volatile boolean cancelled;

        UnitQueue(DwarfFile dwarf) {
            this.dwarf = dwarf;
            Unit[][] l = dwarf.listedUnits();
            if (l == null) {
                listed = null;
            } else {
                listed = java.util.Arrays.copyOf(l[0], l[0].length + l[1].length);
                System.arraycopy(l[1], 0, listed, l[0].length, l[1].length);
            }
        }

        /** The next unit, or null when all are taken (or the build was cancelled). */
        synchronized Unit next() {
            if (cancelled) return null;
            if (listed != null) return taken < listed.length ? listed[taken++] : null;
            while (!done) {
                Unit u = dwarf.headerAt(inTypes, off);
                if (u != null) {
                    off = u.end;
                    (inTypes ? types : info).add(u);
                    return u;
                }
                if (inTypes) {
                    done = true;
                } else {
                    inTypes = true;
                    off = 0;
                }
            }
            return null;
        }

        /** Gives the DwarfFile the listing made on the way (after a complete scan). */
        synchronized void handOver() {
            if (listed == null && done) dwarf.adoptUnits(info.toArray(new Unit[0]), types.toArray(new Unit[0]));
        }
    }

    /** One indexing thread: takes units until none are left, into its own table with its own scan buffers. */
    private static final class Worker implements Runnable, NameScanner.Sink, java.util.function.IntPredicate {
        final UnitQueue queue;
        NameTable table;
        Throwable failure;
        final List<String> problems = new ArrayList<>();
        final List<Long> problemAt = new ArrayList<>(); // the problem unit's place in section order

        Worker(UnitQueue queue) {
            this.queue = queue;
        }

        @Override
        public void run() {
            try {
                // allocated (and the fresh memory touched) here, by each thread in parallel
                table = new NameTable(1 << 18); // vmlinux: ~120k names, so no rehashing while scanning
                NameScanner.Scratch scratch = new NameScanner.Scratch();
                queue.dwarf.copyForScan(this != queue.first);
                for (Unit u; (u = queue.next()) != null; ) {
                    try {
                        NameScanner.scan(u, this, this, scratch);
                    } catch (KdiveException e) {
                        problems.add(e.getMessage());
                        problemAt.add(DwarfFile.ref(u.inTypes, u.offset));
                        LOG.warn("not indexed: {}", e.getMessage());
                    }
                }
            } catch (RuntimeException | Error e) {
                failure = e;
                queue.cancelled = true;
            }
        }

        @Override
        public void name(int tag, long nameHash, long ref, int priority) {
            Category c = Category.ofTag(tag);
            if (c != null) table.put(c.key(nameHash), ref, priority);
        }

        /** The tags indexed. */
        @Override
        public boolean test(int tag) {
            return Category.ofTag(tag) != null;
        }
    }

    // ---- on-disk cache ----

    /** The cache folder: -Dkdive.index.dir, $KDIVE_INDEX_DIR, else ~/.cache/kdive/index. */
    public static Path cacheDir() {
        String d = System.getProperty("kdive.index.dir");
        if (d == null || d.isBlank()) d = System.getenv("KDIVE_INDEX_DIR");
        if (d == null || d.isBlank()) return Paths.get(System.getProperty("user.home"), ".cache", "kdive", "index");
        return Paths.get(d);
    }

    /**
     * Loads the cached index for this identity, else builds it and saves it on a background thread
     * (the caller answers meanwhile; {@link #awaitSaved} before the process ends).
     */
    public static NameIndex loadOrBuild(DwarfFile dwarf, String identity) {
        Path file = cacheDir().resolve(fileName(identity));
        long infoSize = dwarf.sections.info.limit();
        if (Files.isRegularFile(file)) {
            try {
                NameIndex idx = load(file, identity, infoSize);
                if (idx != null) return idx;
                LOG.info("index {} is stale or corrupt: rebuilding", file);
            } catch (IOException | RuntimeException e) {
                LOG.info("index {} unreadable ({}): rebuilding", file, e.toString());
            }
        }
        NameIndex built = build(dwarf);
        if (built.problems.isEmpty()) {
            Thread t = new Thread(new Saver(built, file, identity, infoSize), "kdive-index-save");
            t.setDaemon(true); // never keeps a JVM alive; a cut-off save leaves only a temporary file
            t.setPriority(Thread.MIN_PRIORITY);
            built.saver = t;
            t.start();
        }
        return built;
    }

    /** Saves a built index (a class, not a lambda: a cold JVM bootstraps the first lambda in ~20 ms). */
    private static final class Saver implements Runnable {
        private final NameIndex index;
        private final Path file;
        private final String identity;
        private final long infoSize;

        Saver(NameIndex index, Path file, String identity, long infoSize) {
            this.index = index;
            this.file = file;
            this.identity = identity;
            this.infoSize = infoSize;
        }

        @Override
        public void run() {
            try {
                index.save(file, identity, infoSize);
            } catch (IOException | RuntimeException e) {
                LOG.warn("cannot cache the index at {}: {}", file, e.toString());
            }
        }
    }

    /** Waits (bounded) for the background save of a freshly built index, so that the next run finds it. */
    public void awaitSaved(long millis) {
        Thread t = saver;
        if (t == null) return;
        try {
            t.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Writes the table under a temporary name in the cache folder, then renames it over the final
     * name: readers see the old file, no file, or the whole new one. The temporary name is unique
     * per process and save (not Files.createTempFile: its SecureRandom costs ~100 ms on a cold JVM).
     */
    void save(Path file, String identity, long infoSize) throws IOException {
        Path dir = file.getParent();
        Files.createDirectories(dir);
        removeStaleTemporaries(dir, file.getFileName().toString());
        int cap = table.capacity();
        long size = HEADER + (long) cap * 16 + 8;
        if (size > Integer.MAX_VALUE) throw new IOException("index too large");
        byte[] id = identity.getBytes(StandardCharsets.UTF_8);
        if (id.length > HEADER - 32) throw new IOException("identity too long");
        // a direct buffer is written by the channel as is (a heap one is first copied into one)
        ByteBuffer b = ByteBuffer.allocateDirect((int) size).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(MAGIC).putInt(VERSION).putInt(cap).putInt(table.count).putLong(infoSize);
        b.putInt(id.length).put(id);
        b.position(HEADER);
        b.asLongBuffer().put(table.slots);
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().position(0).limit((int) size - 8));
        b.putLong((int) size - 8, crc.getValue());
        b.clear();
        // (no string concatenation, regex or ProcessHandle on this path: each costs milliseconds to
        // bootstrap on a cold JVM, and the process waits for this save before it exits)
        Path tmp = dir.resolve(new StringBuilder(file.getFileName().toString()).append('.')
                .append(Long.toHexString(System.nanoTime())).append('-').append(Thread.currentThread().getId())
                .append('-').append(Integer.toHexString(System.identityHashCode(b))).append(TMP).toString());
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                while (b.hasRemaining()) ch.write(b);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static final String TMP = ".tmp";

    /** Deletes temporary files of this index that a killed process left (older than a minute). */
    private static void removeStaleTemporaries(Path dir, String name) {
        long old = System.currentTimeMillis() - 60_000;
        try (java.nio.file.DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (!n.startsWith(name) || !n.endsWith(TMP) || n.length() <= name.length() + TMP.length()
                        || n.charAt(name.length()) != '.') continue;
                try {
                    if (Files.getLastModifiedTime(p).toMillis() < old) Files.deleteIfExists(p);
                } catch (IOException e) {
                    // another process's, or gone already
                }
            }
        } catch (IOException e) {
            // nothing to clean
        }
    }

    /** The cache file name of an identity: its characters outside [A-Za-z0-9._-] as '_', then ".idx". */
    static String fileName(String identity) {
        StringBuilder sb = new StringBuilder(identity.length() + 4);
        for (int i = 0; i < identity.length(); i++) {
            char c = identity.charAt(i);
            boolean ok = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-';
            sb.append(ok ? c : '_');
        }
        return sb.append(".idx").toString();
    }

    /** null when the file does not match (other identity, other size, bad checksum). */
    static NameIndex load(Path file, String identity, long infoSize) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < HEADER + 8 || size > Integer.MAX_VALUE) return null;
            ByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
            if (b.getLong(0) != MAGIC || b.getInt(8) != VERSION) return null;
            int cap = b.getInt(12);
            if (cap <= 0 || Integer.bitCount(cap) != 1 || HEADER + (long) cap * 16 + 8 != size) return null;
            if (b.getLong(20) != infoSize) return null;
            int idLen = b.getInt(28);
            if (idLen < 0 || idLen > HEADER - 32) return null;
            byte[] id = new byte[idLen];
            b.get(32, id);
            if (!new String(id, StandardCharsets.UTF_8).equals(identity)) return null;
            CRC32C crc = new CRC32C();
            crc.update(b.duplicate().position(0).limit((int) size - 8));
            if (crc.getValue() != b.getLong((int) size - 8)) return null;
            return new NameIndex(null, b, cap, List.of());
        }
    }
}
