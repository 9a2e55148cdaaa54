package org.kdive.fetch.support;

import io.airlift.compress.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import org.kdive.api.fetch.FetchException;
import org.tukaani.xz.LZMAInputStream;
import org.tukaani.xz.XZInputStream;

/** The stream compressions packages use: gzip, xz, lzma, zstd (pure Java), or none. */
public final class Decompress {
    private Decompress() {
    }

    /** Opens by name: "gz"/"gzip", "xz", "lzma", "zst"/"zstd", "" / "none" / "tar" (no compression). */
    public static InputStream open(InputStream in, String kind, String what) throws IOException {
        String k = kind == null ? "" : kind.toLowerCase();
        switch (k) {
            case "gz", "gzip":
                return new GZIPInputStream(in, 1 << 16);
            case "xz":
                return new XZInputStream(new BufferedInputStream(in, 1 << 16));
            case "lzma":
                return new LZMAInputStream(new BufferedInputStream(in, 1 << 16));
            case "zst", "zstd":
                return new Checked(new ZstdInputStream(new BufferedInputStream(in, 1 << 16)), "zstd", what);
            case "", "none", "tar":
                return in;
            default:
                throw new FetchException(what + ": unsupported compression '" + kind + "'");
        }
    }

    /**
     * A decoder whose bad-input errors are unchecked (aircompressor's MalformedInputException, index
     * errors): they become a FetchException naming the file. Found by RpmFuzzTest and DebFuzzTest.
     */
    private static final class Checked extends java.io.FilterInputStream {
        private final String codec;
        private final String what;

        Checked(InputStream in, String codec, String what) {
            super(in);
            this.codec = codec;
            this.what = what;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (RuntimeException e) {
                throw damaged(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (RuntimeException e) {
                throw damaged(e);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                return super.skip(n);
            } catch (RuntimeException e) {
                throw damaged(e);
            }
        }

        private RuntimeException damaged(RuntimeException e) {
            if (e instanceof FetchException f) return f;
            return new FetchException(what + ": damaged " + codec + " data: " + e.getMessage(), e);
        }
    }

    /** Opens by the magic bytes at the start of {@code in} (which must support mark/reset). */
    public static InputStream sniff(InputStream in, String what) throws IOException {
        if (!in.markSupported()) in = new BufferedInputStream(in, 1 << 16);
        in.mark(8);
        byte[] m = in.readNBytes(6);
        in.reset();
        if (m.length >= 2 && (m[0] & 0xff) == 0x1f && (m[1] & 0xff) == 0x8b) return open(in, "gz", what);
        if (m.length >= 6 && (m[0] & 0xff) == 0xfd && m[1] == '7' && m[2] == 'z' && m[3] == 'X' && m[4] == 'Z') {
            return open(in, "xz", what);
        }
        if (m.length >= 4 && (m[0] & 0xff) == 0x28 && (m[1] & 0xff) == 0xb5 && (m[2] & 0xff) == 0x2f
                && (m[3] & 0xff) == 0xfd) {
            return open(in, "zstd", what);
        }
        return in;
    }
}
