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
    private final byte[] beyond = new byte[1];
    private LzoDecompressor lzo;
    private SnappyDecompressor snappy;
    private ZstdDecompressor zstd;
    /** -Dkdive.codecs.java=true when this thread's decoder was made: never libzstd. */
    private final boolean javaOnly;
    /** libzstd's context, made on the first zstd page after the library loaded; till then aircompressor decodes. */
    private NativeZstd.Context nativeZstd;
    private boolean nativeZstdFailed;
    private final String[] nativeError = new String[1];
    byte[] buffer = new byte[8192];
    /** A page array free for decoding into (one the page cache evicted), or null. */
    byte[] spare;

    PageDecoder() {
        this.javaOnly = NativeCodecs.javaOnly();
    }

    static PageDecoder forThread() { return PER_THREAD.get(); }

    /** The libzstd context, or null for the Java decoder (forced, libzstd missing, or still loading). */
    private NativeZstd.Context nativeZstd() {
        if (nativeZstd == null && !javaOnly && !nativeZstdFailed) {
            NativeCodecs.preloadZstd();
            if (NativeCodecs.zstdLoaded() != null) {
                try {
                    nativeZstd = new NativeZstd.Context();
                } catch (LinkageError | OutOfMemoryError e) {
                    nativeZstdFailed = true; // keep decoding in Java
                }
            }
        }
        return nativeZstd;
    }

    /** Whether this thread's zstd pages went through libzstd (false before the first zstd page). */
    boolean usesNativeZstd() { return nativeZstd != null; }

    byte[] buffer(int size) {
        if (buffer.length < size) buffer = new byte[size];
        return buffer;
    }

    /**
     * Decodes {@code len} stored bytes into {@code out} at {@code off}: exactly {@code pageSize} bytes.
     *
     * @return null on success, else why it failed
     */
    String decode(int flags, byte[] in, int len, byte[] out, int off, int pageSize) {
        try {
            int n;
            if ((flags & KdumpHeader.COMPRESSED_ZLIB) != 0) {
                inflater.reset();
                inflater.setInput(in, 0, len);
                n = 0;
                // on to the stream's end even when the page is full: its Adler-32 is checked there, so a
                // damaged stream is an error rather than a page of other data
                while (!inflater.finished()) {
                    int k = n < pageSize ? inflater.inflate(out, off + n, pageSize - n) : inflater.inflate(beyond);
                    if (n >= pageSize && k > 0) return "zlib data decompresses to more than a page";
                    if (k == 0 && (inflater.needsInput() || inflater.needsDictionary())) break;
                    n += k;
                }
                if (n == pageSize && !inflater.finished()) return "zlib data ends before its checksum";
            } else if ((flags & KdumpHeader.COMPRESSED_LZO) != 0) {
                if (lzo == null) lzo = new LzoDecompressor();
                n = lzo.decompress(in, 0, len, out, off, pageSize);
            } else if ((flags & KdumpHeader.COMPRESSED_SNAPPY) != 0) {
                if (snappy == null) snappy = new SnappyDecompressor();
                n = snappy.decompress(in, 0, len, out, off, pageSize);
            } else if ((flags & KdumpHeader.COMPRESSED_ZSTD) != 0) {
                NativeZstd.Context z = nativeZstd();
                if (z != null) {
                    n = z.decode(in, len, out, off, pageSize, nativeError);
                    if (n < 0) return "zstd data does not decode: " + nativeError[0];
                } else {
                    if (zstd == null) zstd = new ZstdDecompressor();
                    n = zstd.decompress(in, 0, len, out, off, pageSize);
                }
            } else {
                if (len != pageSize) return "uncompressed page of " + len + " bytes, page size " + pageSize;
                System.arraycopy(in, 0, out, off, len);
                n = len;
            }
            if (n != pageSize) return "decompressed to " + n + " bytes, page size " + pageSize;
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
