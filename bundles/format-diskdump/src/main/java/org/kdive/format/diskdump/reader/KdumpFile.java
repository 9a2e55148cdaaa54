package org.kdive.format.diskdump.reader;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.api.dump.MemoryAccessException.Reason;
import org.kdive.format.support.Le;
import org.kdive.format.support.PageCache;
import org.kdive.format.support.Source;

/**
 * One kdump-compressed file: header, both bitmaps and the page descriptors (read lazily in blocks).
 * A split dump is several of these, each serving its pfn range.
 */
final class KdumpFile {
    static final int DESC_SIZE = 24;
    private static final int DESC_BLOCK = 512;

    final Source src;
    final KdumpHeader header;
    /** 1st bitmap: pages the crashed system had. */
    final Bitmap present;
    /** 2nd bitmap: pages written to the dump. */
    final Bitmap dumped;
    final long descOffset;
    final long rankBase;
    /** Descriptors this file should have, and how many of the trusted ones lie inside the file. */
    final long descCount;
    final long descInFile;
    /** Descriptors [0, dataComplete) have their page data inside the file. */
    final long dataComplete;
    /** The bitmap cross-checked against the descriptor table: pages from its untrustedFrom on are not read. */
    final DescriptorCheck check;
    /** Descriptors that can be matched to their pages: descCount unless the bitmap is damaged. */
    final long trustedCount;
    private final PageCache descBlocks = new PageCache(64);
    private volatile DescBlock lastDesc;

    KdumpFile(Source src) throws IOException {
        this.src = src;
        this.header = KdumpHeader.read(src);
        int half = (int) header.bitmapHalfBytes();
        if (2L * half > src.storedBytes()) {
            // (a flattened stream can place a record far out: its logical size bounds nothing)
            throw new org.kdive.api.dump.DumpFormatException(src.path(), header.bitmapOffset(),
                    "bitmaps that the file holds (it holds " + src.storedBytes() + " bytes)", 2L * half + " bytes of bitmaps");
        }
        byte[] bm = src.readFully(header.bitmapOffset(), 2 * half);
        present = new Bitmap(bm, 0, half);
        dumped = new Bitmap(bm, half, half);
        descOffset = header.descriptorOffset();
        rankBase = dumped.rank(header.rangeStart());
        descCount = dumped.rank(header.rangeEnd()) - rankBase;
        check = DescriptorCheck.of(src, header, present, dumped, descOffset, descCount, rankBase);
        trustedCount = check.warning == null ? descCount : dumped.rank(check.untrustedFrom) - rankBase;
        long avail = Math.max(0, src.size() - descOffset) / DESC_SIZE;
        descInFile = Math.min(trustedCount, avail);
        dataComplete = findDataComplete();
    }

    /** Binary search for the first descriptor whose data is beyond the end (data is written in pfn order). */
    private long findDataComplete() throws IOException {
        if (descInFile == 0) return 0;
        if (dataInFile(descInFile - 1)) return descInFile;
        long lo = 0;
        long hi = descInFile - 1; // dataInFile(hi) is false
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            if (dataInFile(mid)) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    private boolean dataInFile(long idx) throws IOException {
        byte[] d = src.readFully(descOffset + idx * DESC_SIZE, DESC_SIZE);
        long off = Le.i64(d, 0);
        long size = Le.u32(d, 8);
        return off > 0 && off <= src.size() - size;
    }

    /** Whether the dumped page {@code pfn} has its descriptor and data inside the file. */
    boolean readable(long pfn) {
        if (pfn >= check.untrustedFrom) return false;
        long idx = descIndex(pfn);
        if (idx < dataComplete) return true;
        if (idx >= descInFile) return false;
        byte[] blk = descBlock(idx / DESC_BLOCK);
        int o = (int) (idx % DESC_BLOCK) * DESC_SIZE;
        long off = Le.i64(blk, o);
        return off > 0 && off <= src.size() - Le.u32(blk, o + 8);
    }

    /** Dumped pages whose data is in the file and can be trusted (differs from descCount when truncated or damaged). */
    long readableCount() {
        long n = dataComplete;
        for (long idx = dataComplete; idx < descInFile; idx++) {
            byte[] blk = descBlock(idx / DESC_BLOCK);
            int o = (int) (idx % DESC_BLOCK) * DESC_SIZE;
            long off = Le.i64(blk, o);
            if (off > 0 && off <= src.size() - Le.u32(blk, o + 8)) n++;
        }
        return n;
    }

    boolean covers(long pfn) { return pfn >= header.rangeStart() && pfn < header.rangeEnd(); }

    long descIndex(long pfn) { return dumped.rank(pfn) - rankBase; }

    /** The descriptor block containing {@code idx}: DESC_BLOCK entries, fewer at the end. */
    private byte[] descBlock(long block) {
        DescBlock last = lastDesc; // pages are mostly read in order: 512 in a row share a block
        if (last != null && last.block == block) return last.bytes;
        byte[] b = descBlocks.get(block);
        if (b != null) {
            lastDesc = new DescBlock(block, b);
            return b;
        }
        long first = block * DESC_BLOCK;
        int n = (int) Math.min(DESC_BLOCK, descInFile - first);
        b = new byte[n * DESC_SIZE];
        try {
            src.readFully(descOffset + first * DESC_SIZE, b, 0, b.length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        descBlocks.put(block, b);
        lastDesc = new DescBlock(block, b);
        return b;
    }

    private record DescBlock(long block, byte[] bytes) {
    }

    /** Decodes page {@code pfn} (which the 2nd bitmap says is dumped) into {@code out}. */
    void readPage(long pfn, byte[] out) {
        readPage(pfn, out, 0);
    }

    /** Decodes page {@code pfn} into {@code out} from {@code outOff} (a block size of room). */
    void readPage(long pfn, byte[] out, int outOff) {
        int pageSize = header.blockSize;
        long paddr = pfn * header.blockSize;
        if (pfn >= check.untrustedFrom) {
            throw MemoryAccessException.physical(paddr, Reason.CORRUPT, String.format(
                    "the kdump bitmap of %s disagrees with its page descriptors from pfn 0x%x on",
                    src.path().getFileName(), check.untrustedFrom));
        }
        long idx = descIndex(pfn);
        if (idx >= descInFile) {
            throw MemoryAccessException.physical(paddr, Reason.TRUNCATED, src.path().getFileName().toString());
        }
        byte[] blk = descBlock(idx / DESC_BLOCK);
        int o = (int) (idx % DESC_BLOCK) * DESC_SIZE;
        long off = Le.i64(blk, o);
        long size = Le.u32(blk, o + 8);
        int flags = Le.i32(blk, o + 12);
        if (off == 0 && size == 0 && (header.status & KdumpHeader.COMPRESSED_INCOMPLETE) != 0) {
            throw MemoryAccessException.physical(paddr, Reason.TRUNCATED, "dump incomplete");
        }
        if (off <= 0 || size == 0 || size > pageSize) {
            throw MemoryAccessException.physical(paddr, Reason.CORRUPT,
                    String.format("descriptor %d: offset 0x%x, size %d", idx, off, size));
        }
        if (off > src.size() - size) {
            throw MemoryAccessException.physical(paddr, Reason.TRUNCATED, src.path().getFileName().toString());
        }
        PageDecoder dec = PageDecoder.forThread();
        byte[] in = dec.buffer((int) size);
        try {
            src.readFully(off, in, 0, (int) size);
        } catch (IOException e) {
            throw MemoryAccessException.physical(paddr, Reason.TRUNCATED, e.getMessage());
        }
        String err = dec.decode(flags, in, (int) size, out, outOff, pageSize);
        if (err != null) {
            throw MemoryAccessException.physical(paddr, Reason.CORRUPT,
                    String.format("%s at file offset 0x%x of %s", err, off, src.path().getFileName()));
        }
    }
}
