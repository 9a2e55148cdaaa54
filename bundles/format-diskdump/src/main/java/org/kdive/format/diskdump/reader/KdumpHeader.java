package org.kdive.format.diskdump.reader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.kdive.api.dump.DumpFormatException;
import org.kdive.format.support.Le;
import org.kdive.format.support.Source;

/**
 * The main header (disk_dump_header) and sub-header (kdump_sub_header) of one kdump-compressed
 * file, validated against the file size so nothing later allocates more than the file holds.
 * Layouts as makedumpfile's diskdump_mod.h defines them for 64-bit writers.
 */
public final class KdumpHeader {
    public static final byte[] SIGNATURE = "KDUMP   ".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER_SIZE = 464;
    static final int UTS_FIELD = 65;
    static final int SUB_HEADER_SIZE = 104;

    /** Compression flags, both in the header status and in each page descriptor. */
    public static final int COMPRESSED_ZLIB = 0x1;
    public static final int COMPRESSED_LZO = 0x2;
    public static final int COMPRESSED_SNAPPY = 0x4;
    public static final int COMPRESSED_INCOMPLETE = 0x8;
    public static final int EXCLUDED_VMEMMAP = 0x10;
    public static final int COMPRESSED_ZSTD = 0x20;

    final int version;
    final String sysname;
    final String nodename;
    final String release;
    final String utsVersion;
    final String machine;
    final long timestamp;
    final int status;
    final int blockSize;
    final int subHeaderBlocks;
    final long bitmapBlocks;
    final long maxMapnr;
    final int currentCpu;
    final int nrCpus;
    // sub-header
    final long physBase;
    final int dumpLevel;
    final boolean split;
    final long startPfn;
    final long endPfn;
    final long offsetVmcoreinfo;
    final long sizeVmcoreinfo;
    final long offsetNote;
    final long sizeNote;
    final long offsetEraseinfo;
    final long sizeEraseinfo;

    private KdumpHeader(Source src) throws IOException {
        long fileSize = src.size();
        if (fileSize < HEADER_SIZE) throw bad(src, 0, "a kdump header of " + HEADER_SIZE + " bytes", fileSize + " bytes");
        byte[] h = src.readFully(0, HEADER_SIZE);
        for (int i = 0; i < SIGNATURE.length; i++) {
            if (h[i] != SIGNATURE[i]) throw bad(src, 0, "signature \"KDUMP   \"", "\"" + Le.cstring(h, 0, 8) + "\"");
        }
        version = Le.i32(h, 8);
        if (version < 1 || version > 6) throw bad(src, 8, "header version 1 to 6", String.valueOf(version));
        int u = 12;
        sysname = Le.cstring(h, u, UTS_FIELD);
        nodename = Le.cstring(h, u + UTS_FIELD, UTS_FIELD);
        release = Le.cstring(h, u + 2 * UTS_FIELD, UTS_FIELD);
        utsVersion = Le.cstring(h, u + 3 * UTS_FIELD, UTS_FIELD);
        machine = Le.cstring(h, u + 4 * UTS_FIELD, UTS_FIELD);
        timestamp = Le.i64(h, 408);
        status = Le.i32(h, 424);
        blockSize = Le.i32(h, 428);
        if (blockSize < 512 || blockSize > (1 << 18) || Integer.bitCount(blockSize) != 1) {
            throw bad(src, 428, "a block size that is a power of two from 512 to 256 KiB", String.valueOf(blockSize));
        }
        subHeaderBlocks = Le.i32(h, 432);
        if (subHeaderBlocks < 0 || (1L + subHeaderBlocks) * blockSize > fileSize) {
            throw bad(src, 432, "a sub-header size within the file", subHeaderBlocks + " blocks");
        }
        bitmapBlocks = Le.u32(h, 436);
        long maxMapnr32 = Le.u32(h, 440);
        currentCpu = Le.i32(h, 456);
        nrCpus = Le.i32(h, 460);
        if (nrCpus < 0 || nrCpus > 1 << 16) throw bad(src, 460, "a CPU count from 0 to 65536", String.valueOf(nrCpus));

        byte[] s = new byte[SUB_HEADER_SIZE];
        long subOff = blockSize;
        int got = subHeaderBlocks > 0 ? src.read(subOff, s, 0, SUB_HEADER_SIZE) : 0;
        physBase = got >= 8 ? Le.i64(s, 0) : 0;
        dumpLevel = got >= 12 ? Le.i32(s, 8) : -1;
        boolean hasSplit = version >= 2 && got >= 32;
        split = hasSplit && Le.i32(s, 12) != 0;
        long start = hasSplit ? Le.i64(s, 16) : 0;
        long end = hasSplit ? Le.i64(s, 24) : 0;
        offsetVmcoreinfo = version >= 3 && got >= 48 ? Le.i64(s, 32) : 0;
        sizeVmcoreinfo = version >= 3 && got >= 48 ? Le.i64(s, 40) : 0;
        offsetNote = version >= 4 && got >= 64 ? Le.i64(s, 48) : 0;
        sizeNote = version >= 4 && got >= 64 ? Le.i64(s, 56) : 0;
        offsetEraseinfo = version >= 5 && got >= 80 ? Le.i64(s, 64) : 0;
        sizeEraseinfo = version >= 5 && got >= 80 ? Le.i64(s, 72) : 0;
        long max = maxMapnr32;
        if (version >= 6 && got >= SUB_HEADER_SIZE) {
            long start64 = Le.i64(s, 80);
            long end64 = Le.i64(s, 88);
            long max64 = Le.i64(s, 96);
            if (max64 != 0) max = max64;
            if (start64 != 0 || end64 != 0) {
                start = start64;
                end = end64;
            }
        }
        maxMapnr = max;
        startPfn = start;
        endPfn = end;

        long bitmapBytes = bitmapBlocks * blockSize;
        if (bitmapBlocks == 0 || bitmapBlocks % 2 != 0 && bitmapBlocks != 1
                || (1L + subHeaderBlocks + bitmapBlocks) * blockSize > fileSize) {
            throw bad(src, 436, "bitmap blocks (an even count) that fit in the file of " + fileSize + " bytes",
                    String.valueOf(bitmapBlocks));
        }
        if (bitmapBytes / 2 > Integer.MAX_VALUE) throw bad(src, 436, "a bitmap under 2 GiB", bitmapBytes + " bytes");
        if (maxMapnr <= 0 || maxMapnr > bitmapBytes / 2 * 8) {
            throw bad(src, version >= 6 ? blockSize + 96 : 440,
                    "max_mapnr within the bitmap's " + (bitmapBytes / 2 * 8) + " bits", String.valueOf(maxMapnr));
        }
        if (split && (startPfn < 0 || endPfn > maxMapnr || startPfn > endPfn)) {
            throw bad(src, blockSize + 16, "a split range within 0.." + maxMapnr, startPfn + ".." + endPfn);
        }
    }

    public static KdumpHeader read(Source src) throws IOException {
        return new KdumpHeader(src);
    }

    public static boolean hasSignature(byte[] head, int off) {
        if (head.length - off < SIGNATURE.length) return false;
        for (int i = 0; i < SIGNATURE.length; i++) {
            if (head[off + i] != SIGNATURE[i]) return false;
        }
        return true;
    }

    long bitmapOffset() { return (1L + subHeaderBlocks) * blockSize; }

    long bitmapHalfBytes() { return bitmapBlocks * blockSize / 2; }

    long descriptorOffset() { return (1L + subHeaderBlocks + bitmapBlocks) * blockSize; }

    long rangeStart() { return split ? startPfn : 0; }

    long rangeEnd() { return split ? endPfn : maxMapnr; }

    String compressionName() {
        if ((status & COMPRESSED_ZLIB) != 0) return "zlib";
        if ((status & COMPRESSED_LZO) != 0) return "lzo";
        if ((status & COMPRESSED_SNAPPY) != 0) return "snappy";
        if ((status & COMPRESSED_ZSTD) != 0) return "zstd";
        return "none";
    }

    static DumpFormatException bad(Source src, long off, String expected, String found) {
        return new DumpFormatException(src.path(), off, expected, found);
    }
}
