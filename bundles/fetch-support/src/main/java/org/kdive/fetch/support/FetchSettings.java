package org.kdive.fetch.support;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A fetcher's settings, looked up by key in this order: the OSGi configuration of its PID (from
 * etc/PID.cfg through FileInstall/ConfigAdmin), the system property {@code PID.key}, the plain file
 * named by system property {@code kdive.config} or env {@code KDIVE_CONFIG} (default
 * {@code ~/.config/kdive/kdive.properties}) with lines {@code PID.key=value}, then the default.
 * Lists are comma- or whitespace-separated.
 */
public final class FetchSettings {
    private final String pid;
    private final Map<String, Object> osgi;
    private final Properties file;

    private FetchSettings(String pid, Map<String, ?> osgi, Properties file) {
        this.pid = pid;
        this.osgi = osgi == null ? Map.of() : new HashMap<>(osgi);
        this.file = file;
    }

    /** Settings for {@code pid} with the given OSGi configuration (may be null or empty outside OSGi). */
    public static FetchSettings of(String pid, Map<String, ?> osgiProperties) {
        return new FetchSettings(pid, osgiProperties, loadFile());
    }

    public String pid() { return pid; }

    public String string(String key, String def) {
        Object v = osgi.get(key);
        if (v instanceof String[] a) return String.join(",", a);
        if (v != null && !(v instanceof String s && s.isBlank())) return v.toString();
        String s = System.getProperty(pid + "." + key);
        if (s != null && !s.isBlank()) return s;
        s = file.getProperty(pid + "." + key);
        if (s != null && !s.isBlank()) return s.trim();
        return def;
    }

    public List<String> list(String key, String def) {
        Object v = osgi.get(key);
        if (v instanceof String[] a && a.length > 0) return clean(Arrays.asList(a));
        if (v instanceof List<?> l && !l.isEmpty()) return clean(l.stream().map(Object::toString).toList());
        String s = string(key, def);
        return s == null ? List.of() : clean(Arrays.asList(s.split("[,\\s]+")));
    }

    public int integer(String key, int def) {
        String s = string(key, null);
        try {
            return s == null ? def : Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(pid + "." + key + ": not a number: " + s);
        }
    }

    public long bytes(String key, long def) {
        String s = string(key, null);
        if (s == null) return def;
        String t = s.trim().toUpperCase();
        long mul = 1;
        if (t.endsWith("K")) mul = 1L << 10;
        else if (t.endsWith("M")) mul = 1L << 20;
        else if (t.endsWith("G")) mul = 1L << 30;
        if (mul > 1) t = t.substring(0, t.length() - 1);
        try {
            return Long.parseLong(t.trim()) * mul;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(pid + "." + key + ": not a size: " + s);
        }
    }

    public boolean bool(String key, boolean def) {
        String s = string(key, null);
        return s == null ? def : Boolean.parseBoolean(s.trim());
    }

    public Duration millis(String key, long defMillis) {
        return Duration.ofMillis(integer(key, (int) defMillis));
    }

    /** The download settings every fetcher shares (keys: retries, retryDelayMs, connectTimeoutMs, idleTimeoutMs, maxDownload). */
    public Downloader.Options downloadOptions() {
        return new Downloader.Options(integer("retries", 3), millis("retryDelayMs", 1000),
                millis("connectTimeoutMs", 15000), millis("idleTimeoutMs", 60000), bytes("maxDownload", 8L << 30));
    }

    /** The extraction limits (keys: maxFile, maxUnpacked) against decompression bombs. */
    public Limits limits() {
        return new Limits(bytes("maxFile", 4L << 30), bytes("maxUnpacked", 32L << 30));
    }

    private static List<String> clean(List<String> in) {
        List<String> out = new ArrayList<>();
        for (String s : in) {
            if (s != null && !s.isBlank()) out.add(s.trim());
        }
        return out;
    }

    /** The plain configuration file for use outside OSGi. */
    public static Path configFile() {
        String p = System.getProperty("kdive.config");
        if (p == null || p.isBlank()) p = System.getenv("KDIVE_CONFIG");
        if (p != null && !p.isBlank()) return Paths.get(p);
        return Paths.get(System.getProperty("user.home"), ".config", "kdive", "kdive.properties");
    }

    private static Properties loadFile() {
        Properties p = new Properties();
        Path f = configFile();
        if (Files.isRegularFile(f)) {
            try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new IllegalArgumentException(f + ": cannot read kdive configuration: " + e.getMessage(), e);
            }
        }
        return p;
    }

    /** Extraction limits. */
    public record Limits(long maxFile, long maxUnpacked) {
    }
}
