package org.kdive.cmd.kernel.printk;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.kdive.cmd.kernel.access.Kernel;

/**
 * The two other message stores `log` shows: the audit queues (log -a: netlink messages the audit
 * daemon had not collected) and, on kernels before 5.15, the per-CPU printk_safe buffers (log -s,
 * and after the log itself when they hold anything).
 */
public final class LogExtras {
    private static final int NLMSGHDR = 16;
    private final Kernel k;

    public LogExtras(Kernel k) {
        this.k = k;
    }

    /** One audit record: its netlink message type and text. */
    public record AuditRecord(int type, String text) { }

    /** Whether this kernel has audit queues crash knows (audit_queue since 4.11, audit_skb_queue before). */
    public boolean hasAudit() {
        return k.hasSymbol("audit_skb_queue") || k.hasSymbol("audit_queue");
    }

    /** The queued audit messages: hold, retry, then the main queue, as crash reads them. */
    public List<AuditRecord> audit() {
        List<AuditRecord> out = new ArrayList<>();
        String[] queues = k.hasSymbol("audit_skb_queue") ? new String[] {"audit_skb_hold_queue", "audit_skb_queue"}
                : new String[] {"audit_hold_queue", "audit_retry_queue", "audit_queue"};
        for (String q : queues) {
            OptionalLong head = k.symbol(q);
            if (head.isPresent()) skbQueue(head.getAsLong(), out);
        }
        return out;
    }

    private void skbQueue(long head, List<AuditRecord> out) {
        long qlen = k.u32(head + k.requireOffset("sk_buff_head", "qlen"));
        if (qlen == 0) return;
        long p = k.u64(head + k.requireOffset("sk_buff_head", "next"));
        long lenOff = k.requireOffset("sk_buff", "len");
        long dataOff = k.requireOffset("sk_buff", "data");
        long nextOff = k.requireOffset("sk_buff", "next");
        long typeOff = k.offset("nlmsghdr", "nlmsg_type").orElse(4);
        for (int n = 0; p != head && p != 0 && n < 100_000; n++) {
            long len = k.u32(p + lenOff);
            long data = k.u64(p + dataOff);
            int type = k.memory().u16(data + typeOff);
            int dataLen = (int) Math.max(0, Math.min(len - NLMSGHDR, 1 << 16));
            byte[] b = k.memory().read(data + NLMSGHDR, dataLen);
            int end = 0;
            while (end < b.length && b[end] != 0) end++;
            out.add(new AuditRecord(type, new String(b, 0, end, java.nio.charset.StandardCharsets.ISO_8859_1)));
            p = k.u64(p + nextOff);
        }
    }

    /** Whether the kernel has printk_safe buffers (Linux 4.11 to 5.14). */
    public boolean hasSafeBuffers() {
        return k.hasMember("printk_safe_seq_buf", "buffer") && k.hasMember("printk_safe_seq_buf", "len");
    }

    /**
     * The printk_safe buffers as crash prints them: with {@code header} (log -s) each buffer and
     * CPU is named; without it (after the log) only non-empty ones show, each line prefixed with
     * the buffer's name unless {@code noName} (log -t). {@code level}: the &lt;N&gt; of each line.
     */
    public String safeBuffers(boolean header, boolean noName, boolean level, List<Object> data) {
        StringBuilder sb = new StringBuilder();
        if (!hasSafeBuffers()) return sb.toString();
        long lenOff = k.requireOffset("printk_safe_seq_buf", "len") + k.offset("atomic_t", "counter").orElse(0);
        long lostOff = k.requireOffset("printk_safe_seq_buf", "message_lost") + k.offset("atomic_t", "counter").orElse(0);
        long bufOff = k.requireOffset("printk_safe_seq_buf", "buffer");
        int size = (int) k.memberSize("printk_safe_seq_buf", "buffer");
        for (String name : new String[] {"nmi_print_seq", "safe_print_seq"}) {
            OptionalLong sym = k.symbol(name);
            if (sym.isEmpty()) continue;
            if (header) sb.append("PRINTK_SAFE_SEQ_BUF: ").append(name).append('\n');
            for (int cpu = 0; cpu < k.cpus(); cpu++) {
                long base = sym.getAsLong() + k.perCpuOffset(cpu);
                int len = (int) k.s32(base + lenOff);
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("buffer", name);
                d.put("cpu", cpu);
                d.put("len", len);
                if (header) {
                    int lost = (int) k.s32(base + lostOff);
                    sb.append(String.format("CPU: %d  ADDR: %x LEN: %d  MESSAGE_LOST: %d%n", cpu, base, len, lost));
                    d.put("message_lost", lost);
                }
                if (len > 0) {
                    byte[] buf = k.memory().read(base + bufOff, size);
                    int start = sb.length();
                    text(sb, buf, Math.min(len, size), header ? "  " : noName ? "" : "[" + name + "] ", level);
                    if (header) sb.append('\n');
                    d.put("text", sb.substring(start));
                } else if (header) {
                    sb.append("  (empty)\n\n");
                }
                if (data != null && (header || len > 0)) data.add(d);
            }
        }
        return sb.toString();
    }

    /** SOH-prefixed lines: the prefix at each line start, the level after SOH, '.' for unprintable bytes. */
    private static void text(StringBuilder sb, byte[] b, int n, String prefix, boolean level) {
        String indent = " ".repeat(prefix.length() + (level ? 3 : 0));
        boolean startOfLine = true;
        for (int i = 0; i < n; i++) {
            boolean sol = startOfLine;
            startOfLine = false;
            int c = b[i] & 0xff;
            if (c == 1) {
                i++;
                if (!sol) sb.append('\n');
                sb.append(prefix);
                if (level && i < n && ((b[i] >= '0' && b[i] <= '7') || b[i] == 'c')) sb.append('<').append((char) b[i]).append('>');
                continue;
            }
            if (sol) sb.append(indent);
            if ((c >= 0x20 && c < 0x7f) || c == ' ' || (c >= 9 && c <= 13)) {
                sb.append((char) c);
                if (c == '\n') startOfLine = true;
            } else {
                sb.append('.');
            }
        }
        if (!startOfLine) sb.append('\n');
    }
}
