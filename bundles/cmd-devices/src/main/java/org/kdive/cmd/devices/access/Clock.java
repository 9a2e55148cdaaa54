package org.kdive.cmd.devices.access;

import java.util.OptionalLong;

/** HZ and uptime of the crashed kernel, as crash computes them (get_uptime). */
public final class Clock {
    private Clock() {
    }

    /** HZ from tick_nsec = (NSEC_PER_SEC + HZ/2) / HZ; 1000 (crash's x86_64 default) when unknown. */
    public static int hz(Kern k) {
        try {
            OptionalLong tn = k.symbol("tick_nsec");
            if (tn.isPresent()) {
                long nsec = k.u64(tn.getAsLong());
                if (nsec > 0 && nsec < 1_000_000_000L) {
                    long hz = Math.round(1_000_000_000.0 / nsec);
                    if (hz >= 10 && hz <= 10_000) return (int) hz;
                }
            }
        } catch (RuntimeException e) {
            // fall back
        }
        return 1000;
    }

    /** Jiffies since boot: jiffies_64 less INITIAL_JIFFIES (-300 s of ticks, 32-bit wrapped). */
    public static long uptimeJiffies(Kern k) {
        int hz = hz(k);
        OptionalLong j64 = k.symbol("jiffies_64");
        if (j64.isPresent()) {
            long j = k.u64(j64.getAsLong());
            long wrapped = j & 0xffffffff00000000L;
            if (wrapped != 0) {
                wrapped -= 0x100000000L;
                j = (j & 0xffffffffL) | wrapped;
                return j + 300L * hz;
            }
            return j - ((-300L * hz) & 0xffffffffL);
        }
        return k.u64(k.requireSymbol("jiffies"));
    }
}
