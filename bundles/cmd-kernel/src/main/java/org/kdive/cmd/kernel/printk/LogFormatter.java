package org.kdive.cmd.kernel.printk;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kdive.api.util.Columns;
import org.kdive.cmd.kernel.access.Clock;

/** Renders log records as crash's `log` does. */
public final class LogFormatter {
    private final boolean noTime;
    private final boolean humanTime;
    private final boolean level;
    private final boolean dict;
    private final boolean caller;
    private final long bootDate;

    public LogFormatter(boolean noTime, boolean humanTime, boolean level, boolean dict, boolean caller, long bootDate) {
        this.noTime = noTime;
        this.humanTime = humanTime;
        this.level = level;
        this.dict = dict;
        this.caller = caller;
        this.bootDate = bootDate;
    }

    public String format(List<LogRecord> records) {
        StringBuilder sb = new StringBuilder();
        for (LogRecord r : records) format(sb, r);
        return sb.toString();
    }

    public void format(StringBuilder sb, LogRecord r) {
        if (r.empty()) {
            sb.append('\n');
            return;
        }
        int start = sb.length();
        if (!noTime) {
            long secs = Long.divideUnsigned(r.tsNsec(), 1_000_000_000L);
            long rem = Long.remainderUnsigned(r.tsNsec(), 1_000_000_000L);
            if (humanTime) {
                sb.append('[').append(Clock.ctime(bootDate + secs)).append("] ");
            } else {
                Columns.zeros(Columns.right(sb.append('['), secs, 5).append('.'), rem / 1000, 6).append("] ");
            }
        }
        if (caller && r.callerId() >= 0) {
            long cid = r.callerId();
            String c = ((cid & 0x80000000L) != 0 ? "C" : "T") + (cid & 0x7fffffffL);
            Columns.right(sb.append('['), c, 6).append("] ");
        }
        if (level && r.level() >= 0) sb.append('<').append(Integer.toHexString(r.level())).append('>');
        String indent = " ".repeat(sb.length() - start);
        for (byte b : r.text()) {
            int c = b & 0xff;
            if (c == '\n') sb.append('\n').append(indent);
            else if ((c >= 0x20 && c < 0x7f) || c == '\t' || c == 0x0b || c == 0x0c || c == '\r') sb.append((char) c);
            else sb.append('.');
        }
        if (dict) {
            if (!r.subsystem().isEmpty()) sb.append('\n').append(indent).append("SUBSYSTEM=").append(r.subsystem());
            if (!r.device().isEmpty()) sb.append('\n').append(indent).append("DEVICE=").append(r.device());
        }
        sb.append('\n');
    }

    /** The JSON form: one object per record. */
    public static List<Object> data(List<LogRecord> records) {
        List<Object> out = new ArrayList<>();
        for (LogRecord r : records) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("timestamp_ns", r.tsNsec());
            m.put("level", r.level());
            if (r.callerId() >= 0) m.put("caller_id", r.callerId());
            m.put("text", new String(r.text(), java.nio.charset.StandardCharsets.UTF_8));
            if (!r.subsystem().isEmpty()) m.put("subsystem", r.subsystem());
            if (!r.device().isEmpty()) m.put("device", r.device());
            out.add(m);
        }
        return out;
    }
}
