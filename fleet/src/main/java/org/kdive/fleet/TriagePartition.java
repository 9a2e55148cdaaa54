package org.kdive.fleet;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;

/**
 * Runs in the executors: triages each dump of a partition with this JVM's kdive framework. A dump
 * that is not on a local file system is copied to a local temporary file first (kdive maps dumps).
 * Nothing here throws for one dump: a failure is that dump's error record.
 */
final class TriagePartition implements FlatMapFunction<Iterator<DumpRef>, Row> {
    private static final long serialVersionUID = 1L;
    private final Settings settings;
    private final Map<String, String> hadoop;

    TriagePartition(Settings settings, Map<String, String> hadoop) {
        this.settings = settings;
        this.hadoop = hadoop;
    }

    @Override
    public Iterator<Row> call(Iterator<DumpRef> dumps) {
        List<Row> rows = new ArrayList<>();
        EmbeddedKdive kdive = null;
        String startError = null;
        try {
            kdive = EmbeddedKdive.of(home(settings.kdiveHome()));
        } catch (RuntimeException e) {
            startError = "kdive did not start on this executor: " + e.getMessage();
        }
        while (dumps.hasNext()) {
            DumpRef d = dumps.next();
            rows.add(Schema.row(startError != null ? error(startError) : triage(kdive, d), d));
        }
        return rows.iterator();
    }

    /**
     * The installation on this executor: absolute, or relative to the working folder (YARN unpacks
     * --archives there), or to SparkFiles' folder (where standalone and Kubernetes unpack them).
     */
    static Path home(String configured) {
        Path p = Paths.get(configured);
        if (p.isAbsolute() || Files.isDirectory(p.resolve("bundles"))) return p.toAbsolutePath();
        Path files = Paths.get(org.apache.spark.SparkFiles.getRootDirectory()).resolve(configured);
        return Files.isDirectory(files.resolve("bundles")) ? files : p.toAbsolutePath();
    }

    private Map<String, Object> triage(EmbeddedKdive kdive, DumpRef d) {
        Path copy = null;
        try {
            URI uri = URI.create(d.uri());
            Path local;
            if (uri.getScheme() == null || uri.getScheme().equals("file")) {
                local = uri.getScheme() == null ? Paths.get(d.uri()) : Paths.get(uri);
            } else {
                copy = Files.createTempFile("kdive-fleet-", "-" + Paths.get(uri.getPath()).getFileName());
                Configuration conf = new Configuration();
                hadoop.forEach(conf::set);
                FileSystem fs = FileSystem.get(uri, conf);
                try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(uri))) {
                    Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
                }
                local = copy;
            }
            Map<String, Object> request = new HashMap<>();
            request.put("files", List.of(local.toString()));
            request.put("name", d.uri());
            request.put("vmlinux", settings.vmlinux());
            request.put("debuginfo", settings.debuginfo());
            request.put("fetch", settings.fetch());
            request.put("timeout", settings.timeout());
            return kdive.triage(request);
        } catch (IOException | RuntimeException e) {
            return error(d.uri() + ": " + e.getMessage());
        } finally {
            if (copy != null) {
                try {
                    Files.deleteIfExists(copy);
                } catch (IOException e) {
                    // a temporary file
                }
            }
        }
    }

    private static Map<String, Object> error(String message) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("ok", false);
        r.put("error", message);
        return r;
    }
}
