package org.kdive.cmd.symbols.modules;

import java.io.IOException;
import java.lang.ref.SoftReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.DebugInfo;

/**
 * What a kdive server's runs on one dump would otherwise read again at every run: the module list
 * and the modules' kallsyms, 100-250 ms of each served run before its first command. Kept for the
 * last two dumps, keyed on the dump's files and the kernel's debuginfo file (path, size, times
 * and file key of each: a rewritten file is another key), held softly. Both are read from the
 * dump's memory alone and do not change with it; a run in a JVM of its own has one session and
 * reads them once either way.
 */
final class KeptAcrossRuns {
    private static final int DUMPS = 2;
    private static final Map<List<Object>, SoftReference<Map<String, Object>>> KEPT = new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<List<Object>, SoftReference<Map<String, Object>>> eldest) {
            return size() > DUMPS;
        }
    };

    private KeptAcrossRuns() {
    }

    /** {@code what} of this session's dump: kept from an earlier session on the same files, else read now. */
    @SuppressWarnings("unchecked")
    static <T> T get(Session s, String what, Supplier<T> read) {
        List<Object> key = key(s);
        if (key == null) return read.get();
        Map<String, Object> values;
        synchronized (KEPT) {
            SoftReference<Map<String, Object>> r = KEPT.get(key);
            values = r == null ? null : r.get();
            if (values == null) {
                values = new java.util.concurrent.ConcurrentHashMap<>();
                KEPT.put(key, new SoftReference<>(values));
            }
        }
        Object v = values.get(what);
        if (v == null) {
            v = read.get();
            values.put(what, v);
        }
        return (T) v;
    }

    /** The files' identities, or null when one cannot be read (then nothing is kept). */
    private static List<Object> key(Session s) {
        List<Object> key = new ArrayList<>();
        List<Path> files = new ArrayList<>(s.dump().files());
        s.vmlinux().map(DebugInfo::file).ifPresent(files::add);
        key.add(s.vmlinux().isPresent() ? "vmlinux" : "no vmlinux");
        for (Path f : files) {
            if (f == null) return null;
            try {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                key.add(f.toAbsolutePath().normalize());
                key.add(a.size());
                key.add(a.lastModifiedTime().toMillis());
                key.add(a.fileKey());
            } catch (IOException e) {
                return null;
            }
        }
        return key;
    }
}
