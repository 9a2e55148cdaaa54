package org.kdive.fetch.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import org.kdive.api.command.Progress;
import org.kdive.api.fetch.FetchException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP GETs with retries on server errors and broken transfers, resume by Range of a partial file
 * ({@code NAME.part}, checked against the server's ETag/Last-Modified by If-Range), and an atomic
 * rename once the whole file is there and its checksum matches. A stalled transfer is cut after
 * the idle timeout, so nothing hangs.
 */
public final class Downloader {
    private static final Logger LOG = LoggerFactory.getLogger(Downloader.class);
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kdive-download-watchdog");
        t.setDaemon(true);
        return t;
    });

    /** Download settings; see {@link FetchSettings#downloadOptions()}. */
    public record Options(int retries, Duration retryDelay, Duration connectTimeout, Duration idleTimeout, long maxBytes) {
    }

    /** What the repository metadata says the file must be (either may be unknown: null / -1). */
    public record Expect(String sha256, long size) {
        public static final Expect NOTHING = new Expect(null, -1);
    }

    private volatile HttpClient client;
    private final Options options;

    public Downloader(Options options) {
        this.options = options;
    }

    /** Made on first download: building an HttpClient loads the TLS trust store, which costs start-up time. */
    private HttpClient client() {
        HttpClient c = client;
        if (c == null) {
            synchronized (this) {
                if (client == null) {
                    client = HttpClient.newBuilder()
                            .version(HttpClient.Version.HTTP_1_1)
                            .followRedirects(HttpClient.Redirect.NORMAL)
                            .connectTimeout(options.connectTimeout())
                            .build();
                }
                c = client;
            }
        }
        return c;
    }

    public Options options() { return options; }

    /**
     * Downloads {@code uri} to {@code dest} (atomically: {@code dest} appears only complete and
     * verified). Returns false when the server says 404/410.
     *
     * @param progress opened with the total size once known (may be called with -1)
     */
    public boolean download(URI uri, Path dest, Expect expect, BiFunction<String, Long, Progress> progress)
            throws IOException {
        Path part = dest.resolveSibling(dest.getFileName() + ".part");
        Path validator = dest.resolveSibling(dest.getFileName() + ".part.validator");
        Files.createDirectories(dest.getParent());
        IOException last = null;
        for (int attempt = 0; attempt <= options.retries(); attempt++) {
            if (attempt > 0) sleep(attempt);
            long have = Files.isRegularFile(part) ? Files.size(part) : 0;
            String ifRange = have > 0 && Files.isRegularFile(validator)
                    ? Files.readString(validator, StandardCharsets.UTF_8).trim() : null;
            if (have > 0 && ifRange == null) {
                // cannot prove the partial file is from the same version: start over
                Files.delete(part);
                have = 0;
            }
            if (expect.size() >= 0 && have >= expect.size() && have > 0) {
                break; // a previous run got it all but died before the rename
            }
            HttpRequest.Builder rb = HttpRequest.newBuilder(uri).GET().timeout(options.idleTimeout().plus(options.connectTimeout()));
            if (have > 0) {
                rb.header("Range", "bytes=" + have + "-");
                rb.header("If-Range", ifRange);
            }
            HttpResponse<InputStream> resp;
            try {
                resp = client().send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("download of " + uri + " interrupted");
            } catch (IOException e) {
                last = e;
                LOG.debug("GET {} failed (attempt {}): {}", uri, attempt + 1, e.toString());
                continue;
            }
            int code = resp.statusCode();
            try (InputStream body = resp.body()) {
                if (code == 404 || code == 410) {
                    Files.deleteIfExists(part);
                    Files.deleteIfExists(validator);
                    return false;
                }
                if (code == 416) {
                    // our partial file is longer than the server's: not the same file
                    Files.deleteIfExists(part);
                    last = new IOException(uri + ": HTTP 416 for a resumed download; starting over");
                    continue;
                }
                if (code >= 500 || code == 429 || code == 408) {
                    last = new IOException(uri + ": HTTP " + code);
                    continue;
                }
                if (code != 200 && code != 206) {
                    throw new FetchException(uri + ": HTTP " + code);
                }
                boolean append = code == 206 && rangeStart(resp) == have;
                if (!append) have = 0;
                long length = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
                long total = length < 0 ? expect.size() : have + length;
                if (total > options.maxBytes() || (expect.size() >= 0 && total >= 0 && total != expect.size())) {
                    throw new FetchException(uri + ": server announces " + total + " bytes, expected "
                            + (expect.size() >= 0 ? expect.size() : "at most " + options.maxBytes()));
                }
                String v = resp.headers().firstValue("ETag")
                        .or(() -> resp.headers().firstValue("Last-Modified")).orElse(null);
                if (v != null && !v.startsWith("W/")) {
                    Files.writeString(validator, v, StandardCharsets.UTF_8);
                } else {
                    Files.deleteIfExists(validator);
                }
                try (Progress p = progress.apply("download " + uri, total)) {
                    p.advance(have);
                    copy(body, part, append, have, p);
                } catch (IOException e) {
                    last = e;
                    LOG.debug("GET {} broke off (attempt {}): {}", uri, attempt + 1, e.toString());
                    continue;
                }
                last = null;
                break;
            }
        }
        if (last != null) {
            throw new FetchException("download of " + uri + " failed after " + (options.retries() + 1)
                    + " attempts: " + last.getMessage() + " (the partial file " + part + " is kept to resume)", last);
        }
        verify(uri, part, expect);
        Files.move(part, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.deleteIfExists(validator);
        return true;
    }

    private void verify(URI uri, Path part, Expect expect) throws IOException {
        long size = Files.size(part);
        if (expect.size() >= 0 && size != expect.size()) {
            Files.delete(part);
            throw new FetchException(uri + ": got " + size + " bytes, the repository metadata says " + expect.size());
        }
        if (expect.sha256() != null) {
            String got = sha256(part);
            if (!got.equalsIgnoreCase(expect.sha256())) {
                Files.delete(part);
                throw new FetchException(uri + ": SHA256 mismatch: repository metadata says " + expect.sha256()
                        + ", the download has " + got + " (file discarded)");
            }
        }
    }

    private void copy(InputStream body, Path part, boolean append, long have, Progress p) throws IOException {
        AtomicLong lastRead = new AtomicLong(System.nanoTime());
        long idle = options.idleTimeout().toNanos();
        ScheduledFuture<?> watchdog = WATCHDOG.scheduleWithFixedDelay(() -> {
            if (System.nanoTime() - lastRead.get() > idle) {
                try {
                    body.close(); // unblocks the reader with an IOException
                } catch (IOException ignored) {
                    // closing is all we can do
                }
            }
        }, 200, 200, TimeUnit.MILLISECONDS);
        try (OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buf = new byte[1 << 16];
            long total = have;
            int n;
            while ((n = body.read(buf)) >= 0) {
                lastRead.set(System.nanoTime());
                out.write(buf, 0, n);
                total += n;
                p.advance(n);
                if (total > options.maxBytes()) {
                    throw new FetchException("download larger than the limit of " + options.maxBytes() + " bytes");
                }
            }
        } finally {
            watchdog.cancel(false);
        }
        if (System.nanoTime() - lastRead.get() > idle) {
            throw new IOException("transfer stalled for more than " + options.idleTimeout().toSeconds() + " s");
        }
    }

    private static long rangeStart(HttpResponse<?> resp) {
        // Content-Range: bytes START-END/TOTAL
        String cr = resp.headers().firstValue("Content-Range").orElse("");
        int sp = cr.indexOf(' ');
        int dash = cr.indexOf('-');
        if (!cr.startsWith("bytes") || sp < 0 || dash < sp) return -1;
        try {
            return Long.parseLong(cr.substring(sp + 1, dash).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * A small file (repository metadata) into memory, with retries; empty on 404/410.
     */
    public Optional<byte[]> get(URI uri, long maxBytes) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt <= options.retries(); attempt++) {
            if (attempt > 0) sleep(attempt);
            try {
                HttpResponse<InputStream> resp = client().send(HttpRequest.newBuilder(uri).GET()
                        .timeout(options.idleTimeout().plus(options.connectTimeout())).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream in = resp.body()) {
                    int code = resp.statusCode();
                    if (code == 404 || code == 410) return Optional.empty();
                    if (code >= 500 || code == 429 || code == 408) {
                        last = new IOException(uri + ": HTTP " + code);
                        continue;
                    }
                    if (code != 200) throw new FetchException(uri + ": HTTP " + code);
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    byte[] buf = new byte[1 << 16];
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        out.write(buf, 0, n);
                        if (out.size() > maxBytes) throw new FetchException(uri + ": larger than " + maxBytes + " bytes");
                    }
                    return Optional.of(out.toByteArray());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("GET " + uri + " interrupted");
            } catch (FetchException e) {
                throw e;
            } catch (IOException e) {
                last = e;
            }
        }
        throw new FetchException("GET " + uri + " failed after " + (options.retries() + 1) + " attempts: "
                + last.getMessage(), last);
    }

    private void sleep(int attempt) throws InterruptedIOException {
        try {
            Thread.sleep(options.retryDelay().toMillis() * (1L << Math.min(attempt - 1, 5)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to retry");
        }
    }

    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) >= 0) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
