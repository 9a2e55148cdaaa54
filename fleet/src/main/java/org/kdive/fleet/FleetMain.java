package org.kdive.fleet;

import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * {@code kdive fleet [options] DUMP-OR-DIR…}: the fleet job. Run by bin/kdive it is Spark in this
 * process ({@code local[*]}); run by spark-submit it uses the cluster spark-submit names.
 */
public final class FleetMain {
    static final String USAGE = String.join("\n",
            "usage: kdive fleet [options] DUMP-OR-DIR...",
            "",
            "Triages every dump (folders are searched recursively) with Apache Spark: one record per dump,",
            "grouped by crash signature. Inputs and --out are local paths or Hadoop FileSystem URIs",
            "(file://, hdfs://, s3a:// with hadoop-aws on the class path).",
            "",
            "  --out DIR          where records.parquet, records.json, report.parquet, report.json,",
            "                     report.txt and report.html go (default: ./kdive-fleet)",
            "  --master URL       Spark master when not run by spark-submit (default local[*])",
            "  --kdive-home DIR   the kdive installation on the executors (default: this one)",
            "  --include REGEX    file names taken as dumps in folders (default: vmcore, .kdump, .flat, ...)",
            "  --vmlinux FILE     a vmlinux to try for every dump (repeatable)",
            "  --debuginfo DIR    a folder of vmlinux-RELEASE files (repeatable)",
            "  --no-fetch         executors never download debuginfo",
            "  --timeout SECONDS  time allowed per dump (default 120)",
            "  --partitions N     Spark partitions (default: two per core)",
            "  --conf KEY=VALUE   a Spark setting (repeatable), e.g. --conf spark.executor.memory=2g");

    private FleetMain() {
    }

    public static void main(String[] args) {
        Settings s;
        String master = null;
        List<String[]> sparkConf = new ArrayList<>();
        try {
            List<String> inputs = new ArrayList<>();
            List<String> vmlinux = new ArrayList<>();
            List<String> debuginfo = new ArrayList<>();
            String out = "kdive-fleet";
            String home = System.getProperty("kdive.home");
            String include = Settings.DEFAULT_INCLUDE;
            boolean fetch = true;
            int timeout = 120;
            int partitions = 0;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "-h", "--help" -> {
                        System.out.println(USAGE);
                        return;
                    }
                    case "--out" -> out = value(args, ++i, a);
                    case "--master" -> master = value(args, ++i, a);
                    case "--kdive-home" -> home = value(args, ++i, a);
                    case "--include" -> include = value(args, ++i, a);
                    case "--vmlinux" -> vmlinux.add(absolute(value(args, ++i, a)));
                    case "--debuginfo" -> debuginfo.add(absolute(value(args, ++i, a)));
                    case "--no-fetch" -> fetch = false;
                    case "--timeout" -> timeout = Integer.parseInt(value(args, ++i, a));
                    case "--partitions" -> partitions = Integer.parseInt(value(args, ++i, a));
                    case "--conf" -> {
                        String kv = value(args, ++i, a);
                        int eq = kv.indexOf('=');
                        if (eq <= 0) throw new IllegalArgumentException("--conf " + kv + ": not KEY=VALUE");
                        sparkConf.add(new String[] {kv.substring(0, eq), kv.substring(eq + 1)});
                    }
                    default -> {
                        if (a.startsWith("-")) throw new IllegalArgumentException("unknown option: " + a);
                        inputs.add(a);
                    }
                }
            }
            if (inputs.isEmpty()) throw new IllegalArgumentException("no dump or folder given");
            if (home == null) throw new IllegalArgumentException("--kdive-home is needed outside bin/kdive");
            s = new Settings(inputs, Fleet.uri(out).toString(), home, include, vmlinux, debuginfo, fetch, timeout, partitions);
        } catch (IllegalArgumentException e) {
            System.err.println("kdive fleet: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        SparkConf conf = new SparkConf().setAppName("kdive fleet");
        for (String[] kv : sparkConf) conf.set(kv[0], kv[1]);
        if (!conf.contains("spark.master")) {
            // not under spark-submit: Spark in this process, quiet and without its web UI
            conf.setMaster(master != null ? master : "local[*]");
            conf.setIfMissing("spark.ui.enabled", "false");
            conf.setIfMissing("spark.sql.shuffle.partitions", "4");
        }
        long t0 = System.nanoTime();
        int status = 0;
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        try {
            Fleet.Summary sum = Fleet.run(spark, s);
            System.out.print(Reports.table(sum.report(), sum.dumps(), sum.errors()));
            System.out.printf("records and report in %s (report.html, report.txt, records.parquet, records.json); %.1f s%n", sum.out(),
                    (System.nanoTime() - t0) / 1e9);
        } catch (RuntimeException e) {
            // Hadoop's messages can carry a whole stack trace as text: the user gets its first line
            String m = String.valueOf(e.getMessage());
            System.err.println("kdive fleet: " + m.lines().findFirst().orElse(m).strip());
            status = 1;
        } finally {
            spark.stop();
        }
        System.exit(status);
    }

    private static String absolute(String p) {
        return p.contains("://") ? p : Paths.get(p).toAbsolutePath().normalize().toString();
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw new IllegalArgumentException("option " + option + " needs a value");
        return args[i];
    }
}
