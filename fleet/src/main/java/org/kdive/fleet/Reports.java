package org.kdive.fleet;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;

/**
 * The report as people read it: a text table (report.txt, also what `kdive fleet` prints) and an
 * HTML page (report.html) with a bar chart drawn as inline SVG, so it needs no network to view.
 */
final class Reports {
    private Reports() {
    }

    static void write(Configuration conf, String out, List<Row> groups, List<Row> errors, long total, long bad) {
        put(conf, out + "report.txt", table(groups, total, bad));
        put(conf, out + "report.html", html(groups, errors, total, bad));
    }

    static String table(List<Row> groups, long total, long bad) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-16s %6s  %-11s %-36s %-20s %-20s %-24s %s%n", "SIGNATURE", "COUNT", "KIND", "FUNCTION [MODULE]",
                "FIRST", "LAST", "KERNELS", "EXAMPLE"));
        for (Row r : groups) {
            sb.append(String.format("%-16s %6d  %-11s %-36s %-20s %-20s %-24s %s%n", r.getAs("signature"), (long) r.getAs("count"),
                    r.getAs("panic_kind"), function(r), time(r.getAs("first_time")), time(r.getAs("last_time")),
                    String.join(",", r.<String>getList(r.fieldIndex("kernels"))), r.getAs("example_dump")));
        }
        sb.append(String.format("%n%d dumps, %d signatures, %d errors%n", total, groups.size(), bad));
        return sb.toString();
    }

    private static String function(Row r) {
        String f = r.getAs("fault_function");
        String m = r.getAs("module");
        return (f == null ? "?" : f) + (m == null ? "" : " [" + m + "]");
    }

    private static String time(Object t) {
        return t instanceof Timestamp ts ? ts.toInstant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString()
                .replace("T", " ").replace("Z", "") : "-";
    }

    static String html(List<Row> groups, List<Row> errors, long total, long bad) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>kdive fleet report</title>\n<style>")
                .append("body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;font-size:13px}")
                .append("td,th{border:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top}th{background:#eee}")
                .append("code{font-size:12px}.n{text-align:right}</style></head><body>\n");
        h.append("<h1>kdive fleet report</h1>\n<p>").append(total).append(" dumps, ").append(groups.size()).append(" signatures, ")
                .append(bad).append(" errors.</p>\n");
        h.append(chart(groups));
        h.append("<h2>Signatures</h2>\n<table><tr><th>signature</th><th>count</th><th>kind</th><th>function [module]</th>")
                .append("<th>message</th><th>first</th><th>last</th><th>kernels</th><th>hosts</th><th>top of stack</th><th>example dump</th></tr>\n");
        for (Row r : groups) {
            String msg = r.getAs("panic_message") != null ? r.getAs("panic_message") : r.getAs("headline");
            h.append("<tr><td><code>").append(esc(r.getAs("signature"))).append("</code></td><td class=n>").append((long) r.getAs("count"))
                    .append("</td><td>").append(esc(r.getAs("panic_kind"))).append("</td><td><code>").append(esc(function(r)))
                    .append("</code></td><td>").append(esc(msg)).append("</td><td>").append(time(r.getAs("first_time")))
                    .append("</td><td>").append(time(r.getAs("last_time"))).append("</td><td>")
                    .append(esc(String.join(", ", r.<String>getList(r.fieldIndex("kernels"))))).append("</td><td>")
                    .append(esc(String.join(", ", r.<String>getList(r.fieldIndex("hosts"))))).append("</td><td><code>")
                    .append(esc(stack(r))).append("</code></td><td><code>").append(esc(r.getAs("example_dump"))).append("</code></td></tr>\n");
        }
        h.append("</table>\n");
        if (!errors.isEmpty()) {
            h.append("<h2>Dumps that could not be read</h2>\n<table><tr><th>dump</th><th>error</th></tr>\n");
            for (Row e : errors) {
                h.append("<tr><td><code>").append(esc(e.getAs("dump"))).append("</code></td><td>").append(esc(e.getAs("error"))).append("</td></tr>\n");
            }
            h.append("</table>\n");
        }
        return h.append("</body></html>\n").toString();
    }

    private static String stack(Row r) {
        int i = r.fieldIndex("stack");
        if (r.isNullAt(i)) return "";
        List<String> s = r.getList(i);
        return String.join(" < ", s.subList(0, Math.min(5, s.size())));
    }

    /** Horizontal bars, one per signature (the 30 most frequent), drawn in SVG inside the page. */
    static String chart(List<Row> groups) {
        List<Row> top = groups.subList(0, Math.min(30, groups.size()));
        long most = top.stream().mapToLong(r -> r.getAs("count")).max().orElse(1);
        int bar = 22;
        int label = 420;
        int width = 900;
        StringBuilder s = new StringBuilder();
        s.append("<h2>Dumps per signature</h2>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width)
                .append("\" height=\"").append(top.size() * bar + 10).append("\" role=\"img\" aria-label=\"dumps per signature\">\n");
        for (int i = 0; i < top.size(); i++) {
            Row r = top.get(i);
            long n = r.getAs("count");
            int w = (int) Math.max(2, (width - label - 60) * n / most);
            int y = i * bar + 5;
            s.append("<text x=\"0\" y=\"").append(y + 15).append("\" font-size=\"12\" font-family=\"monospace\">")
                    .append(esc(r.getAs("signature") + "  " + r.getAs("panic_kind") + "  " + function(r))).append("</text>")
                    .append("<rect x=\"").append(label).append("\" y=\"").append(y).append("\" width=\"").append(w).append("\" height=\"")
                    .append(bar - 6).append("\" fill=\"#4a7ebb\"><title>").append(n).append(" dumps</title></rect>")
                    .append("<text x=\"").append(label + w + 6).append("\" y=\"").append(y + 15).append("\" font-size=\"12\">").append(n)
                    .append("</text>\n");
        }
        return s.append("</svg>\n").toString();
    }

    static String esc(Object o) {
        if (o == null) return "";
        return o.toString().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static void put(Configuration conf, String file, String text) {
        try {
            Path p = new Path(Fleet.uri(file));
            FileSystem fs = p.getFileSystem(conf);
            try (OutputStream o = fs.create(p, true)) {
                o.write(text.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }
}
