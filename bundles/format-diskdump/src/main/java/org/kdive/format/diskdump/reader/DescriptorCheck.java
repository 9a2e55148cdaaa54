package org.kdive.format.diskdump.reader;

import java.io.IOException;
import org.kdive.format.support.Le;
import org.kdive.format.support.Source;

/**
 * Cross-checks one kdump file's 2nd bitmap against its page-descriptor table and its size. A page's
 * descriptor is found by counting the dumped pages before it in the bitmap, so one lost or added bit
 * gives every later page another page's data. makedumpfile and QEMU write one descriptor per dumped
 * page right after the bitmaps, then the page data from the table's end on (the shared zero page
 * first when zero pages are excluded): the first descriptor's data offset tells how many descriptors
 * the table holds, whatever the bitmap says.
 */
final class DescriptorCheck {
    private static final int KNOWN_FLAGS = KdumpHeader.COMPRESSED_ZLIB | KdumpHeader.COMPRESSED_LZO
            | KdumpHeader.COMPRESSED_SNAPPY | KdumpHeader.COMPRESSED_ZSTD;
    /** Descriptors beyond the bitmap's count checked one by one (enough to rule out chance). */
    private static final int CONFIRM = 64;

    /** The first pfn whose page cannot be matched to its data, or Long.MAX_VALUE when all can. */
    final long untrustedFrom;
    /** What disagrees, for the dump's warnings; null when the bitmap and the table agree. */
    final String warning;

    private DescriptorCheck(long untrustedFrom, String warning) {
        this.untrustedFrom = untrustedFrom;
        this.warning = warning;
    }

    static final DescriptorCheck AGREE = new DescriptorCheck(Long.MAX_VALUE, null);

    static DescriptorCheck of(Source src, KdumpHeader h, Bitmap present, Bitmap dumped, long descOffset,
                              long bitmapCount, long rankBase) throws IOException {
        long size = src.size();
        if (bitmapCount == 0 || descOffset > size - KdumpFile.DESC_SIZE) return AGREE;
        long first = Le.i64(src.readFully(descOffset, KdumpFile.DESC_SIZE), 0);
        if (first <= 0 || first > size) return AGREE; // not written (an incomplete dump): nothing to compare
        // the table ends at the first page's data, or one page before it (the shared zero page)
        long tableCount = -1;
        for (long gap : new long[] {first - descOffset, first - descOffset - h.blockSize}) {
            if (gap >= 0 && gap % KdumpFile.DESC_SIZE == 0) tableCount = gap / KdumpFile.DESC_SIZE;
        }
        long dataStart;
        if (tableCount < 0) {
            // another writer's layout (something between table and data): only an overlap is certain
            long room = (first - descOffset) / KdumpFile.DESC_SIZE;
            if (room >= bitmapCount) return AGREE;
            tableCount = room;
            dataStart = first;
        } else {
            if (tableCount == bitmapCount) return AGREE;
            dataStart = descOffset + tableCount * KdumpFile.DESC_SIZE;
            if (tableCount > bitmapCount) {
                // the bitmap lost bits: the descriptors past its count must be real ones
                for (long i = bitmapCount; i < Math.min(tableCount, bitmapCount + CONFIRM); i++) {
                    if (!plausible(src, h, descOffset, i, dataStart)) return AGREE;
                }
            } else {
                // the bitmap gained bits: its count runs into the page data, or its last descriptor is none
                boolean last = plausible(src, h, descOffset, tableCount - 1, dataStart);
                boolean overlap = descOffset + bitmapCount * KdumpFile.DESC_SIZE > first;
                if (tableCount > 0 && !last
                        || !overlap && plausible(src, h, descOffset, bitmapCount - 1, dataStart)) {
                    return AGREE;
                }
            }
        }
        long from;
        String where;
        if (tableCount > bitmapCount) {
            // a lost bit was a page the 1st bitmap has: the first such page not dumped is as far as trust goes
            from = firstOf(present, dumped, false, h);
            where = "the first page the 2nd bitmap may have lost";
        } else {
            // an added bit: a page the crashed system did not have is certainly one; else any could be
            long notRam = firstOf(present, dumped, true, h);
            from = notRam >= 0 ? notRam : dumped.next(h.rangeStart());
            where = notRam >= 0 ? "marked dumped but not RAM in the 1st bitmap" : "the first dumped page";
        }
        if (from < 0 || from >= h.rangeEnd()) from = h.rangeStart();
        long trusted = dumped.rank(from) - rankBase;
        String w = String.format("%s: the 2nd bitmap marks %d pages dumped, the page-descriptor table holds %d"
                + " (page data from 0x%x, file size 0x%x): the bitmap is damaged, pages from pfn 0x%x (physical 0x%x;"
                + " %s) on cannot be matched to their data and are not read; the %d dumped pages before it are",
                src.path(), bitmapCount, tableCount, dataStart, size, from, from * h.blockSize, where, trusted);
        return new DescriptorCheck(from, w + " trusted");
    }

    /** The first pfn of this file's range present but not dumped ({@code addedBit} false) or dumped but absent. */
    private static long firstOf(Bitmap present, Bitmap dumped, boolean addedBit, KdumpHeader h) {
        Bitmap set = addedBit ? dumped : present;
        Bitmap clear = addedBit ? present : dumped;
        for (long p = set.next(h.rangeStart()); p >= 0 && p < h.rangeEnd(); p = set.next(p + 1)) {
            if (!clear.get(p)) return p;
        }
        return -1;
    }

    /** Whether descriptor {@code i} describes page data as makedumpfile writes it, inside the file. */
    private static boolean plausible(Source src, KdumpHeader h, long descOffset, long i, long dataStart)
            throws IOException {
        long at = descOffset + i * KdumpFile.DESC_SIZE;
        if (at > src.size() - KdumpFile.DESC_SIZE) return false;
        byte[] d = src.readFully(at, KdumpFile.DESC_SIZE);
        long off = Le.i64(d, 0);
        long len = Le.u32(d, 8);
        int flags = Le.i32(d, 12);
        if (off < dataStart || len == 0 || len > h.blockSize || off > src.size() - len) return false;
        if ((flags & ~KNOWN_FLAGS) != 0 || Integer.bitCount(flags) > 1) return false;
        return flags != 0 || len == h.blockSize; // stored pages are whole
    }
}
