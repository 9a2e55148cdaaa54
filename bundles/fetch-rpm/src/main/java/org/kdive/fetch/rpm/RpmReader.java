package org.kdive.fetch.rpm;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.kdive.api.fetch.FetchException;
import org.kdive.fetch.support.BoundedInputStream;
import org.kdive.fetch.support.Decompress;
import org.kdive.fetch.support.DebugFileCollector;
import org.kdive.fetch.support.FetchSettings;

/**
 * Reads an rpm: lead (96 bytes), signature header (8-aligned), main header, then the payload, a
 * cpio "newc" archive compressed as the header's PAYLOADCOMPRESSOR says (gzip, xz, lzma, zstd).
 * Scriptlets are header data that is never looked at.
 */
final class RpmReader {
    private static final int TAG_PAYLOADFORMAT = 1124;
    private static final int TAG_PAYLOADCOMPRESSOR = 1125;
    private static final int MAX_HEADER = 256 << 20;

    private RpmReader() {
    }

    static void unpack(InputStream raw, String what, FetchSettings.Limits limits, DebugFileCollector sink) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16));
        byte[] lead = in.readNBytes(96);
        if (lead.length < 96 || (lead[0] & 0xff) != 0xed || (lead[1] & 0xff) != 0xab || (lead[2] & 0xff) != 0xee
                || (lead[3] & 0xff) != 0xdb) {
            throw new FetchException(what + ": not an rpm (no lead)");
        }
        Header sig = Header.read(in, what, true);
        Header main = Header.read(in, what, false);
        String format = main.string(TAG_PAYLOADFORMAT, "cpio");
        if (!format.equals("cpio")) throw new FetchException(what + ": unsupported rpm payload format " + format);
        String compressor = main.string(TAG_PAYLOADCOMPRESSOR, "gzip");
        if (sig == null) throw new FetchException(what + ": no signature header");
        InputStream payload = new BoundedInputStream(Decompress.open(in, compressor, what), limits.maxUnpacked(), what);
        Cpio.read(payload, what, sink);
    }

    /** An rpm header structure: index entries and a data store. */
    static final class Header {
        private final ByteBuffer index;
        private final byte[] store;
        private final int count;

        private Header(ByteBuffer index, byte[] store, int count) {
            this.index = index;
            this.store = store;
            this.count = count;
        }

        static Header read(DataInputStream in, String what, boolean pad) throws IOException {
            byte[] magic = in.readNBytes(8);
            if (magic.length < 8 || (magic[0] & 0xff) != 0x8e || (magic[1] & 0xff) != 0xad || (magic[2] & 0xff) != 0xe8) {
                throw new FetchException(what + ": damaged rpm header");
            }
            int count = in.readInt();
            int size = in.readInt();
            if (count < 0 || size < 0 || (long) count * 16 + size > MAX_HEADER) {
                throw new FetchException(what + ": rpm header too large");
            }
            byte[] idx = in.readNBytes(count * 16);
            byte[] store = in.readNBytes(size);
            if (idx.length < count * 16 || store.length < size) throw new EOFException(what + ": truncated rpm header");
            if (pad) {
                int p = (8 - (size % 8)) % 8;
                if (in.readNBytes(p).length < p) throw new EOFException(what + ": truncated rpm");
            }
            return new Header(ByteBuffer.wrap(idx), store, count);
        }

        String string(int tag, String def) {
            for (int i = 0; i < count; i++) {
                int t = index.getInt(i * 16);
                int type = index.getInt(i * 16 + 4);
                int off = index.getInt(i * 16 + 8);
                if (t != tag || type != 6 || off < 0 || off >= store.length) continue; // 6 = STRING
                int end = off;
                while (end < store.length && store[end] != 0) end++;
                return new String(store, off, end - off, StandardCharsets.UTF_8);
            }
            return def;
        }
    }

    /** cpio "newc" (070701) / "crc" (070702) archive. */
    static final class Cpio {
        private Cpio() {
        }

        static void read(InputStream in, String what, DebugFileCollector sink) throws IOException {
            long pos = 0;
            while (true) {
                byte[] h = in.readNBytes(110);
                if (h.length < 110) throw new EOFException(what + ": truncated cpio payload");
                pos += 110;
                String magic = new String(h, 0, 6, StandardCharsets.US_ASCII);
                if (!magic.equals("070701") && !magic.equals("070702")) {
                    throw new FetchException(what + ": unsupported cpio header '" + magic + "' (rpm with files over 4 GiB?)");
                }
                long mode = hex(h, 14, what);
                long nlink = hex(h, 38, what);
                long size = hex(h, 54, what);
                long nameSize = hex(h, 94, what);
                if (nameSize <= 0 || nameSize > 8192) throw new FetchException(what + ": bad cpio name size");
                byte[] nb = in.readNBytes((int) nameSize);
                if (nb.length < nameSize) throw new EOFException(what + ": truncated cpio payload");
                pos += nameSize;
                skip(in, pad4(pos), what);
                pos += pad4(pos);
                String name = new String(nb, 0, (int) nameSize - 1, StandardCharsets.UTF_8);
                if (name.equals("TRAILER!!!")) return;
                long type = mode & 0170000;
                DebugFileCollector.Kind kind = type == 0100000 ? (nlink > 1 && size == 0 ? DebugFileCollector.Kind.HARDLINK
                        : DebugFileCollector.Kind.FILE)
                        : type == 0040000 ? DebugFileCollector.Kind.DIRECTORY
                        : type == 0120000 ? DebugFileCollector.Kind.SYMLINK : DebugFileCollector.Kind.OTHER;
                LimitedStream data = new LimitedStream(in, size, what);
                sink.entry(what, name, kind, size, data);
                data.drain();
                pos += size;
                skip(in, pad4(pos), what);
                pos += pad4(pos);
            }
        }

        private static long pad4(long pos) {
            return (4 - (pos % 4)) % 4;
        }

        private static long hex(byte[] h, int off, String what) {
            try {
                return Long.parseLong(new String(h, off, 8, StandardCharsets.US_ASCII), 16);
            } catch (NumberFormatException e) {
                throw new FetchException(what + ": damaged cpio header");
            }
        }

        private static void skip(InputStream in, long n, String what) throws IOException {
            if (in.readNBytes((int) n).length < n) throw new EOFException(what + ": truncated cpio payload");
        }
    }

    /** A view of the next {@code size} bytes. */
    static final class LimitedStream extends InputStream {
        private final InputStream in;
        private final String what;
        private long remaining;

        LimitedStream(InputStream in, long size, String what) {
            this.in = in;
            this.remaining = size;
            this.what = what;
        }

        @Override public int read() throws IOException {
            if (remaining <= 0) return -1;
            int b = in.read();
            if (b < 0) throw new EOFException(what + ": truncated");
            remaining--;
            return b;
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) return -1;
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) throw new EOFException(what + ": truncated");
            remaining -= n;
            return n;
        }

        void drain() throws IOException {
            byte[] buf = new byte[1 << 16];
            while (read(buf, 0, buf.length) >= 0) {
                // skip the rest of an entry nobody wanted
            }
        }
    }
}
