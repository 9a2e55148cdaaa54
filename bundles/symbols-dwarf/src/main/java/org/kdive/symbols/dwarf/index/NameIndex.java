package org.kdive.symbols.dwarf.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * first need and cached on disk under the build-id, keyed on the content it was built from (a checksum of the DWARF
 * sections it reads, re-verified whenever the file on disk is another one or was written); a cached file is mapped and
 * used in place. An index built while any part of the DWARF was skipped is never cached.
 */
public final class NameIndex {
    private static final Logger LOG = LoggerFactory.getLogger(NameIndex.class);
    private static final long MAGIC = 0x31584449_4556494bL; // "KDIVEIDX1" little-endian-ish tag
    // 3: (key, priority|reference) pairs interleaved; 4: enumerators; 5: content checksum and the stamps of files seen;
    // 6: where the units of .debug_info start (after the table)
    private static final int VERSION = 6;
    private static final int HEADER = 384;
    // header: magic, version, capacity, count, .debug_info size, identity length + identity, then:
    private static final int ID_MAX = 64, CONTENT = 32 + ID_MAX, STAMP_COUNT = CONTENT + 8, STAMPS = STAMP_COUNT + 8;
    private static final int MAX_STAMPS = 4; // copies of one build (a re-fetch, a copy) each verified once
    private static final int UNIT_STARTS = HEADER - 8; // how many offsets follow the table (units + 1)

    private final NameTable table;     // when built in this process
    private final ByteBuffer mapped;   // when loaded from the cache
    private final int capacity;
    private final List<String> problems;
    private final BackgroundSave saver = new BackgroundSave(); // of a freshly built (or newly verified) index
    private boolean verified;          // loaded after checking its content against the file's
    private long[] unitStarts;         // of .debug_info's units, then the end of the last (see DwarfFile.adoptUnitStarts)

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

    /** Where the units of .debug_info start, then where the last ends; null when not known. */
    public long[] unitStarts() {
        if (mapped == null || unitStarts != null) return unitStarts;
        int n = mapped.getInt(UNIT_STARTS);
        if (n == 0) return null;
        long[] starts = new long[n];
        mapped.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(HEADER + capacity * 16).asLongBuffer().get(starts);
        return starts;
    }

    /** Units that could not be indexed (malformed), as messages. */
    public List<String> problems() { return problems; }

    public boolean fromCache() { return mapped != null; }

    /** The checksum of the DWARF sections an index of {@code dwarf} is keyed on (for the fuzz tests' seeds). */
    public static long contentChecksum(DwarfFile dwarf) {
        return SourceStamp.contentChecksum(dwarf.sections);
    }

    /** Loaded from the cache after comparing the checksum of the DWARF sections (a file not seen before). */
    public boolean verifiedByChecksum() { return verified; }

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
        // problems in unit order, whichever thread met them, then the parts left out at malformed unit headers
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
        problems.addAll(dwarf.skippedUnits());
        NameTable merged = workers[0].table;
        for (int i = 1; i < threads; i++) merged.putAll(workers[i].table);
        NameIndex built = new NameIndex(merged, null, merged.capacity(), problems);
        built.unitStarts = dwarf.unitStarts();
        return built;
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

    /** The cache folder ({@link org.kdive.api.util.IndexDir}). */
    public static Path cacheDir() {
        return org.kdive.api.util.IndexDir.path();
    }

    /**
     * Loads the cached index for this identity when it was built from this content, else builds it and
     * saves it on a background thread (the caller answers meanwhile; {@link #awaitSaved} before the
     * process ends). A build that skipped anything is not saved: the next run tries again. A loaded index
     * tells {@code dwarf} where its units start ({@link DwarfFile#adoptUnitStarts}).
     */
    public static NameIndex loadOrBuild(DwarfFile dwarf, String identity) {
        Path file = cacheDir().resolve(fileName(identity));
        long infoSize = dwarf.sections.info.limit();
        SourceStamp stamp = SourceStamp.of(dwarf.path);
        if (Files.isRegularFile(file)) {
            try {
                NameIndex idx = load(file, identity, infoSize, dwarf, stamp);
                if (idx != null) {
                    // as a build hands over the units it listed: no listing of all their headers
                    long[] starts = idx.unitStarts();
                    if (starts != null) dwarf.adoptUnitStarts(starts);
                    return idx;
                }
            } catch (IOException | RuntimeException e) {
                LOG.info("index {} unreadable ({}): rebuilding", file, e.toString());
            }
        }
        NameIndex built = build(dwarf);
        if (!built.problems.isEmpty()) {
            LOG.warn("{}: not caching its name index: {} part(s) of its DWARF could not be read", dwarf.path,
                    built.problems.size());
        } else if (stamp != null) {
            built.saveInBackground(new Saver(built, null, file, identity, infoSize, dwarf, stamp));
        }
        return built;
    }

    private void saveInBackground(Saver s) {
        saver.start(s, "kdive-index-save");
    }

    /**
     * Saves a built index, or a loaded one with the stamp of one more file verified to hold its content
     * (a class, not a lambda: a cold JVM bootstraps the first lambda in ~20 ms).
     */
    private static final class Saver implements Runnable {
        private final NameIndex index;
        private final ByteBuffer loaded; // the cached file, when only a stamp is added
        private final Path file;
        private final String identity;
        private final long infoSize;
        private final DwarfFile dwarf;
        private final SourceStamp stamp;

        Saver(NameIndex index, ByteBuffer loaded, Path file, String identity, long infoSize, DwarfFile dwarf,
              SourceStamp stamp) {
            this.index = index;
            this.loaded = loaded;
            this.file = file;
            this.identity = identity;
            this.infoSize = infoSize;
            this.dwarf = dwarf;
            this.stamp = stamp;
        }

        @Override
        public void run() {
            try {
                if (loaded != null) {
                    addStamp(loaded, file, stamp);
                    return;
                }
                // checksummed after the build: the content the index was built from, unless the file was
                // written meanwhile, which changes its stamp
                long content = SourceStamp.contentChecksum(dwarf.sections);
                if (!stamp.equals(SourceStamp.of(dwarf.path))) {
                    LOG.info("{} changed while it was indexed: not caching the index", dwarf.path);
                    return;
                }
                index.save(file, identity, infoSize, content, stamp);
            } catch (IOException | RuntimeException | InternalError e) { // InternalError: a mapped file cut short
                LOG.warn("cannot cache the index at {}: {}", file, e.toString());
            }
        }
    }

    /** Waits (bounded) for the background save of a freshly built index, so that the next run finds it. */
    public void awaitSaved(long millis) {
        saver.await(millis);
    }

    /**
     * Writes the table under a temporary name in the cache folder, then renames it over the final
     * name: readers see the old file, no file, or the whole new one. The temporary name is unique
     * per process and save (not Files.createTempFile: its SecureRandom costs ~100 ms on a cold JVM).
     */
    void save(Path file, String identity, long infoSize, long content, SourceStamp stamp) throws IOException {
        int cap = table.capacity();
        long[] starts = unitStarts;
        if (starts == null) starts = new long[0];
        long size = HEADER + (long) cap * 16 + 8L * starts.length + 8;
        if (size > Integer.MAX_VALUE) throw new IOException("index too large");
        byte[] id = identity.getBytes(StandardCharsets.UTF_8);
        if (id.length > ID_MAX) throw new IOException("identity too long");
        // a direct buffer is written by the channel as is (a heap one is first copied into one)
        ByteBuffer b = ByteBuffer.allocateDirect((int) size).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(MAGIC).putInt(VERSION).putInt(cap).putInt(table.count).putLong(infoSize);
        b.putInt(id.length).put(id);
        b.putLong(CONTENT, content).putInt(STAMP_COUNT, 1).putInt(UNIT_STARTS, starts.length);
        stamp.write(b, STAMPS);
        b.position(HEADER);
        b.asLongBuffer().put(table.slots);
        b.position(HEADER + cap * 16);
        b.asLongBuffer().put(starts);
        write(file, b);
    }

    /** Rewrites a loaded index with one more file stamp (the oldest goes when there are {@link #MAX_STAMPS}). */
    private static void addStamp(ByteBuffer loaded, Path file, SourceStamp stamp) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(loaded.capacity()).order(ByteOrder.LITTLE_ENDIAN);
        b.put(loaded.duplicate().clear()).clear();
        int n = Math.max(0, Math.min(b.getInt(STAMP_COUNT), MAX_STAMPS));
        if (n == MAX_STAMPS) {
            ByteBuffer rest = b.duplicate().position(STAMPS + SourceStamp.BYTES).limit(STAMPS + n * SourceStamp.BYTES);
            b.put(STAMPS, rest, 0, rest.remaining());
            n--;
        }
        stamp.write(b, STAMPS + n * SourceStamp.BYTES);
        b.putInt(STAMP_COUNT, n + 1);
        write(file, b);
    }

    /**
     * Seals the image with its checksum (its last 8 bytes), writes it to a temporary file and renames
     * that over the cache file (the symbol table's cache files are written this way too).
     */
    public static void write(Path file, ByteBuffer b) throws IOException {
        int size = b.capacity();
        Path dir = file.getParent();
        Files.createDirectories(dir);
        removeStaleTemporaries(dir, file.getFileName().toString());
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().position(0).limit(size - 8));
        b.putLong(size - 8, crc.getValue());
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
        return fileName(identity, ".idx");
    }

    /** The name of another cache file of this identity (the symbol table's: ".sym"). */
    public static String fileName(String identity, String ext) {
        StringBuilder sb = new StringBuilder(identity.length() + 4);
        for (int i = 0; i < identity.length(); i++) {
            char c = identity.charAt(i);
            boolean ok = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-';
            sb.append(ok ? c : '_');
        }
        return sb.append(ext).toString();
    }

    /**
     * null when the file does not match (other identity or content, bad checksum). A file whose stamp
     * is recorded is trusted as is; another (a copy, or one written since) is checksummed once, and its
     * stamp recorded in the background when the content is the same.
     */
    static NameIndex load(Path file, String identity, long infoSize, DwarfFile dwarf, SourceStamp stamp)
            throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < HEADER + 8 || size > Integer.MAX_VALUE) return null;
            ByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
            return fromImage(b, file, identity, infoSize, dwarf, stamp);
        }
    }

    /**
     * The index in a cache file's bytes, or null when they do not match (see {@link #load}); {@code stamp}
     * null: the content is checksummed and no stamp recorded. Public for the fuzz tests.
     */
    public static NameIndex fromImage(ByteBuffer b, Path file, String identity, long infoSize, DwarfFile dwarf,
                                      SourceStamp stamp) {
        b = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int size = b.capacity();
        if (size < HEADER + 8) return null;
        if (b.getLong(0) != MAGIC || b.getInt(8) != VERSION) return null;
        int cap = b.getInt(12);
        int starts = b.getInt(UNIT_STARTS);
        if (cap <= 0 || Integer.bitCount(cap) != 1 || starts < 0 || HEADER + (long) cap * 16 + 8L * starts + 8 != size) return null;
        if (b.getLong(20) != infoSize) return null;
        int idLen = b.getInt(28);
        if (idLen < 0 || idLen > ID_MAX) return null;
        byte[] id = new byte[idLen];
        b.get(32, id);
        if (!new String(id, StandardCharsets.UTF_8).equals(identity)) return null;
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().position(0).limit(size - 8));
        if (crc.getValue() != b.getLong(size - 8)) {
            LOG.info("index {} is damaged: rebuilding", file);
            return null;
        }
        NameIndex idx = new NameIndex(null, b, cap, List.of());
        int stamps = Math.min(b.getInt(STAMP_COUNT), MAX_STAMPS);
        for (int i = 0; i < stamps && stamp != null; i++) {
            if (stamp.equals(SourceStamp.read(b, STAMPS + i * SourceStamp.BYTES))) return idx;
        }
        if (SourceStamp.contentChecksum(dwarf.sections) != b.getLong(CONTENT)) {
            LOG.info("index {} was built from other contents of {}: rebuilding", file, dwarf.path.getFileName());
            return null;
        }
        idx.verified = true;
        if (stamp != null) idx.saveInBackground(new Saver(idx, b, file, identity, infoSize, dwarf, stamp));
        return idx;
    }
}
