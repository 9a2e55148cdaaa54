package org.kdive.launcher;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;

/**
 * What the class-data archive (or JDK 25's ahead-of-time cache) that bin/kdive runs with was made
 * from: the JVM and the installation's jars, stamped beside the archive by the run that makes it.
 * The script names an archive after the installation's directory and the JDK's version only
 * (hashing the jars' listing cost it five processes a run), so a run that uses one checks the
 * stamp here and removes an archive whose jars have changed since: the next
 * run makes it again. (The JVM itself never trusts a stale archive: it checks its class path and
 * each class's bytes; a stale archive only shares fewer classes.)
 */
final class ClassDataStamp {
    private static final String SUFFIX = ".stamp";
    /** Ends a stamp made by a run with a session. */
    private static final String SESSION = " session";
    /** Begins the stamp's second line: the installation it was made for (for pruning). */
    private static final String HOME = "home ";

    private ClassDataStamp() {
    }

    /**
     * Stamps the archive this run makes (-Dkdive.cds.making), or checks the one it uses
     * (-Dkdive.cds.archive): a listing of two directories, about a millisecond, at once (a thread
     * of its own cost more to start, and a short run could end before it had written).
     * {@code session}: this run opens a dump's session (files and commands, not --info or help).
     */
    static void start(Path home, boolean session) {
        String making = System.getProperty("kdive.cds.making");
        String using = System.getProperty("kdive.cds.archive");
        try {
            if (making != null && !making.isBlank()) {
                stamp(Paths.get(making), home, session);
            } else if (using != null && !using.isBlank()) {
                check(Paths.get(using), home, session);
            }
        } catch (IOException | RuntimeException e) {
            // a cache, no more: the next run makes or checks it again
        }
    }

    /** The stamp of the JVM and the installation's jars. */
    static String of(Path home) {
        StringBuilder key = new StringBuilder();
        key.append(System.getProperty("java.home")).append('\0').append(System.getProperty("java.vm.version")).append('\0');
        ServerClient.stamps(key, home.resolve("lib"));
        ServerClient.stamps(key, home.resolve("bundles"));
        return Long.toHexString(ServerClient.fnv1a(key));
    }

    static void stamp(Path archive, Path home, boolean session) throws IOException {
        Path stamp = archive.resolveSibling(archive.getFileName() + SUFFIX);
        Path tmp = archive.resolveSibling(archive.getFileName() + SUFFIX + "." + ProcessHandle.current().pid() + ".tmp");
        Files.writeString(tmp, of(home) + (session ? SESSION : "") + "\n" + HOME + home.toAbsolutePath() + "\n");
        Files.move(tmp, stamp, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        pruneOrphans(archive.getParent());
    }

    /**
     * Removes the archive (and its stamp) when it was made from other jars or another JVM, or is
     * unstamped; and, once, a class-data archive made by a run without a session when this run has
     * one: the first run decides which classes the archive holds, and one of `--info` or `help`
     * leaves out those of the commands and the debuginfo (6% of a `sys; bt; ps; log`, bench/). Not
     * JDK 25's cache: its training run is always `help`.
     */
    static boolean check(Path archive, Path home, boolean session) throws IOException {
        Path stamp = archive.resolveSibling(archive.getFileName() + SUFFIX);
        String made = Files.exists(stamp) ? Files.readString(stamp).lines().findFirst().orElse("").trim() : "";
        boolean madeWithSession = made.endsWith(SESSION);
        String jars = madeWithSession ? made.substring(0, made.length() - SESSION.length()) : made;
        boolean partial = session && !madeWithSession && archive.getFileName().toString().endsWith(".jsa");
        if (jars.equals(of(home)) && !partial) return true;
        if (!Files.exists(archive)) return false; // being made: its run stamps it
        Files.deleteIfExists(archive);
        Files.deleteIfExists(stamp);
        return false;
    }

    /**
     * Archives of installations that are gone: the cache directory would otherwise keep ~10 MB for
     * every installation ever run, such as each test checkout. The script writes the directory into
     * the name with '/' as '+', or a checksum where that would not do (a directory with a '+', a
     * blank, a '%' or ':' of its own, or a long one): such an archive's stamp names its installation.
     * Archives of unreadable names, and checksum-named ones stamped before stamps named it, are left alone.
     */
    static void pruneOrphans(Path dir) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "kdive-+*")) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                int end = name.lastIndexOf("-jdk");
                if (end <= "kdive-".length()) continue;
                Path installation = Paths.get(name.substring("kdive-".length(), end).replace('+', '/'));
                if (!Files.isDirectory(installation)) Files.deleteIfExists(f);
            }
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "kdive-[0-9]*-jdk*" + SUFFIX)) {
            for (Path stamp : files) {
                String name = stamp.getFileName().toString();
                if (!name.matches("kdive-[0-9]+-jdk.*")) continue;
                String home = Files.readString(stamp).lines().filter(l -> l.startsWith(HOME)).findFirst().orElse(null);
                if (home == null || Files.isDirectory(Paths.get(home.substring(HOME.length())))) continue;
                Files.deleteIfExists(stamp.resolveSibling(name.substring(0, name.length() - SUFFIX.length())));
                Files.deleteIfExists(stamp);
            }
        }
        // kdive's earlier names (kdive-HOMESUM-JARSSUM.jsa): no script looks for them any more
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "kdive-[0-9]*-[0-9]*.{jsa,aot}")) {
            for (Path f : files) {
                if (f.getFileName().toString().matches("kdive-[0-9]+-[0-9]+\\.(jsa|aot)")) Files.deleteIfExists(f);
            }
        }
    }
}
