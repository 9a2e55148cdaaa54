package org.kdive.triage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.kdive.api.fetch.KernelIdentities;
import org.kdive.api.fetch.KernelIdentity;
import org.kdive.api.session.OpenRequest;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.DebugInfo;

/**
 * Triage of one dump at a time, on sessions of its own (several threads may triage at once):
 * never throws, a dump that cannot be read gives a record with "error", and a dump that takes
 * longer than the budget gives one that says so.
 */
public final class Triage {
    /** Every record has these keys, in this order (a stable schema for tables and Parquet). */
    public static final List<String> FIELDS = List.of("dump", "ok", "error", "signature", "panic_kind", "panic_detail",
            "panic_message", "headline", "fault_function", "fault_offset", "fault_address", "module", "module_version",
            "module_srcversion", "module_build_id", "bug_file", "bug_line", "stack", "stack_source", "unwound_stack",
            "unwound_task", "signature_input", "kernel_release", "kernel_version", "build_id", "arch", "host", "crash_time",
            "uptime_seconds", "cpus", "memory", "memory_bytes", "taint", "taint_mask", "panic_cpu", "pid", "comm", "format",
            "compression", "dump_level", "debuginfo", "debuginfo_source", "warnings", "problems", "elapsed_ms");

    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "kdive-triage-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    private final Services svc;
    private final Options opt;

    public Triage(Services services, Options options) {
        this.svc = services;
        this.opt = options;
    }

    /**
     * The record of one dump.
     *
     * @param files the dump (several files for a split dump)
     * @param name  what the record calls the dump (its path, or the URI it was copied from)
     */
    public Map<String, Object> run(List<Path> files, String name) {
        long t0 = System.nanoTime();
        // the worker may still write after a timeout: the caller copies under the maps' locks
        Map<String, Object> r = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
        List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
        List<String> warnings = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicReference<Session> open = new AtomicReference<>();
        Future<?> work = POOL.submit(() -> {
            Session s = open(files, r, warnings);
            open.set(s);
            try {
                new RecordBuilder(s, svc, r, problems).fill();
            } finally {
                if (open.getAndSet(null) != null) svc.sessions().close(s);
            }
            return null;
        });
        String error = null;
        try {
            work.get(opt.budget().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            work.cancel(true);
            error = "timed out: triage took longer than " + opt.budget().toSeconds() + " s";
            Session s = open.getAndSet(null);
            if (s != null) svc.sessions().close(s);
        } catch (ExecutionException e) {
            error = describe(e.getCause() == null ? e : e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            work.cancel(true);
            error = "interrupted";
        }
        Map<String, Object> out = new LinkedHashMap<>();
        synchronized (r) {
            for (String f : FIELDS) out.put(f, r.get(f));
        }
        out.put("dump", name);
        out.put("ok", error == null);
        out.put("error", error);
        synchronized (warnings) {
            out.put("warnings", List.copyOf(warnings));
        }
        synchronized (problems) {
            out.put("problems", List.copyOf(problems));
        }
        out.put("elapsed_ms", (System.nanoTime() - t0) / 1_000_000);
        return out;
    }

    /**
     * The dump with the best debuginfo there is: the given vmlinux files and those named after
     * its release in the --debuginfo folders, then the fetch cache, then the fetchers.
     */
    private Session open(List<Path> files, Map<String, Object> r, List<String> warnings) throws IOException {
        Session bare = svc.sessions().openDetached(new OpenRequest(files, null, false));
        if (bare.vmlinux().isPresent()) return done(bare, "cache", r, warnings);
        KernelIdentity id = KernelIdentities.of(bare.dump());
        List<Path> candidates = new ArrayList<>(opt.vmlinux());
        if (id != null && id.release() != null) candidates.addAll(byRelease(id.release()));
        for (Path c : candidates) {
            try {
                Session s = svc.sessions().openDetached(new OpenRequest(files, c, false));
                svc.sessions().close(bare);
                return done(s, "given", r, warnings);
            } catch (IOException | RuntimeException e) {
                // another kernel's vmlinux: the next candidate
            }
        }
        if (opt.fetch()) {
            Session s = svc.sessions().openDetached(new OpenRequest(files, null, true, true));
            if (s.vmlinux().isPresent()) {
                svc.sessions().close(bare);
                return done(s, "fetched", r, warnings);
            }
            warnings.addAll(s.warnings());
            svc.sessions().close(s);
        }
        return done(bare, "none", r, warnings);
    }

    private static Session done(Session s, String source, Map<String, Object> r, List<String> warnings) {
        synchronized (r) {
            r.put("debuginfo", s.vmlinux().map(DebugInfo::file).map(Path::toString)
                    .orElse("none: the record is built from what the dump carries (kernel log, kallsyms, VMCOREINFO)"));
            r.put("debuginfo_source", source);
        }
        for (String w : s.warnings()) {
            if (!w.startsWith("no vmlinux debuginfo") && !warnings.contains(w)) warnings.add(w);
        }
        return s;
    }

    /** Bad input explains itself (file, offset, expectation); anything else also names its type. */
    static String describe(Throwable t) {
        boolean expected = t instanceof org.kdive.api.KdiveException || t instanceof IOException;
        String m = t.getMessage();
        if (m == null) return t.getClass().getSimpleName();
        return expected ? m : t.getClass().getSimpleName() + ": " + m;
    }

    private List<Path> byRelease(String release) {
        List<Path> out = new ArrayList<>();
        for (Path d : opt.debuginfo()) {
            for (String n : List.of("vmlinux-" + release, "vmlinux-" + release + ".debug", release + "/vmlinux",
                    "usr/lib/debug/boot/vmlinux-" + release, "usr/lib/debug/lib/modules/" + release + "/vmlinux")) {
                Path p = d.resolve(n);
                if (Files.isRegularFile(p)) out.add(p);
            }
        }
        return out;
    }
}
