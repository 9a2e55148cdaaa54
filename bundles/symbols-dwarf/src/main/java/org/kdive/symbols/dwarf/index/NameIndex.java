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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32C;
import org.kdive.api.KdiveException;
import org.kdive.symbols.dwarf.dwarf.DwarfFile;
import org.kdive.symbols.dwarf.dwarf.NameScanner;
import org.kdive.symbols.dwarf.dwarf.Reader;
import org.kdive.symbols.dwarf.dwarf.Unit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Name → DIE index of the top-level types, variables and functions. Built in parallel over units on
 * first need and cached on disk by build-id; a cached file is mapped and used in place.
 */
public final class NameIndex {
    private static final Logger LOG = LoggerFactory.getLogger(NameIndex.class);
    private static final long MAGIC = 0x31584449_4556494bL; // "KDIVEIDX1" little-endian-ish tag
    private static final int VERSION = 2;
    private static final int HEADER = 128;

    private final NameTable table;     // when built in this process
    private final ByteBuffer mapped;   // when loaded from the cache
    private final int capacity;
    private final List<String> problems;

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

    public static NameIndex build(DwarfFile dwarf) {
        List<Unit> all = new ArrayList<>(List.of(dwarf.units()));
        all.addAll(List.of(dwarf.typeUnitsDebugTypes()));
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        // contiguous chunks of about equal bytes, several per thread for balance; merged in order
        long total = 0;
        for (Unit u : all) total += u.end - u.offset;
        int chunks = threads == 1 ? 1 : threads * 4;
        long per = Math.max(1, total / chunks);
        List<List<Unit>> parts = new ArrayList<>();
        List<Unit> cur = new ArrayList<>();
        long acc = 0;
        for (Unit u : all) {
            cur.add(u);
            acc += u.end - u.offset;
            if (acc >= per) {
                parts.add(cur);
                cur = new ArrayList<>();
                acc = 0;
            }
        }
        if (!cur.isEmpty()) parts.add(cur);
        List<String> problems = new ArrayList<>();
        NameTable merged;
        if (parts.size() <= 1) {
            Worker w = new Worker();
            scan(all, problems, w);
            merged = w.table;
        } else {
            ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "kdive-dwarf-index");
                t.setDaemon(true);
                return t;
            });
            try {
                // one table and scratch per thread, not per chunk: the scratch's caches carry over, and
                // only the threads' tables need merging. Results do not depend on which thread got which
                // chunk (NameTable keeps the lowest reference among equal priorities), and the "already
                // reported" cache is sound because the pool's queue is FIFO: each thread meets its chunks
                // in unit order
                List<Worker> workers = java.util.Collections.synchronizedList(new ArrayList<>());
                ThreadLocal<Worker> worker = ThreadLocal.withInitial(() -> {
                    Worker w = new Worker();
                    workers.add(w);
                    return w;
                });
                List<Future<List<String>>> fs = new ArrayList<>();
                for (List<Unit> p : parts) {
                    fs.add(pool.submit(() -> {
                        List<String> probs = new ArrayList<>();
                        scan(p, probs, worker.get());
                        return probs;
                    }));
                }
                for (Future<List<String>> f : fs) problems.addAll(f.get());
                merged = workers.get(0).table;
                for (Worker w : workers.subList(1, workers.size())) merged.putAll(w.table);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KdiveException("interrupted while indexing " + dwarf.path);
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof RuntimeException re) throw re;
                throw new KdiveException("indexing " + dwarf.path + " failed: " + c, c);
            } finally {
                pool.shutdownNow();
            }
        }
        return new NameIndex(merged, null, merged.keys.length, problems);
    }

    /** One indexing thread's state: its part of the table and its scan buffers. */
    private static final class Worker {
        final NameTable table;
        final NameScanner.Scratch scratch = new NameScanner.Scratch();

        Worker() {
            table = new NameTable(1 << 18); // vmlinux: ~120k names, so no rehashing while scanning
        }
    }

    private static void scan(List<Unit> units, List<String> problems, Worker w) {
        NameTable t = w.table;
        NameScanner.Sink sink = (tag, hash, ref, prio) -> {
            Category c = Category.ofTag(tag);
            if (c != null) t.put(c.key(hash), ref, prio);
        };
        for (Unit u : units) {
            try {
                NameScanner.scan(u, sink, tag -> Category.ofTag(tag) != null, w.scratch);
            } catch (KdiveException e) {
                problems.add(e.getMessage());
                LOG.warn("not indexed: {}", e.getMessage());
            }
        }
    }

    // ---- on-disk cache ----

    /** The cache folder: -Dkdive.index.dir, $KDIVE_INDEX_DIR, else ~/.cache/kdive/index. */
    public static Path cacheDir() {
        String d = System.getProperty("kdive.index.dir");
        if (d == null || d.isBlank()) d = System.getenv("KDIVE_INDEX_DIR");
        if (d == null || d.isBlank()) d = System.getProperty("user.home") + "/.cache/kdive/index";
        return Paths.get(d);
    }

    /** Loads the cached index for this identity, else builds and saves it. */
    public static NameIndex loadOrBuild(DwarfFile dwarf, String identity) {
        Path file = cacheDir().resolve(identity.replaceAll("[^A-Za-z0-9._-]", "_") + ".idx");
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
            try {
                built.save(file, identity, infoSize);
            } catch (IOException | RuntimeException e) {
                LOG.warn("cannot cache the index at {}: {}", file, e.toString());
            }
        }
        return built;
    }

    void save(Path file, String identity, long infoSize) throws IOException {
        Files.createDirectories(file.getParent());
        int cap = table.keys.length;
        long size = HEADER + (long) cap * 17 + 8;
        if (size > Integer.MAX_VALUE) throw new IOException("index too large");
        ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(MAGIC).putInt(VERSION).putInt(cap).putInt(table.count).putLong(infoSize);
        byte[] id = identity.getBytes(StandardCharsets.UTF_8);
        if (id.length > HEADER - 32) throw new IOException("identity too long");
        b.putInt(id.length).put(id);
        b.position(HEADER);
        b.asLongBuffer().put(table.keys);
        b.position(HEADER + cap * 8);
        b.asLongBuffer().put(table.vals);
        b.position(HEADER + cap * 16);
        b.put(table.prios);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, (int) size - 8);
        b.putLong((int) size - 8, crc.getValue());
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        try {
            Files.write(tmp, b.array());
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** null when the file does not match (other identity, other size, bad checksum). */
    static NameIndex load(Path file, String identity, long infoSize) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < HEADER + 8 || size > Integer.MAX_VALUE) return null;
            ByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
            if (b.getLong(0) != MAGIC || b.getInt(8) != VERSION) return null;
            int cap = b.getInt(12);
            if (cap <= 0 || Integer.bitCount(cap) != 1 || HEADER + (long) cap * 17 + 8 != size) return null;
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
