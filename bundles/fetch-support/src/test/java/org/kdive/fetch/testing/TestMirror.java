package org.kdive.fetch.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on 127.0.0.1 serving a folder as a mirror, with Range support (and ETag), and
 * faults to inject per path: HTTP 500 for the first N requests, a transfer cut after K bytes.
 */
public final class TestMirror implements AutoCloseable {
    private final HttpServer server;
    private final Path root;
    private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    private final Map<String, Long> truncateOnce = new ConcurrentHashMap<>();
    private final List<String> log = new CopyOnWriteArrayList<>();

    public TestMirror(Path root) throws IOException {
        this.root = root;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "test-mirror");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    public Path root() { return root; }

    /** Requests seen: "GET /path [Range]". */
    public List<String> log() { return log; }

    public void failNext(String path, int times) {
        failures.put(path, new AtomicInteger(times));
    }

    public void truncateOnce(String path, long afterBytes) {
        truncateOnce.put(path, afterBytes);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String range = ex.getRequestHeaders().getFirst("Range");
            log.add(ex.getRequestMethod() + " " + path + (range == null ? "" : " " + range));
            AtomicInteger f = failures.get(path);
            if (f != null && f.getAndDecrement() > 0) {
                ex.sendResponseHeaders(500, -1);
                return;
            }
            Path file = root.resolve(path.substring(1)).normalize();
            if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            long size = Files.size(file);
            String etag = "\"" + Long.toHexString(size) + "-" + Long.toHexString(Files.getLastModifiedTime(file).toMillis()) + "\"";
            ex.getResponseHeaders().set("ETag", etag);
            ex.getResponseHeaders().set("Accept-Ranges", "bytes");
            long start = 0;
            String ifRange = ex.getRequestHeaders().getFirst("If-Range");
            if (range != null && range.startsWith("bytes=") && range.endsWith("-") && (ifRange == null || ifRange.equals(etag))) {
                start = Long.parseLong(range.substring(6, range.length() - 1));
                if (start >= size) {
                    ex.getResponseHeaders().set("Content-Range", "bytes */" + size);
                    ex.sendResponseHeaders(416, -1);
                    return;
                }
                ex.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + (size - 1) + "/" + size);
                ex.sendResponseHeaders(206, size - start);
            } else {
                ex.sendResponseHeaders(200, size);
            }
            Long cut = truncateOnce.remove(path);
            long limit = cut == null ? Long.MAX_VALUE : cut;
            try (InputStream in = Files.newInputStream(file); OutputStream out = ex.getResponseBody()) {
                in.skipNBytes(start);
                byte[] buf = new byte[1 << 16];
                long sent = 0;
                int n;
                while ((n = in.read(buf)) > 0) {
                    int m = (int) Math.min(n, limit - sent);
                    out.write(buf, 0, m);
                    sent += m;
                    if (sent >= limit) {
                        out.flush();
                        // break the connection mid-body: the client must see a short transfer
                        throw new IOException("test mirror: cut after " + sent + " bytes");
                    }
                }
            }
        } catch (IOException e) {
            // the client hung up or we cut the transfer on purpose
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
