package org.kdive.format.diskdump.reader;

import io.airlift.compress.lzo.LzoDecompressor;
import io.airlift.compress.snappy.SnappyDecompressor;
import io.airlift.compress.zstd.ZstdDecompressor;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decodes one stored page by its descriptor flags. One instance per thread (the decoders keep
 * state), see {@link #forThread()}.
 */
final class PageDecoder {
    private static final ThreadLocal<PageDecoder> PER_THREAD = ThreadLocal.withInitial(PageDecoder::new);
    private final Inflater inflater = new Inflater();
    private LzoDecompressor lzo;
    private SnappyDecompressor snappy;
    private ZstdDecompressor zstd;
    byte[] buffer = new byte[8192];
    /** A page array free for decoding into (one the page cache evicted), or null. */
    byte[] spare;

    static PageDecoder forThread() { return PER_THREAD.get(); }

    byte[] buffer(int size) {
        if (buffer.length < size) buffer = new byte[size];
        return buffer;
    }

    /**
     * Decodes {@code len} stored bytes into {@code out} (exactly one page).
     *
     * @return null on success, else why it failed
     */
    String decode(int flags, byte[] in, int len, byte[] out) {
        try {
            int n;
            if ((flags & KdumpHeader.COMPRESSED_ZLIB) != 0) {
                inflater.reset();
                inflater.setInput(in, 0, len);
                n = 0;
                while (n < out.length && !inflater.finished()) {
                    int k = inflater.inflate(out, n, out.length - n);
                    if (k == 0 && (inflater.needsInput() || inflater.needsDictionary())) break;
                    n += k;
                }
            } else if ((flags & KdumpHeader.COMPRESSED_LZO) != 0) {
                if (lzo == null) lzo = new LzoDecompressor();
                n = lzo.decompress(in, 0, len, out, 0, out.length);
            } else if ((flags & KdumpHeader.COMPRESSED_SNAPPY) != 0) {
                if (snappy == null) snappy = new SnappyDecompressor();
                n = snappy.decompress(in, 0, len, out, 0, out.length);
            } else if ((flags & KdumpHeader.COMPRESSED_ZSTD) != 0) {
                if (zstd == null) zstd = new ZstdDecompressor();
                n = zstd.decompress(in, 0, len, out, 0, out.length);
            } else {
                if (len != out.length) return "uncompressed page of " + len + " bytes, page size " + out.length;
                System.arraycopy(in, 0, out, 0, len);
                n = len;
            }
            if (n != out.length) return "decompressed to " + n + " bytes, page size " + out.length;
            return null;
        } catch (DataFormatException | RuntimeException e) {
            // aircompressor reports bad input as MalformedInputException or index errors
            return codec(flags) + " data does not decode: " + e.getMessage();
        }
    }

    static String codec(int flags) {
        if ((flags & KdumpHeader.COMPRESSED_ZLIB) != 0) return "zlib";
        if ((flags & KdumpHeader.COMPRESSED_LZO) != 0) return "lzo";
        if ((flags & KdumpHeader.COMPRESSED_SNAPPY) != 0) return "snappy";
        if ((flags & KdumpHeader.COMPRESSED_ZSTD) != 0) return "zstd";
        return "uncompressed";
    }
}
