package org.kdive.launcher;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;

/**
 * kdive's cache directory ($KDIVE_CACHE, else $HOME/.cache/kdive): the framework's bundle cache,
 * the log, the DWARF name index, the class-data archive and the server's socket. One that cannot
 * be written (read-only, full, not a directory) costs speed, never the run: kdive says so once and
 * runs without caching.
 */
final class CacheDir {
    private CacheDir() {
    }

    /** $KDIVE_CACHE, else ~/.cache/kdive (with user.home following $HOME, see {@link #followHome}). */
    static Path root() {
        String env = System.getenv("KDIVE_CACHE");
        if (env != null && !env.isBlank()) return Paths.get(env).toAbsolutePath();
        return Paths.get(System.getProperty("user.home"), ".cache", "kdive");
    }

    /**
     * The JVM takes user.home from the password database; a user (or a test, or sudo -H) that sets
     * $HOME means that one, as every other program does. Every bundle that reads user.home follows.
     */
    static void followHome() {
        String home = System.getenv("HOME");
        if (home != null && !home.isBlank() && home.startsWith("/")) System.setProperty("user.home", home);
    }

    /**
     * Why {@code dir} cannot hold caches, or null when it can: made if missing, then a small file is
     * written and removed (a full file system fails there, not at mkdir).
     */
    static String unusable(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
            return "not a directory";
        } catch (IOException e) {
            return reason(e);
        }
        Path probe = dir.resolve(".kdive-probe-" + Long.toHexString(System.nanoTime()));
        try (FileChannel ch = FileChannel.open(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.DELETE_ON_CLOSE)) {
            ch.write(ByteBuffer.allocate(4096));
            return null;
        } catch (IOException e) {
            try {
                Files.deleteIfExists(probe);
            } catch (IOException ignored) {
                // nothing more to do
            }
            return reason(e);
        }
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
            return ((FileSystemException) e).getReason().toLowerCase(java.util.Locale.ROOT);
        }
        String m = e.getMessage() != null ? e.getMessage() : e.toString();
        return m.isEmpty() ? m : Character.toLowerCase(m.charAt(0)) + m.substring(1); // "No space left on device"
    }

    /** Removes a directory tree (a throw-away framework cache), as far as it can. */
    static void deleteTree(Path dir) {
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // left behind in the temporary directory
                }
            });
        } catch (IOException e) {
            // left behind in the temporary directory
        }
    }
}
