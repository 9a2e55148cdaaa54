package org.kdive.format.diskdump.reader;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which decoder serves zstd pages: the system's libzstd when JNA and the library load, else
 * aircompressor's pure-Java decoder. JNA's start-up costs 100-300 ms, so opening a zstd dump starts
 * the load in the background (once per JVM) and pages decode in Java until it is done.
 * -Dkdive.codecs.java=true forces the Java decoders (read when a thread first decodes).
 * Snappy stays in Java: libsnappy measured no faster than aircompressor on 4 KiB pages (both about
 * 950 MB/s on the reference VM); LZO in Java is above 1 GB/s.
 */
final class NativeCodecs {
    static final String JAVA_ONLY_PROPERTY = "kdive.codecs.java";
    /** The pure-Java decoders of zstd, LZO and snappy pages. */
    static final String AIRCOMPRESSOR = "aircompressor (Java)";
    private static final Logger LOG = LoggerFactory.getLogger(NativeCodecs.class);
    private static final Object LOCK = new Object();
    private static volatile Thread loader; // set once, under LOCK
    private static volatile String zstdLibrary;
    private static volatile String zstdProblem;

    private NativeCodecs() {
    }

    static boolean javaOnly() { return Boolean.getBoolean(JAVA_ONLY_PROPERTY); }

    /** Starts loading libzstd on a daemon thread unless done or under way; cheap to call per page. */
    static void preloadZstd() {
        if (loader != null) return;
        synchronized (LOCK) {
            if (loader != null) return;
            Thread t = new Thread(NativeCodecs::loadZstd, "kdive-libzstd-loader");
            t.setDaemon(true);
            t.start();
            loader = t;
        }
    }

    private static void loadZstd() {
        try {
            Class.forName("com.sun.jna.Native", false, NativeCodecs.class.getClassLoader());
            zstdLibrary = NativeZstd.load();
            LOG.debug("zstd pages decode with {}", zstdLibrary);
            return;
        } catch (ClassNotFoundException e) {
            zstdProblem = "JNA (com.sun.jna) is not available";
        } catch (LinkageError | RuntimeException e) {
            // no libzstd, or JNA cannot load its own stub here (e.g. a noexec temp directory)
            zstdProblem = String.valueOf(e.getMessage());
        }
        LOG.debug("zstd pages decode with aircompressor (pure Java): {}", zstdProblem);
    }

    /** The loaded library ("libzstd 1.5.4 (/usr/lib/...)"); null while loading, after a failure, or before {@link #preloadZstd}. Never waits. */
    static String zstdLoaded() { return zstdLibrary; }

    /** Waits for the load (starting it if needed); for tests and tools. Null: the Java decoder serves zstd. */
    static String awaitZstd() throws InterruptedException {
        preloadZstd();
        loader.join();
        return javaOnly() ? null : zstdLibrary;
    }

    /** Why libzstd is not in use, or null when it is (or still loading). */
    static String zstdProblem() {
        if (javaOnly()) return "-D" + JAVA_ONLY_PROPERTY + "=true";
        return zstdProblem;
    }

    /** The decoder of a dump with this compression, as known at open (for DumpInfo details and the bench). */
    static String decoderFor(int flags) {
        if ((flags & KdumpHeader.COMPRESSED_ZLIB) != 0) return "java.util.zip (zlib)";
        if ((flags & KdumpHeader.COMPRESSED_ZSTD) != 0) {
            if (javaOnly()) return AIRCOMPRESSOR;
            preloadZstd();
            if (zstdLibrary != null) return zstdLibrary;
            return zstdProblem != null ? AIRCOMPRESSOR : "libzstd (loading; " + AIRCOMPRESSOR + " meanwhile)";
        }
        if ((flags & (KdumpHeader.COMPRESSED_LZO | KdumpHeader.COMPRESSED_SNAPPY)) != 0) return AIRCOMPRESSOR;
        return "none";
    }
}
