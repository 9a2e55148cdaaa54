package org.kdive.cmd.kernel.printk;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.kdive.api.command.CommandException;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.api.symbols.Member;
import org.kdive.cmd.kernel.access.Kernel;

/**
 * Reads the printk buffer in whichever layout the kernel has:
 * <ul>
 * <li>5.10+: the lockless ring ({@code prb}: descriptor ring, info array, text data ring);</li>
 * <li>3.5–5.9: variable-length {@code struct printk_log} records in {@code log_buf};</li>
 * <li>older: a plain character buffer with {@code <N>} level prefixes.</li>
 * </ul>
 * Offsets come from debuginfo or VMCOREINFO (which carries every one the ring needs).
 */
public final class PrintkReader {
    /** Upper bounds so garbage sizes cannot make us allocate gigabytes. */
    private static final int MAX_DESC_BITS = 24;
    private static final int MAX_DATA_BITS = 28;
    private static final long DESC_ID_MASK = ~(3L << 62);

    private final Kernel k;

    public PrintkReader(Kernel k) {
        this.k = k;
    }

    /** The result of reading: records, or the whole plain text for the oldest layout. */
    public record Log(List<LogRecord> records, String plainText, List<String> problems) {
        public boolean isPlain() { return plainText != null; }
    }

    public Log read(boolean keepLevelPrefix) {
        if (k.hasSymbol("prb")) return readRing();
        if (k.hasSymbol("log_first_idx") && k.hasSymbol("log_next_idx")) return readVariableLength();
        if (k.hasSymbol("log_buf")) return readPlain(keepLevelPrefix);
        throw new CommandException("cannot find the kernel log: no prb, log_first_idx or log_buf symbol");
    }

    // ---- 5.10+ lockless ring --------------------------------------------------------------------

    private Log readRing() {
        List<String> problems = new ArrayList<>();
        long prb = k.u64(k.requireSymbol("prb"));
        long descRing = prb + k.requireOffset("printk_ringbuffer", "desc_ring");
        long textRing = prb + k.requireOffset("printk_ringbuffer", "text_data_ring");
        long counter = k.offset("atomic_long_t", "counter").orElse(0);

        int countBits = (int) k.u32(descRing + k.requireOffset("prb_desc_ring", "count_bits"));
        int sizeBits = (int) k.u32(textRing + k.requireOffset("prb_data_ring", "size_bits"));
        if (countBits < 0 || countBits > MAX_DESC_BITS || sizeBits < 0 || sizeBits > MAX_DATA_BITS) {
            throw new CommandException(String.format(
                    "printk ring buffer at %x looks corrupt: count_bits %d, size_bits %d", prb, countBits, sizeBits));
        }
        long count = 1L << countBits;
        long dataSize = 1L << sizeBits;
        long descSize = k.requireSize("prb_desc");
        long infoSize = k.requireSize("printk_info");

        byte[] descs = readOrThrow(k.u64(descRing + k.requireOffset("prb_desc_ring", "descs")),
                (int) (descSize * count), "prb_desc_ring contents");
        byte[] infos = readOrThrow(k.u64(descRing + k.requireOffset("prb_desc_ring", "infos")),
                (int) (infoSize * count), "printk_info array");
        byte[] data = readOrThrow(k.u64(textRing + k.requireOffset("prb_data_ring", "data")),
                (int) dataSize, "prb_text_data_ring contents");

        long stateOff = k.requireOffset("prb_desc", "state_var") + counter;
        long lposOff = k.requireOffset("prb_desc", "text_blk_lpos");
        long beginOff = lposOff + k.requireOffset("prb_data_blk_lpos", "begin");
        long nextOff = lposOff + k.requireOffset("prb_data_blk_lpos", "next");
        long tsOff = k.requireOffset("printk_info", "ts_nsec");
        long lenOff = k.requireOffset("printk_info", "text_len");
        long callerOff = k.offset("printk_info", "caller_id").orElse(-1);
        long[] level = levelLocation("printk_info", lenOff + 3);
        long devOff = k.offset("printk_info", "dev_info").orElse(-1);
        long subOff = k.offset("dev_printk_info", "subsystem").orElse(0);
        long devNameOff = k.offset("dev_printk_info", "device").orElse(16);

        long tail = k.u64(descRing + k.requireOffset("prb_desc_ring", "tail_id") + counter);
        long head = k.u64(descRing + k.requireOffset("prb_desc_ring", "head_id") + counter);

        List<LogRecord> out = new ArrayList<>();
        long id = tail;
        for (long n = 0; n <= count; n++) {
            int slot = (int) Long.remainderUnsigned(id, count);
            int d = (int) (slot * descSize);
            int in = (int) (slot * infoSize);
            long sv = le(descs, d + (int) stateOff, 8);
            int state = (int) ((sv >>> 62) & 3);
            boolean sameId = (sv & DESC_ID_MASK) == (id & DESC_ID_MASK);
            // committed (1) and finalized (2) records are complete
            if (sameId && (state == 1 || state == 2)) {
                long begin = Long.remainderUnsigned(le(descs, d + (int) beginOff, 8), dataSize);
                long next = Long.remainderUnsigned(le(descs, d + (int) nextOff, 8), dataSize);
                long ts = le(infos, in + (int) tsOff, 8);
                int lvl = (int) ((le(infos, in + (int) level[0], 1) >>> level[1]) & 7);
                long caller = callerOff >= 0 ? le(infos, in + (int) callerOff, 4) : -1;
                String sub = devOff >= 0 ? cstr(infos, in + (int) (devOff + subOff), 16) : "";
                String dev = devOff >= 0 ? cstr(infos, in + (int) (devOff + devNameOff), 48) : "";
                if (begin == next) {
                    out.add(new LogRecord(ts, lvl, caller, new byte[0], sub, dev, true));
                } else {
                    int textLen = (int) le(infos, in + (int) lenOff, 2);
                    if (begin > next) begin = 0; // the block wrapped: its data starts at the ring's start
                    begin += 8;                  // skip the descriptor id stored before the text
                    if (next - begin < textLen) textLen = (int) Math.max(0, next - begin);
                    byte[] text = new byte[textLen];
                    System.arraycopy(data, (int) begin, text, 0, textLen);
                    out.add(new LogRecord(ts, lvl, caller, text, sub, dev, false));
                }
            }
            if (id == head) break;
            id = (id + 1) & DESC_ID_MASK;
        }
        if (id != head) problems.add("printk ring: head id not reached from tail id (corrupt ring?)");
        return new Log(out, null, problems);
    }

    /** {byte offset, bit shift} of the 3-bit level field; fallback: top bits of the byte at {@code guess}. */
    private long[] levelLocation(String struct, long guess) {
        Optional<Member> m = k.member(struct, "level");
        if (m.isPresent()) {
            Member mem = m.get();
            if (mem.isBitfield()) {
                return new long[] {mem.offset() + mem.bitOffset() / 8, mem.bitOffset() % 8};
            }
            return new long[] {mem.offset(), 0};
        }
        return new long[] {guess, 5};
    }

    // ---- 3.5 .. 5.9 variable-length records ----------------------------------------------------

    private Log readVariableLength() {
        List<String> problems = new ArrayList<>();
        String st = k.size("printk_log").isPresent() ? "printk_log" : "log";
        long bufLen = k.u32(k.requireSymbol("log_buf_len"));
        if (bufLen <= 0 || bufLen > (1L << MAX_DATA_BITS)) {
            throw new CommandException("log_buf_len looks corrupt: " + bufLen);
        }
        byte[] buf = readOrThrow(k.u64(k.requireSymbol("log_buf")), (int) bufLen, "log_buf contents");
        long first = k.u32(k.requireSymbol("log_first_idx"));
        long next = k.u32(k.requireSymbol("log_next_idx"));
        long hdr = k.requireSize(st);
        long tsOff = k.requireOffset(st, "ts_nsec");
        long lenOff = k.requireOffset(st, "len");
        long textLenOff = k.requireOffset(st, "text_len");
        long dictLenOff = k.offset(st, "dict_len").orElse(-1);
        long callerOff = k.offset(st, "caller_id").orElse(-1);
        long[] level = levelLocation(st, textLenOff + 5);

        List<LogRecord> out = new ArrayList<>();
        long idx = first;
        long guard = bufLen / Math.max(hdr, 1) + 2;
        while (idx != next && guard-- > 0) {
            if (idx < 0 || idx + hdr > bufLen) {
                problems.add(String.format("log record index %d outside log_buf (length %d)", idx, bufLen));
                break;
            }
            int len = (int) le(buf, (int) (idx + lenOff), 2);
            if (len == 0) { // end-of-buffer marker: the record is at the start
                idx = 0;
                len = (int) le(buf, (int) lenOff, 2);
                if (len == 0) break;
            }
            int p = (int) idx;
            long ts = le(buf, (int) (p + tsOff), 8);
            int textLen = (int) le(buf, (int) (p + textLenOff), 2);
            int dictLen = dictLenOff >= 0 ? (int) le(buf, (int) (p + dictLenOff), 2) : 0;
            int lvl = (int) ((le(buf, (int) (p + level[0]), 1) >>> level[1]) & 7);
            long caller = callerOff >= 0 ? le(buf, (int) (p + callerOff), 4) : -1;
            int textStart = (int) (p + hdr);
            textLen = (int) Math.max(0, Math.min(textLen, bufLen - textStart));
            byte[] text = new byte[textLen];
            System.arraycopy(buf, textStart, text, 0, textLen);
            String sub = "";
            String dev = "";
            if (dictLen > 0 && textStart + textLen + dictLen <= bufLen) {
                String dict = new String(buf, textStart + textLen, dictLen, StandardCharsets.ISO_8859_1);
                for (String kv : dict.split("\0")) {
                    if (kv.startsWith("SUBSYSTEM=")) sub = kv.substring(10);
                    if (kv.startsWith("DEVICE=")) dev = kv.substring(7);
                }
            }
            out.add(new LogRecord(ts, lvl, caller, text, sub, dev, false));
            idx = idx + len;
        }
        if (guard <= 0) problems.add("log_buf records loop (corrupt log_first_idx/log_next_idx?)");
        return new Log(out, null, problems);
    }

    // ---- plain character buffer (before 3.5) ---------------------------------------------------

    private Log readPlain(boolean keepLevel) {
        long logBuf;
        long len;
        OptionalLong lenSym = k.symbol("log_buf_len");
        if (lenSym.isPresent()) {
            len = k.u32(lenSym.getAsLong());
            logBuf = k.u64(k.requireSymbol("log_buf"));
        } else {
            len = k.arrayLength("log_buf");
            logBuf = k.requireSymbol("log_buf");
        }
        if (len <= 0 || len > (1L << MAX_DATA_BITS)) throw new CommandException("log_buf length looks corrupt: " + len);
        byte[] buf = readOrThrow(logBuf, (int) len, "log_buf contents");
        long end = k.u32(k.requireSymbol("log_end"));
        int index = end < len ? 0 : (int) (end & (len - 1));
        boolean levelPrefix = end < len && index == 0 && buf[0] == '<';
        StringBuilder sb = new StringBuilder();
        char last = 0;
        for (int pass = 0; pass < 2; pass++) {
            int from = pass == 0 ? index : 0;
            int to = pass == 0 ? (int) len : index;
            if (pass == 1 && index == 0) break;
            for (int i = from; i < to; i++) {
                char c = (char) (buf[i] & 0xff);
                if (levelPrefix && !keepLevel) {
                    if (c == '>') {
                        levelPrefix = false;
                        continue;
                    }
                    if (c == '<' || (c >= '0' && c <= '7')) continue;
                    levelPrefix = false;
                }
                if (c != 0) {
                    sb.append(c >= 0x20 && c < 0x7f || c == '\n' || c == '\t' ? c : '.');
                    levelPrefix = c == '\n';
                    last = c;
                }
            }
        }
        if (last != '\n') sb.append('\n');
        return new Log(List.of(), sb.toString(), List.of());
    }

    // ---- helpers -------------------------------------------------------------------------------

    private byte[] readOrThrow(long addr, int len, String what) {
        try {
            return k.memory().read(addr, len);
        } catch (MemoryAccessException e) {
            throw new CommandException("cannot read " + what + " at " + Long.toHexString(addr) + ": " + e.getMessage());
        }
    }

    static long le(byte[] b, int off, int size) {
        if (off < 0 || off + size > b.length) return 0;
        long v = 0;
        for (int i = size - 1; i >= 0; i--) v = (v << 8) | (b[off + i] & 0xff);
        return v;
    }

    private static String cstr(byte[] b, int off, int max) {
        int end = off;
        while (end < b.length && end < off + max && b[end] != 0) end++;
        return off >= b.length ? "" : new String(b, off, end - off, StandardCharsets.UTF_8);
    }
}
