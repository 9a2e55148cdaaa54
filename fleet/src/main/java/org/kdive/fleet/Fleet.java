package org.kdive.fleet;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * The fleet job: lists the dumps, triages them in the executors, writes the records (Parquet and
 * JSON) and the report grouped by signature (Parquet, JSON, a text table and an HTML page).
 */
public final class Fleet {
    /** What a run found. */
    public record Summary(long dumps, long ok, long errors, long signatures, String out, List<Row> report) {
    }

    private Fleet() {
    }

    public static Summary run(SparkSession spark, Settings s) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        List<DumpRef> dumps = list(conf, s.inputs(), Pattern.compile(s.include()));
        if (dumps.isEmpty()) throw new IllegalArgumentException("no dumps found in " + s.inputs() + " (file names matching " + s.include() + ")");
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int partitions = s.partitions() > 0 ? s.partitions() : Math.max(1, jsc.defaultParallelism() * 2);
        Map<String, String> hadoop = new HashMap<>();
        conf.forEach(e -> hadoop.put(e.getKey(), e.getValue()));
        JavaRDD<Row> rows = jsc.parallelize(dumps, Math.min(dumps.size(), partitions)).mapPartitions(new TriagePartition(s, hadoop));
        Dataset<Row> records = spark.createDataFrame(rows, Schema.RECORD).cache();
        String out = s.out().endsWith("/") ? s.out() : s.out() + "/";
        records.write().mode(SaveMode.Overwrite).parquet(out + "records.parquet");
        records.write().mode(SaveMode.Overwrite).json(out + "records.json");

        Dataset<Row> report = report(records);
        report.write().mode(SaveMode.Overwrite).parquet(out + "report.parquet");
        report.coalesce(1).write().mode(SaveMode.Overwrite).json(out + "report.json");
        List<Row> groups = report.collectAsList();
        List<Row> errors = records.filter(col("ok").equalTo(false)).select("dump", "error").orderBy("dump").limit(1000).collectAsList();
        long total = records.count();
        long bad = records.filter(col("ok").equalTo(false)).count();
        Reports.write(conf, out, groups, errors, total, bad);
        records.unpersist();
        return new Summary(total, total - bad, bad, groups.size(), out, groups);
    }

    /** One row per signature, most frequent first. */
    static Dataset<Row> report(Dataset<Row> records) {
        return records.filter(col("ok").equalTo(true))
                .withColumn("when", coalesce(col("crash_ts"), col("dump_mtime")))
                .groupBy("signature")
                .agg(count("*").as("count"), first("panic_kind").as("panic_kind"), first("fault_function").as("fault_function"),
                        first("module").as("module"), first("panic_message").as("panic_message"), first("headline").as("headline"),
                        min("when").as("first_time"), max("when").as("last_time"),
                        array_sort(collect_set("kernel_release")).as("kernels"), array_sort(collect_set("host")).as("hosts"),
                        min("dump").as("example_dump"), first("stack").as("stack"), first("signature_input").as("signature_input"))
                .orderBy(col("count").desc(), col("signature"));
    }

    /** Files under the inputs (folders recursively) whose name matches {@code include}; a file named directly is always taken. */
    static List<DumpRef> list(Configuration conf, List<String> inputs, Pattern include) {
        List<DumpRef> out = new ArrayList<>();
        for (String in : inputs) {
            try {
                Path p = new Path(uri(in));
                FileSystem fs = p.getFileSystem(conf);
                FileStatus st = fs.getFileStatus(p);
                if (st.isFile()) {
                    out.add(new DumpRef(fs.makeQualified(st.getPath()).toString(), st.getLen(), st.getModificationTime()));
                    continue;
                }
                RemoteIterator<LocatedFileStatus> it = fs.listFiles(p, true);
                while (it.hasNext()) {
                    LocatedFileStatus f = it.next();
                    String name = f.getPath().getName();
                    if (name.startsWith(".") || !include.matcher(name).matches()) continue;
                    out.add(new DumpRef(fs.makeQualified(f.getPath()).toString(), f.getLen(), f.getModificationTime()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(in + ": " + e.getMessage(), e);
            }
        }
        out.sort(java.util.Comparator.comparing(DumpRef::uri));
        return out;
    }

    /** A local path (relative or absolute) as a file: URI; URIs with a scheme as they are. */
    static URI uri(String s) {
        if (s.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*") || s.startsWith("file:")) return URI.create(s);
        return java.nio.file.Paths.get(s).toAbsolutePath().normalize().toUri();
    }
}
