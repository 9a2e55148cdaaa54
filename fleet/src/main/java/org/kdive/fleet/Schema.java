package org.kdive.fleet;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The table of triage records: the fields of kdive-cmd-triage's records (by name: the job shares no
 * class with the bundles), plus what the file system says of the dump (size, modification time) and
 * the crash time as a timestamp.
 */
final class Schema {
    private static final String[] STRINGS = {"dump", "error", "signature", "panic_kind", "panic_detail", "panic_message",
        "headline", "fault_function", "fault_address", "module", "module_version", "module_srcversion", "module_build_id",
        "bug_file", "stack_source", "unwound_task", "signature_input", "kernel_release", "kernel_version", "build_id", "arch",
        "host", "crash_time", "memory", "taint", "comm", "format", "compression", "debuginfo", "debuginfo_source"};
    private static final String[] LONGS = {"fault_offset", "bug_line", "uptime_seconds", "cpus", "memory_bytes", "taint_mask",
        "panic_cpu", "pid", "dump_level", "elapsed_ms"};
    private static final String[] LISTS = {"stack", "unwound_stack", "warnings", "problems"};

    /** Column order of the records table. */
    static final StructType RECORD = build();

    private Schema() {
    }

    private static StructType build() {
        List<StructField> f = new ArrayList<>();
        f.add(DataTypes.createStructField("dump", DataTypes.StringType, false));
        f.add(DataTypes.createStructField("ok", DataTypes.BooleanType, false));
        for (String s : STRINGS) if (!s.equals("dump")) f.add(DataTypes.createStructField(s, DataTypes.StringType, true));
        for (String s : LONGS) f.add(DataTypes.createStructField(s, DataTypes.LongType, true));
        for (String s : LISTS) f.add(DataTypes.createStructField(s, DataTypes.createArrayType(DataTypes.StringType), true));
        f.add(DataTypes.createStructField("crash_ts", DataTypes.TimestampType, true));
        f.add(DataTypes.createStructField("dump_size", DataTypes.LongType, true));
        f.add(DataTypes.createStructField("dump_mtime", DataTypes.TimestampType, true));
        return DataTypes.createStructType(f);
    }

    /** A record (JSON-ready Map) as a row of {@link #RECORD}; missing fields are null. */
    static Row row(Map<String, Object> r, DumpRef ref) {
        Object[] v = new Object[RECORD.fields().length];
        for (int i = 0; i < v.length; i++) {
            StructField f = RECORD.fields()[i];
            Object x = r.get(f.name());
            v[i] = convert(f.dataType(), x);
        }
        v[RECORD.fieldIndex("dump")] = ref.uri();
        v[RECORD.fieldIndex("ok")] = Boolean.TRUE.equals(r.get("ok"));
        String host = (String) v[RECORD.fieldIndex("host")];
        if (host != null && (host.isEmpty() || host.equals("(none)"))) v[RECORD.fieldIndex("host")] = null;
        Object ct = r.get("crash_time");
        v[RECORD.fieldIndex("crash_ts")] = ct == null ? null : timestamp(ct.toString());
        v[RECORD.fieldIndex("dump_size")] = ref.size();
        v[RECORD.fieldIndex("dump_mtime")] = ref.mtime() > 0 ? new Timestamp(ref.mtime()) : null;
        return RowFactory.create(v);
    }

    private static Object convert(DataType t, Object x) {
        if (x == null) return null;
        if (t.equals(DataTypes.StringType)) return x.toString();
        if (t.equals(DataTypes.LongType)) return x instanceof Number n ? n.longValue() : null;
        if (t.equals(DataTypes.BooleanType)) return x instanceof Boolean b ? b : null;
        if (x instanceof List<?> l) {
            List<String> out = new ArrayList<>();
            for (Object o : l) out.add(String.valueOf(o));
            return scala.jdk.javaapi.CollectionConverters.asScala(out).toSeq();
        }
        return null;
    }

    private static Timestamp timestamp(String iso) {
        try {
            return Timestamp.from(Instant.parse(iso));
        } catch (RuntimeException e) {
            return null;
        }
    }
}
