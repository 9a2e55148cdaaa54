package org.kdive.format.lkcd;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.DumpFormatException;
import org.kdive.api.dump.DumpInfo;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.api.dump.MemoryAccessException.Reason;
import org.kdive.format.support.BasicDump;
import org.kdive.format.support.Details;
import org.kdive.format.support.Le;
import org.kdive.format.support.PageCache;
import org.kdive.format.support.PagedMemory;
import org.kdive.format.support.Source;

/**
 * LKCD dumps as crash's lkcd_dump_v8.h describes them (header versions 7, 8, 9; 64-bit fields
 * little-endian): a packed dump_header_t, the architecture header, then from offset 64 KiB (v9:
 * dh_dump_buffer_size) a stream of dump_page_t headers each followed by its data. The stream
 * is read once on open into a pfn-sorted index.
 */
public final class LkcdReader {
    public static final String FORMAT = "lkcd";
    public static final long MAGIC = 0xa8190173618f23edL;
    public static final long MAGIC_LIVE = 0xa8190173618f23cdL;
    static final int HEADER_SIZE = 734;
    static final int PAGE_HEADER = 16;
    static final long FIRST_PAGE = 65536;
    static final int VERSION_MASK = 0xff;
    static final int MCLX_V0 = 0x80000000;
    static final int MCLX_V1 = 0x40000000;
    static final int DH_RAW = 0x1;
    static final int DH_COMPRESSED = 0x2;
    static final int DH_END = 0x4;
    static final int COMPRESS_NONE = 0;
    static final int COMPRESS_RLE = 1;
    static final int COMPRESS_GZIP = 2;

    private LkcdReader() {
    }

    public static Dump open(Source src) throws IOException {
        try {
            return doOpen(src);
        } catch (IOException | RuntimeException e) {
            src.close();
            throw e;
        }
    }

    private static Dump doOpen(Source src) throws IOException {
        long size = src.size();
        if (size < HEADER_SIZE + 8) throw bad(src, 0, "an LKCD header of " + HEADER_SIZE + " bytes", size + " bytes of file");
        byte[] h = src.readFully(0, HEADER_SIZE + 8);
        long magic = Le.i64(h, 0);
        if (magic != MAGIC && magic != MAGIC_LIVE) throw bad(src, 0, "the LKCD magic 0xa8190173618f23ed", String.format("0x%x", magic));
        int rawVersion = Le.i32(h, 8);
        int version = rawVersion & VERSION_MASK;
        if (version < 7 || version > 9) throw bad(src, 8, "LKCD dump version 7, 8 or 9", String.valueOf(version));
        int pageSize = Le.i32(h, 20);
        if (pageSize < 512 || pageSize > (1 << 18) || Integer.bitCount(pageSize) != 1) {
            throw bad(src, 20, "a page size that is a power of two from 512 to 256 KiB", String.valueOf(pageSize));
        }
        int dumpLevel = Le.i32(h, 16);
        long memStart = Le.i64(h, 32);
        long memEnd = Le.i64(h, 40);
        long numPages = Le.u32(h, 48);
        String panic = Le.cstring(h, 52, 256);
        long time = Le.i64(h, 308);
        String[] uts = new String[6];
        for (int i = 0; i < 6; i++) uts[i] = Le.cstring(h, 324 + 65 * i, 65);
        long currentTask = Le.i64(h, 714);
        int compress = Le.i32(h, 722);
        if (compress != COMPRESS_NONE && compress != COMPRESS_RLE && compress != COMPRESS_GZIP) {
            throw bad(src, 722, "dump compression 0 (none), 1 (RLE) or 2 (gzip)", String.valueOf(compress));
        }
        long first = version == 9 ? Le.i64(h, 734) : FIRST_PAGE;
        if (first < HEADER_SIZE || first > size) throw bad(src, 734, "a first page offset inside the file", String.format("0x%x", first));

        int pageShift = Integer.numberOfTrailingZeros(pageSize);
        List<String> warnings = new ArrayList<>();
        // one sequential pass: pfn, data offset, size|flags; bounded by what the file can hold
        long cap = Math.max(16, Math.min(numPages + 16, (size - first) / PAGE_HEADER + 1));
        Index idx = new Index((int) Math.min(cap, Integer.MAX_VALUE - 8));
        long pos = first;
        boolean ended = false;
        byte[] ph = new byte[PAGE_HEADER];
        while (pos + PAGE_HEADER <= size) {
            src.readFully(pos, ph, 0, PAGE_HEADER);
            long addr = Le.i64(ph, 0);
            long dsize = Le.u32(ph, 8);
            int flags = Le.i32(ph, 12);
            if ((flags & DH_END) != 0) {
                ended = true;
                break;
            }
            if ((flags & (DH_RAW | DH_COMPRESSED)) == 0 || dsize > pageSize) {
                throw bad(src, pos, "a page header (flags RAW/COMPRESSED/END, size <= page size)",
                        String.format("address 0x%x size %d flags 0x%x", addr, dsize, flags));
            }
            long paddr = (flags & MCLX_V0) != 0 ? addr << pageShift : addr;
            long data = pos + PAGE_HEADER;
            if (data + dsize > size) {
                warnings.add(String.format("%s: truncated: page 0x%x at 0x%x wants %d bytes, the file ends at 0x%x;"
                        + " pages after it are missing", src.path(), paddr, pos, dsize, size));
                break;
            }
            idx.add(paddr >>> pageShift, data, (int) dsize, flags);
            pos = data + dsize;
        }
        if (!ended && warnings.isEmpty()) {
            warnings.add(String.format("%s: truncated: no end marker; the file ends at 0x%x after %d pages",
                    src.path(), size, idx.count));
        }
        idx.sort();
        if (idx.duplicates > 0) warnings.add(src.path() + ": " + idx.duplicates + " pages written twice; the last copy is used");

        long memPages = memEnd > memStart ? (memEnd - memStart) >>> pageShift : 0;
        Map<String, String> d = new LinkedHashMap<>();
        d.put("utsname.sysname", uts[0]);
        d.put(DumpInfo.DETAIL_UTS_NODENAME, uts[1]);
        d.put(DumpInfo.DETAIL_UTS_RELEASE, uts[2]);
        d.put(DumpInfo.DETAIL_UTS_VERSION, uts[3]);
        d.put(DumpInfo.DETAIL_TIMESTAMP, Long.toString(time));
        // dh_memory_size is in pages (crash notes it is unreliable); prefer the end address
        d.put(DumpInfo.DETAIL_MEMORY, Long.toString(memEnd > memStart ? memEnd - memStart : Le.i64(h, 24) << pageShift));
        d.put(Details.PAGES_PRESENT, Long.toString(idx.count));
        d.put(Details.PAGES_EXCLUDED, Long.toString(Math.max(0, memPages - idx.count)));
        d.put("panic_string", panic.strip());
        d.put("current_task", String.format("0x%x", currentTask));
        String compression = switch (compress) {
            case COMPRESS_RLE -> "rle";
            case COMPRESS_GZIP -> "gzip";
            default -> "none";
        };
        DumpInfo info = new DumpInfo(FORMAT, Integer.toString(version), compression, dumpLevel, pageSize, -1,
                uts[4], -1, d);
        LkcdMemory mem = new LkcdMemory(src, pageSize, idx, compress, memEnd, String.format("LKCD dump level 0x%x", dumpLevel));
        return new BasicDump(List.of(src.path()), info, mem, List.of(), Optional.empty(), warnings, List.of(src));
    }

    static DumpFormatException bad(Source src, long off, String expected, String found) {
        return new DumpFormatException(src.path(), off, expected, found);
    }

    /** pfn → (data offset, size, flags), sorted by pfn after the pass. */
    static final class Index {
        long[] pfn;
        long[] offset;
        int[] size;
        int[] flags;
        int count;
        int duplicates;

        Index(int initial) {
            int n = Math.min(initial, 1 << 16);
            pfn = new long[n];
            offset = new long[n];
            size = new int[n];
            flags = new int[n];
        }

        void add(long p, long off, int sz, int fl) {
            if (count == pfn.length) {
                int n = pfn.length * 2;
                pfn = Arrays.copyOf(pfn, n);
                offset = Arrays.copyOf(offset, n);
                size = Arrays.copyOf(size, n);
                flags = Arrays.copyOf(flags, n);
            }
            pfn[count] = p;
            offset[count] = off;
            size[count] = sz;
            flags[count] = fl;
            count++;
        }

        void sort() {
            boolean sorted = true;
            for (int i = 1; i < count && sorted; i++) sorted = pfn[i - 1] < pfn[i];
            if (sorted) return;
            Integer[] order = new Integer[count];
            for (int i = 0; i < count; i++) order[i] = i;
            // stable: for duplicates the later copy ends up last and wins
            Arrays.sort(order, (a, b) -> Long.compare(pfn[a], pfn[b]));
            long[] p2 = new long[count];
            long[] o2 = new long[count];
            int[] s2 = new int[count];
            int[] f2 = new int[count];
            int n = 0;
            for (int i = 0; i < count; i++) {
                int k = order[i];
                if (n > 0 && p2[n - 1] == pfn[k]) {
                    duplicates++;
                    n--;
                }
                p2[n] = pfn[k];
                o2[n] = offset[k];
                s2[n] = size[k];
                f2[n] = flags[k];
                n++;
            }
            pfn = p2;
            offset = o2;
            size = s2;
            flags = f2;
            count = n;
        }

        int find(long p) {
            return Arrays.binarySearch(pfn, 0, count, p);
        }
    }

    /** Pages from the index, decoded on demand (RLE or zlib), with a small cache. */
    static final class LkcdMemory extends PagedMemory {
        private static final ThreadLocal<Inflater> INFLATER = ThreadLocal.withInitial(Inflater::new);
        private final Source src;
        private final Index idx;
        private final int compress;
        private final long limit;
        private final String excludedDetail;
        private final PageCache cache = new PageCache(256);

        LkcdMemory(Source src, int pageSize, Index idx, int compress, long memEnd, String excludedDetail) {
            super(pageSize);
            this.src = src;
            this.idx = idx;
            this.compress = compress;
            long last = idx.count == 0 ? 0 : (idx.pfn[idx.count - 1] + 1) << pageShift;
            this.limit = Math.max(last, memEnd);
            this.excludedDetail = excludedDetail;
        }

        @Override public long limit() { return limit; }

        @Override
        protected void readInPage(long paddr, byte[] dst, int off, int len) {
            long p = paddr >>> pageShift;
            byte[] page = cache.get(p);
            if (page == null) {
                int i = paddr < 0 ? -1 : idx.find(p);
                if (i < 0) {
                    if (paddr >= 0 && paddr < limit) throw MemoryAccessException.physical(paddr, Reason.EXCLUDED, excludedDetail);
                    throw MemoryAccessException.physical(paddr, Reason.NOT_IN_DUMP, "beyond the dump's memory");
                }
                page = decode(paddr, i);
                cache.put(p, page);
            }
            System.arraycopy(page, (int) (paddr & (pageSize - 1)), dst, off, len);
        }

        private byte[] decode(long paddr, int i) {
            byte[] out = new byte[pageSize];
            int sz = idx.size[i];
            byte[] in;
            try {
                in = src.readFully(idx.offset[i], sz);
            } catch (IOException e) {
                throw MemoryAccessException.physical(paddr, Reason.TRUNCATED, e.getMessage());
            }
            if ((idx.flags[i] & DH_RAW) != 0) {
                if (sz == 0) return out;
                if (sz != pageSize) throw corrupt(paddr, i, "raw page of " + sz + " bytes");
                return in;
            }
            String err = switch (compress) {
                case COMPRESS_RLE -> Rle.decode(in, out);
                case COMPRESS_GZIP -> inflate(in, out);
                default -> "compressed page in a dump without compression";
            };
            if (err != null) throw corrupt(paddr, i, err);
            return out;
        }

        private static String inflate(byte[] in, byte[] out) {
            Inflater inf = INFLATER.get();
            inf.reset();
            inf.setInput(in);
            try {
                int n = 0;
                while (n < out.length && !inf.finished()) {
                    int k = inf.inflate(out, n, out.length - n);
                    if (k == 0 && (inf.needsInput() || inf.needsDictionary())) break;
                    n += k;
                }
                return n == out.length ? null : "gzip page decompressed to " + n + " bytes";
            } catch (DataFormatException e) {
                return "gzip data does not decode: " + e.getMessage();
            }
        }

        private MemoryAccessException corrupt(long paddr, int i, String why) {
            return MemoryAccessException.physical(paddr, Reason.CORRUPT, String.format("%s at file offset 0x%x", why, idx.offset[i]));
        }

        @Override
        public boolean isPresent(long paddr) {
            return paddr >= 0 && idx.find(paddr >>> pageShift) >= 0;
        }

        @Override
        public long nextPresent(long paddr) {
            long p = Math.max(0, paddr) >>> pageShift;
            int i = idx.find(p);
            if (i < 0) i = -i - 1;
            return i < idx.count ? idx.pfn[i] << pageShift : -1;
        }
    }
}
