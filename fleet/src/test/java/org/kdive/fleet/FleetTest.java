package org.kdive.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kdive.test.Corpus;
import org.kdive.test.MadeDumps;

/**
 * The fleet job in a real local Spark session (2 threads, as many as this machine has cores) over
 * every real dump there is, each under two names in two "hosts'" folders, plus damaged copies:
 * one signature per bug whatever the format, the boot or the name; an error record per damaged
 * dump; the report's table and HTML.
 */
class FleetTest {
    private static Path root;
    private static SparkSession spark;
    private static Fleet.Summary summary;
    private static Dataset<Row> records;
    /** name in the fleet folder → which bug it is. */
    private static final Map<String, String> BUG = new HashMap<>();

    @BeforeAll
    static void run() throws IOException {
        root = Files.createTempDirectory("kdive-fleet-test");
        Path in = root.resolve("dumps");
        Map<Path, String> sources = new java.util.LinkedHashMap<>();
        for (String f : List.of("vmcore.kdump-zlib", "vmcore.kdump-lzo", "vmcore.flat", "vmcore.elf-d31")) sources.put(Corpus.file(f), "vqbug");
        sources.put(extra("vmcore-sysrq.flat"), "sysrq");
        sources.put(extra("vmcore-sysrq.qemu.elf"), "sysrq");
        sources.put(extra("vmcore-kdump.kdump"), "sysrq"); // another boot, same sysrq-c
        sources.put(extra("vmcore-kdump.proc"), "sysrq");
        sources.put(extra("vmcore-null.flat"), "null");
        sources.put(extra("vmcore-warn.flat"), "warn");
        int n = 0;
        for (Map.Entry<Path, String> e : sources.entrySet()) {
            for (String host : List.of("host-a", "host-b")) {
                String name = host + "/2026-12-0" + (n % 9 + 1) + "/vmcore-" + n + "-" + e.getKey().getFileName();
                Path link = in.resolve(name);
                Files.createDirectories(link.getParent());
                Files.createSymbolicLink(link, e.getKey().toRealPath());
                BUG.put(link.toString(), e.getValue());
                n++;
            }
        }
        // damaged: the headers alone, and a signature with flipped bytes
        Path small = extra("vmcore-kdump.kdump");
        Path truncated = in.resolve("host-c/vmcore-truncated.kdump");
        Files.createDirectories(truncated.getParent());
        try (var i = Files.newInputStream(small); var o = Files.newOutputStream(truncated)) {
            o.write(i.readNBytes(8192));
        }
        Path flipped = in.resolve("host-c/vmcore-flipped.kdump");
        Files.copy(small, flipped);
        try (RandomAccessFile f = new RandomAccessFile(flipped.toFile(), "rw")) {
            f.seek(0);
            f.write(new byte[] {0x13, 0x37, 0x13, 0x37, 0x13, 0x37, 0x13, 0x37});
        }
        // not dumps: left out by the file-name filter
        Files.writeString(in.resolve("host-c/console.log"), "not a dump\n");

        spark = SparkSession.builder().master("local[2]").appName("kdive fleet test").config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2").getOrCreate();
        Settings s = new Settings(List.of(in.toString()), root.resolve("out").toUri().toString(), home().toString(),
                Settings.DEFAULT_INCLUDE, List.of(Corpus.vmlinux().toString()), List.of(), false, 120, 0);
        summary = Fleet.run(spark, s);
        records = spark.read().parquet(root.resolve("out/records.parquet").toString()).cache();
        System.out.print(Reports.table(summary.report(), summary.dumps(), summary.errors()));
        for (Row r : records.filter("NOT ok").select("dump", "error").collectAsList()) System.out.println("error record: " + r);
    }

    @AfterAll
    static void stop() throws IOException {
        if (spark != null) spark.stop();
        if (root != null) {
            try (var s = Files.walk(root)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static Path home() {
        return Paths.get(System.getProperty("kdive.test.home"));
    }

    /** A dump made at test time of the corpus kernel, by its former extra/ name (org.kdive.test.MadeDumps: missing fails unless allowed). */
    private static Path extra(String name) {
        return org.kdive.test.MadeDumps.corpusKernelFile(name);
    }

    @Test
    void everyDumpHasARecord() {
        assertEquals(BUG.size() + 2, summary.dumps());
        assertEquals(BUG.size(), summary.ok());
        assertEquals(2, summary.errors());
    }

    @Test
    void theSameBugIsOneSignatureAndDifferentBugsAreNot() {
        Map<String, Set<String>> signaturesByBug = new HashMap<>();
        for (Row r : records.filter("ok").collectAsList()) {
            String dump = Paths.get(java.net.URI.create(r.getAs("dump"))).toString();
            String bug = BUG.get(dump);
            assertNotNull(bug, dump);
            signaturesByBug.computeIfAbsent(bug, k -> new HashSet<>()).add(r.getAs("signature"));
        }
        assertEquals(Set.of("vqbug", "sysrq", "null", "warn"), signaturesByBug.keySet());
        Set<String> all = new HashSet<>();
        for (Map.Entry<String, Set<String>> e : signaturesByBug.entrySet()) {
            assertEquals(1, e.getValue().size(), e.getKey() + ": " + e.getValue());
            all.addAll(e.getValue());
        }
        assertEquals(4, all.size());
        // the report groups them: counts per bug, most frequent first
        assertEquals(4, summary.report().size());
        Map<String, Long> counts = new HashMap<>();
        for (Row r : summary.report()) counts.put(r.getAs("panic_kind"), r.getAs("count"));
        assertEquals(Map.of("BUG", 8L, "SYSRQ", 8L, "OOPS", 2L, "WARN", 2L), counts);
        for (Row r : summary.report()) {
            assertEquals(List.of("6.1.0-50-cloud-amd64"), r.getList(r.fieldIndex("kernels")));
            assertNotNull(r.getAs("first_time"));
            assertNotNull(r.getAs("example_dump"));
        }
    }

    @Test
    void damagedDumpsAreErrorRecords() {
        List<Row> bad = records.filter("NOT ok").orderBy("dump").collectAsList();
        assertEquals(2, bad.size());
        for (Row r : bad) {
            String dump = r.getAs("dump");
            assertTrue(dump.endsWith("vmcore-flipped.kdump") || dump.endsWith("vmcore-truncated.kdump"), dump);
            String error = r.getAs("error");
            assertNotNull(error, dump);
            assertFalse(error.isBlank());
        }
    }

    @Test
    void recordsAndReportAreWritten() throws IOException {
        Path out = root.resolve("out");
        assertTrue(Files.isDirectory(out.resolve("records.json")));
        assertEquals(summary.dumps(), spark.read().json(out.resolve("records.json").toString()).count());
        assertEquals(4, spark.read().parquet(out.resolve("report.parquet").toString()).count());
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("<svg"), "inline SVG chart");
        assertFalse(html.contains("http://") && html.replace("http://www.w3.org/2000/svg", "").contains("http://"), "nothing fetched at view time");
        for (Row r : summary.report()) assertTrue(html.contains((String) r.getAs("signature")));
        assertTrue(html.contains("vmcore-flipped.kdump"));
        String txt = Files.readString(out.resolve("report.txt"));
        assertTrue(txt.contains(summary.dumps() + " dumps, 4 signatures, 2 errors"), txt);
    }

    @Test
    void oneFrameworkPerJvmAndSparkStaysOutOfTheBundles() throws Exception {
        assertEquals(1, EmbeddedKdive.started());
        EmbeddedKdive k = EmbeddedKdive.of(home());
        assertThrows(ClassNotFoundException.class, () -> k.loadFromBundle("kdive-core", "org.apache.spark.SparkContext"));
        assertThrows(ClassNotFoundException.class, () -> k.loadFromBundle("kdive-core", "scala.Option"));
        assertThrows(ClassNotFoundException.class, () -> k.loadFromBundle("kdive-core", "org.apache.felix.framework.Felix"));
        assertNotNull(k.loadFromBundle("kdive-core", "org.slf4j.Logger"), "slf4j is shared on purpose");
    }
}
