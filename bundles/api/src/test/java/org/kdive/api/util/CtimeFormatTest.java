package org.kdive.api.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The dates put together by hand are the formatter's (and Instant's own ISO form), to the character. */
class CtimeFormatTest {
    private static final DateTimeFormatter CTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss zzz yyyy", Locale.ROOT);
    private static final DateTimeFormatter UTC =
            DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss 'UTC' yyyy", Locale.ROOT).withZone(java.time.ZoneOffset.UTC);

    @Test
    void asTheFormatterPrintsThem() {
        // a day in every month and weekday, single- and two-digit days, midnight and the last second, 1970 to 9999
        for (long s = 0; s < 253_402_300_800L; s += 86_400L * 37 + 3_607) {
            check(Instant.ofEpochSecond(s));
        }
        check(Instant.parse("2026-11-26T21:43:37Z"));
        check(Instant.parse("2026-12-01T00:00:00Z"));
        check(Instant.parse("1999-12-31T23:59:59Z"));
        check(Instant.ofEpochSecond(-1));
        check(Instant.parse("0999-06-01T12:00:00Z"));
        check(Instant.parse("+10000-01-01T00:00:00Z"));
    }

    @Test
    void otherZonesTakeTheFormatter() {
        Instant at = Instant.parse("2026-07-04T10:00:00Z");
        for (String z : new String[] {"Europe/Berlin", "America/New_York", "GMT", "Asia/Kolkata"}) {
            ZoneId zone = ZoneId.of(z);
            assertEquals(ZonedDateTime.ofInstant(at, zone).format(CTIME), CtimeFormat.ctime(at, zone), z);
        }
    }

    private static void check(Instant at) {
        for (String z : new String[] {"UTC", "Etc/UTC"}) {
            ZoneId zone = ZoneId.of(z);
            assertEquals(ZonedDateTime.ofInstant(at, zone).format(CTIME), CtimeFormat.ctime(at, zone), at + " " + z);
        }
        assertEquals(UTC.format(at), CtimeFormat.utc(at), at.toString());
        assertEquals(at.toString(), CtimeFormat.iso(at.getEpochSecond()));
    }
}
