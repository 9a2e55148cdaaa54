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
}
