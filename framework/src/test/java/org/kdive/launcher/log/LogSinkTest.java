package org.kdive.launcher.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class LogSinkTest {
    private static final DateTimeFormatter REFERENCE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    @Test
    void timestampsMatchJavaTimeAcrossLeapYearsCenturiesAndDayEnds() {
        long[] samples = {0L, 951_782_400_000L /* 2000-02-29 */, 4_107_542_399_999L /* 2100-02-28 end */,
                1_795_740_476_007L, 1_709_164_800_000L - 1 /* before 2024-02-29 */, 253_402_300_799_999L /* 9999-12-31 */};
        for (long ms : samples) assertEquals(REFERENCE.format(Instant.ofEpochMilli(ms)), format(ms), "millis " + ms);
        java.util.Random r = new java.util.Random(42);
        for (int i = 0; i < 100_000; i++) {
            long ms = Math.floorMod(r.nextLong(), 253_402_300_800_000L);
            assertEquals(REFERENCE.format(Instant.ofEpochMilli(ms)), format(ms), "millis " + ms);
        }
    }

    private static String format(long ms) {
        StringBuilder sb = new StringBuilder();
        LogSink.appendTime(sb, ms);
        return sb.toString();
    }

    /**
     * Issue 14: one automatic fetch left a 63 MB log of the JDK HTTP client's debug records. Library
     * loggers are kept from INFO up (and java.util.logging makes no finer records), kdive's own
     * debug records stay, and the file never grows past its cap: it rotates to NAME.1.
     */
    @Test
    void librariesLogFromInfoUpAndTheFileIsCappedAndRotated(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path log = dir.resolve("kdive.log");
        try {
            LogSink.configure(org.slf4j.event.Level.ERROR, org.slf4j.event.Level.DEBUG, log);
            new JulBridge.Config(); // (what JUL does on its first use in kdive; this JVM has used it already)
            java.util.logging.Logger http = java.util.logging.Logger.getLogger("jdk.internal.httpclient.debug");
            assertEquals(false, http.isLoggable(java.util.logging.Level.FINE), "library debug records are not even made");
            http.fine("a library's debug record");
            http.info("a library's information");
            KdiveLogger ours = new KdiveLogger("org.kdive.core.Session");
            KdiveLogger theirs = new KdiveLogger("org.apache.felix.scr");
            theirs.debug("a library's slf4j debug record");
            ours.debug("kdive's debug record");
            LogSink.flush();
            String text = java.nio.file.Files.readString(log);
            org.junit.jupiter.api.Assertions.assertFalse(text.contains("library's debug") || text.contains("slf4j debug"), text);
            org.junit.jupiter.api.Assertions.assertTrue(text.contains("a library's information") && text.contains("kdive's debug record"), text);

            String line = "x".repeat(1000);
            long written = 0;
            while (written < 3 * LogSink.MAX_FILE_BYTES) {
                ours.debug(line);
                written += line.length();
            }
            LogSink.flush();
            org.junit.jupiter.api.Assertions.assertTrue(java.nio.file.Files.size(log) <= LogSink.MAX_FILE_BYTES + 2000, "size " + java.nio.file.Files.size(log));
            java.nio.file.Path older = dir.resolve("kdive.log.1");
            org.junit.jupiter.api.Assertions.assertTrue(java.nio.file.Files.size(older) <= LogSink.MAX_FILE_BYTES + 2000
                    && java.nio.file.Files.size(older) > LogSink.MAX_FILE_BYTES / 2, "older size " + java.nio.file.Files.size(older));
            try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(dir)) {
                assertEquals(2, files.count(), "the log and one older generation");
            }
        } finally {
            LogSink.configure(org.slf4j.event.Level.WARN, org.slf4j.event.Level.DEBUG, null);
        }
    }
}
