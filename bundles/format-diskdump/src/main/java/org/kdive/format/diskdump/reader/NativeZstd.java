package org.kdive.format.diskdump.reader;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.lang.ref.Cleaner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The system's libzstd (Debian libzstd1) through JNA direct mapping: about 1.6 times as fast as the
 * pure-Java decoder on 4 KiB pages (bench/formats-read.sh). Only {@link NativeCodecs} loads the
 * library, after checking that JNA is there; without JNA this class is never initialised.
 */
final class NativeZstd {
    private static final Cleaner CLEANER = Cleaner.create();

    private NativeZstd() {
    }

    // size_t and pointers are passed as long: 64-bit hosts only (checked in load)
    private static native long ZSTD_createDCtx();

    private static native long ZSTD_freeDCtx(long dctx);

    private static native long ZSTD_decompressDCtx(long dctx, long dst, long dstCapacity, long src, long srcSize);

    private static native int ZSTD_isError(long code);

    private static native String ZSTD_getErrorName(long code);

    private static native int ZSTD_versionNumber();

    /**
     * Binds the first usable library: -Dkdive.zstd.library, the Debian soname, then JNA's search.
     *
     * @return "libzstd X.Y.Z (path)"
     * @throws UnsatisfiedLinkError saying what was tried
     */
    static String load() {
        if (Native.POINTER_SIZE != 8) throw new UnsatisfiedLinkError("libzstd binding needs a 64-bit JVM");
        List<String> tried = new ArrayList<>();
        for (String candidate : candidates()) {
            try {
                Native.register(NativeZstd.class, NativeLibrary.getInstance(candidate));
            } catch (UnsatisfiedLinkError e) {
                tried.add(candidate + " (" + e.getMessage().lines().findFirst().orElse("") + ")");
                continue;
            }
            int v = ZSTD_versionNumber();
            return String.format("libzstd %d.%d.%d (%s)", v / 10000, v / 100 % 100, v % 100, candidate);
        }
        throw new UnsatisfiedLinkError("libzstd not found (Debian package libzstd1); tried " + String.join(", ", tried));
    }

    private static Set<String> candidates() {
        Set<String> c = new LinkedHashSet<>();
        String prop = System.getProperty("kdive.zstd.library");
        if (prop != null && !prop.isBlank()) c.add(prop);
        for (String dir : List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib")) {
            Path p = Path.of(dir, "libzstd.so.1");
            if (Files.exists(p)) c.add(p.toString());
        }
        c.add("zstd");
        return c;
    }

    /**
     * A decompression context and native in/out buffers, reused for every page of one thread (no
     * allocation per page); freed when the owning decoder becomes unreachable.
     */
    static final class Context {
        private final long dctx;
        private Memory in;
        private Memory out;

        Context() {
            long d = ZSTD_createDCtx();
            if (d == 0) throw new OutOfMemoryError("ZSTD_createDCtx failed");
            dctx = d;
            CLEANER.register(this, () -> ZSTD_freeDCtx(d));
        }

        /**
         * Decodes one zstd page of {@code len} bytes into {@code dst} at {@code off}, at most {@code pageSize} bytes.
         *
         * @return the decoded size, or -1 with the reason in {@code error[0]}
         */
        int decode(byte[] src, int len, byte[] dst, int off, int pageSize, String[] error) {
            if (in == null || in.size() < len) in = new Memory(Math.max(len, 4096));
            if (out == null || out.size() < pageSize) out = new Memory(pageSize);
            in.write(0, src, 0, len);
            long n = ZSTD_decompressDCtx(dctx, Pointer.nativeValue(out), pageSize, Pointer.nativeValue(in), len);
            if (n != pageSize && ZSTD_isError(n) != 0) { // a full page is never an error code: one call less
                error[0] = ZSTD_getErrorName(n);
                return -1;
            }
            out.read(0, dst, off, (int) n);
            return (int) n;
        }
    }
}
