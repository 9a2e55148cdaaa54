package org.kdive.launcher.log;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.event.Level;

/**
 * Where log records go: warnings (and worse) to stderr for the user, everything at the file
 * level and above to the log file. Configured once by the launcher before the framework starts.
 *
 * <p>Libraries (loggers outside org.kdive: the JDK's HTTP client, Felix, JLine ...) are logged
 * from INFO up, and reach the console only with errors: their debug records once filled 63 MB in
 * one fetch. The file is capped: past {@link #MAX_FILE_BYTES} it is renamed to NAME.1 (replacing
 * the previous one) and a new one begins.
 */
public final class LogSink {
    /** The log file's size cap; with its one older generation, a log never takes more than twice this. */
    static final long MAX_FILE_BYTES = Long.getLong("kdive.log.max.bytes", 8L << 20);
    private static volatile Level consoleLevel = Level.WARN;
    private static volatile Level fileLevel = Level.DEBUG;
    private static volatile BufferedWriter file;
    private static volatile Path filePath;
    private static long fileBytes;
    private static final PrintStream STDERR = System.err;
    private static volatile boolean followSystemErr;
    private static volatile String quiet;

    private LogSink() {
    }

    public static synchronized void configure(Level console, Level fileLvl, Path logFile) {
        consoleLevel = console;
        fileLevel = fileLvl;
        closeFile();
        filePath = null;
        if (logFile != null) {
            try {
                Files.createDirectories(logFile.toAbsolutePath().getParent());
                open(logFile, false);
                filePath = logFile;
            } catch (IOException e) {
                STDERR.println("kdive: cannot write log file " + logFile + ": " + e.getMessage());
            }
        }
    }

    /**
     * A FileOutputStream, not a channel: an interrupted thread (a cancelled command) that logs must
     * not close the log file for every later record, as an interruptible channel would.
     */
    private static void open(Path logFile, boolean append) throws IOException {
        file = new BufferedWriter(new java.io.OutputStreamWriter(new java.io.FileOutputStream(logFile.toFile(), append),
                StandardCharsets.UTF_8));
        fileBytes = append ? Files.size(logFile) : 0;
    }

    /** Past the cap: the file becomes NAME.1 and a new one begins (under the class lock). */
    private static void rotate() {
        Path p = filePath;
        closeFile();
        try {
            Files.move(p, p.resolveSibling(p.getFileName() + ".1"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            open(p, false);
        } catch (IOException e) {
            // no log from here on rather than an unbounded one
        }
    }

    /**
     * Console messages that name {@code path} go to the log only: the launcher has said once that
     * this (cache) directory cannot be used, and what fails to be written there is not news.
     */
    public static void quietAbout(String path) {
        quiet = path;
    }

    /** " (details in LOG)" for a message to the user, or nothing when there is no log file. */
    public static String seeLog() {
        Path p = filePath;
        return p == null ? "" : " (details in " + p + ")";
    }

    /**
     * For a kdive server: console messages go to whatever System.err is when they are logged (Gogo
     * points it at the client of the logging thread), not to the JVM's stderr (/dev/null), and the
     * file is flushed at every message, since a server runs for minutes.
     */
    public static void serverMode() {
        followSystemErr = true;
    }

    public static Path filePath() {
        return filePath;
    }

    static boolean enabled(Level level) {
        return level.toInt() >= Math.min(consoleLevel.toInt(), file == null ? Integer.MAX_VALUE : fileLevel.toInt());
    }

    /** Whether a record of this logger and level goes anywhere. */
    static boolean enabled(String logger, Level level) {
        if (!library(logger)) return enabled(level);
        return level.toInt() >= Math.min(Math.max(consoleLevel.toInt(), Level.ERROR.toInt()),
                file == null ? Integer.MAX_VALUE : Math.max(fileLevel.toInt(), Level.INFO.toInt()));
    }

    /** A logger of a library rather than of kdive. */
    static boolean library(String logger) {
        return !logger.startsWith("org.kdive.");
    }

    static void log(String logger, Level level, String message, Throwable t) {
        boolean library = library(logger);
        int console = library ? Math.max(consoleLevel.toInt(), Level.ERROR.toInt()) : consoleLevel.toInt();
        String q = quiet;
        if (level.toInt() >= console && (q == null || message == null || !message.contains(q))) {
            String prefix = level == Level.ERROR ? "ERROR: " : level == Level.WARN ? "WARNING: " : "";
            (followSystemErr ? System.err : STDERR).println(prefix + message);
        }
        BufferedWriter w = file;
        if (w != null && level.toInt() >= (library ? Math.max(fileLevel.toInt(), Level.INFO.toInt()) : fileLevel.toInt())) {
            StringBuilder sb = new StringBuilder();
            appendTime(sb, System.currentTimeMillis());
            sb.append(' ').append(level).append(' ')
                    .append('[').append(Thread.currentThread().getName()).append("] ")
                    .append(shortName(logger)).append(": ").append(message).append('\n');
            if (t != null) {
                StringWriter sw = new StringWriter();
                t.printStackTrace(new PrintWriter(sw));
                sb.append(sw);
            }
            synchronized (LogSink.class) {
                w = file;
                if (w == null) return;
                try {
                    w.write(sb.toString());
                    if (followSystemErr || level.toInt() >= Level.WARN.toInt()) w.flush();
                } catch (IOException e) {
                    // the log file is best effort; never disturb the command's output
                }
                fileBytes += sb.length();
                if (fileBytes > MAX_FILE_BYTES) rotate();
            }
        }
    }

    /**
     * yyyy-MM-dd HH:mm:ss.SSS in UTC, by arithmetic: java.time's formatter and zone rules take tens of
     * milliseconds to load, a noticeable part of kdive's start.
     */
    static void appendTime(StringBuilder sb, long millis) {
        long days = Math.floorDiv(millis, 86_400_000L);
        long ms = Math.floorMod(millis, 86_400_000L);
        // civil date from days since 1970-01-01 (proleptic Gregorian, eras of 400 years)
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        long day = doy - (153 * mp + 2) / 5 + 1;
        long month = mp < 10 ? mp + 3 : mp - 9;
        long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
        sb.append(year).append('-');
        two(sb, month).append('-');
        two(sb, day).append(' ');
        two(sb, ms / 3_600_000).append(':');
        two(sb, ms / 60_000 % 60).append(':');
        two(sb, ms / 1000 % 60).append('.');
        long frac = ms % 1000;
        if (frac < 100) sb.append('0');
        two(sb, frac);
    }

    private static StringBuilder two(StringBuilder sb, long v) {
        if (v < 10) sb.append('0');
        return sb.append(v);
    }

    public static synchronized void flush() {
        if (file != null) {
            try {
                file.flush();
            } catch (IOException e) {
                // best effort
            }
        }
    }

    private static void closeFile() {
        if (file != null) {
            try {
                file.close();
            } catch (IOException e) {
                // best effort
            }
            file = null;
        }
    }

    private static String shortName(String logger) {
        int dot = logger.lastIndexOf('.');
        return dot < 0 ? logger : logger.substring(dot + 1);
    }
}
