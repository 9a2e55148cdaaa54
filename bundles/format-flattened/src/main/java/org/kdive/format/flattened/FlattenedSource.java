package org.kdive.format.flattened;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.kdive.api.dump.DumpFormatException;
import org.kdive.format.support.Le;
import org.kdive.format.support.Source;

/**
 * The kdump-compressed file a flattened stream describes, served in place: the (offset, size)
 * records are indexed once on open (logical offset → stream offset) and reads copy from the
 * stream. Regions no record wrote read as zeros, like the sparse file `makedumpfile -R` makes.
 */
public final class FlattenedSource implements Source {
    public static final byte[] SIGNATURE = "makedumpfile".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER_SIZE = 4096;
    private static final int RECORD_HEADER = 16;

    private final Source stream;
    /** Non-overlapping: logical start → {logical end, stream offset}. Later records win. */
    private final long[] start;
    private final long[] end;
    private final long[] streamOffset;
    private final long size;
    private final long stored;
    private final int records;
    private final List<String> warnings = new ArrayList<>();

    public FlattenedSource(Source stream) throws IOException {
        this.stream = stream;
        long fileSize = stream.size();
        if (fileSize < HEADER_SIZE) {
            throw new DumpFormatException(stream.path(), 0, "a flattened header of 4096 bytes", fileSize + " bytes of file");
        }
        byte[] h = stream.readFully(0, 32);
        if (!hasSignature(h)) {
            throw new DumpFormatException(stream.path(), 0, "signature \"makedumpfile\"", "\"" + Le.cstring(h, 0, 16) + "\"");
        }
        long type = Le.be64(h, 16);
        long version = Le.be64(h, 24);
        if (type != 1) throw new DumpFormatException(stream.path(), 16, "flattened type 1", String.valueOf(type));
        if (version != 1) warnings.add(stream.path() + ": flattened format version " + version + " (1 expected); reading it as 1");

        // pass 1: the records in stream order
        List<long[]> recs = new ArrayList<>();
        long pos = HEADER_SIZE;
        boolean ended = false;
        byte[] rh = new byte[RECORD_HEADER];
        while (pos + RECORD_HEADER <= fileSize) {
            stream.readFully(pos, rh, 0, RECORD_HEADER);
            long off = Le.be64(rh, 0);
            long len = Le.be64(rh, 8);
            if (off == -1 && len == -1) {
                ended = true;
                break;
            }
            if (off < 0 || len < 0 || off + len < 0) {
                throw new DumpFormatException(stream.path(), pos, "a record header (offset >= 0, size >= 0)",
                        "offset " + off + ", size " + len);
            }
            long data = pos + RECORD_HEADER;
            long avail = Math.min(len, fileSize - data);
            if (avail > 0) recs.add(new long[] {off, off + avail, data});
            if (avail < len) {
                warnings.add(String.format("%s: truncated: record at 0x%x wants %d bytes, the stream ends after %d",
                        stream.path(), pos, len, Math.max(0, avail)));
                pos = fileSize;
                break;
            }
            pos = data + len;
        }
        if (!ended && warnings.stream().noneMatch(w -> w.contains("truncated"))) {
            warnings.add(String.format("%s: truncated: the stream ends at 0x%x without its end marker", stream.path(), fileSize));
        }
        records = recs.size();

        // pass 2: latest record wins where records overlap (makedumpfile rewrites headers)
        TreeMap<Long, long[]> map = new TreeMap<>();
        for (int i = recs.size() - 1; i >= 0; i--) {
            long[] r = recs.get(i);
            long cursor = r[0];
            while (cursor < r[1]) {
                Map.Entry<Long, long[]> floor = map.floorEntry(cursor);
                if (floor != null && floor.getValue()[0] > cursor) {
                    cursor = floor.getValue()[0];
                    continue;
                }
                Long next = map.higherKey(cursor);
                long gapEnd = next == null ? r[1] : Math.min(r[1], next);
                map.put(cursor, new long[] {gapEnd, r[2] + (cursor - r[0])});
                cursor = gapEnd;
            }
        }
        start = new long[map.size()];
        end = new long[map.size()];
        streamOffset = new long[map.size()];
        int i = 0;
        long max = 0;
        long held = 0;
        for (Map.Entry<Long, long[]> e : map.entrySet()) {
            start[i] = e.getKey();
            end[i] = e.getValue()[0];
            streamOffset[i] = e.getValue()[1];
            max = Math.max(max, end[i]);
            held += end[i] - start[i];
            i++;
        }
        size = max;
        stored = held;
    }

    /** The bytes the records hold (the logical size less the holes between them). */
    @Override
    public long storedBytes() { return stored; }

    public static boolean hasSignature(byte[] head) {
        if (head.length < 16) return false;
        for (int i = 0; i < SIGNATURE.length; i++) {
            if (head[i] != SIGNATURE[i]) return false;
        }
        for (int i = SIGNATURE.length; i < 16; i++) {
            if (head[i] != 0) return false;
        }
        return true;
    }

    public List<String> warnings() { return warnings; }

    public int records() { return records; }

    @Override public Path path() { return stream.path(); }

    @Override public long size() { return size; }

    @Override
    public int read(long pos, byte[] dst, int off, int len) throws IOException {
        if (pos < 0 || pos >= size || len <= 0) return 0;
        int n = (int) Math.min(len, size - pos);
        int done = 0;
        int i = Arrays.binarySearch(start, pos);
        if (i < 0) i = -i - 2;
        while (done < n) {
            long p = pos + done;
            while (i + 1 < start.length && start[i + 1] <= p) i++;
            int chunk;
            if (i >= 0 && p < end[i]) {
                chunk = (int) Math.min(n - done, end[i] - p);
                stream.readFully(streamOffset[i] + (p - start[i]), dst, off + done, chunk);
            } else {
                long hole = i + 1 < start.length ? start[i + 1] : size;
                chunk = (int) Math.min(n - done, hole - p);
                Arrays.fill(dst, off + done, off + done + chunk, (byte) 0);
            }
            done += chunk;
        }
        return done;
    }

    @Override
    public void close() {
        stream.close();
    }
}
