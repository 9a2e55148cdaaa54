package org.kdive.cmd.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.kdive.cmd.kernel.access.Clock;

/**
 * Times print in the local zone of the machine kdive runs on, as crash's ctime_tz does; the tests run
 * with -Duser.timezone=UTC (the zone the references were made in), whatever TZ the developer has.
 */
class ClockTest {
    private static final long PANIC = 1795729417L; // the corpus dump's crash time

    @Test
    void theTestsRunInTheReferencesZone() {
        assertEquals(ZoneId.of("UTC"), ZoneId.systemDefault());
        assertEquals("Thu Nov 26 21:43:37 UTC 2026", Clock.ctime(PANIC));
    }

    @Test
    void otherZonesPrintTheirOwnTimeAndName() {
        assertEquals("Thu Nov 26 22:43:37 CET 2026", Clock.ctime(PANIC, ZoneId.of("Europe/Berlin")));
        assertEquals("Thu Nov 26 16:43:37 EST 2026", Clock.ctime(PANIC, ZoneId.of("America/New_York")));
    }
}
