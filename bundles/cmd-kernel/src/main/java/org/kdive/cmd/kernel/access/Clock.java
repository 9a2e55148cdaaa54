package org.kdive.cmd.kernel.access;

import java.time.Instant;
import java.time.ZoneId;
import java.util.OptionalLong;

/** Wall clock and uptime of the crashed kernel, computed as crash does. */
public final class Clock {
    private final Kernel k;

    public Clock(Kernel k) {
        this.k = k;
    }

    /**
     * HZ of the kernel. It is a build option not visible in the dump's notes; tick_nsec is
     * (NSEC_PER_SEC + HZ/2) / HZ, so HZ follows from it. Falls back to 1000 like crash.
     */
    public int hz() {
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

    /** Seconds since the epoch at the time of the crash: timekeeper xtime_sec, else the dump's. */
    public long date() {
        try {
            OptionalLong tk = k.symbol("tk_core");
            OptionalLong secOff = k.offset("timekeeper", "xtime_sec");
            if (tk.isPresent() && secOff.isPresent()) {
                return k.u64(tk.getAsLong() + tkCoreTimekeeperOffset() + secOff.getAsLong());
            }
            OptionalLong t = k.symbol("timekeeper");
            if (t.isPresent() && secOff.isPresent()) return k.u64(t.getAsLong() + secOff.getAsLong());
        } catch (RuntimeException e) {
            // fall back to the dump
        }
        OptionalLong ct = k.vmcoreinfo().crashTime();
        if (ct.isPresent()) return ct.getAsLong();
        String ts = k.session().dump().info().details().get(org.kdive.api.dump.DumpInfo.DETAIL_TIMESTAMP);
        return ts == null ? 0 : Long.parseLong(ts.trim());
    }

    /**
     * tk_core is {seqcount; struct timekeeper} in an anonymous struct, so the member's offset follows
     * from the sequence counter's size (PREEMPT_RT's seqcount_raw_spinlock_t carries a lock pointer:
     * 16, not 8; lockdep adds its map), rounded up to the timekeeper's 8-byte alignment. Computed from
     * the types, which the dump's BTF has too: asking for the variable would fetch a vmlinux for it.
     */
    private long tkCoreTimekeeperOffset() {
        for (String seq : new String[] {"seqcount_raw_spinlock_t", "seqcount_t"}) {
            OptionalLong size = k.size(seq);
            if (size.isPresent()) return (size.getAsLong() + 7) & ~7L;
        }
        return 8;
    }

    /** Jiffies since boot (jiffies_64 minus INITIAL_JIFFIES, which is -300 s worth of ticks). */
    public long uptimeJiffies() {
        int hz = hz();
        OptionalLong j64 = k.symbol("jiffies_64");
        if (j64.isPresent()) {
            long j = k.u64(j64.getAsLong());
            long wrapped = j & 0xffffffff00000000L;
            if (wrapped != 0) {
                wrapped -= 0x100000000L;
                j = (j & 0xffffffffL) | wrapped;
                return j + 300L * hz;
            }
            long initial = (-300L * hz) & 0xffffffffL;
            return j - initial;
        }
        return k.u64(k.requireSymbol("jiffies"));
    }

    public long uptimeSeconds() { return uptimeJiffies() / hz(); }

    /** The boot time as crash computes it for `log -T`: date minus uptime, whole seconds. */
    public long bootDate() { return date() - uptimeSeconds(); }

    /** "[d days, ]hh:mm:ss". */
    public static String duration(long seconds) {
        long days = seconds / 86400;
        long rest = seconds % 86400;
        String hms = String.format("%02d:%02d:%02d", rest / 3600, (rest % 3600) / 60, rest % 60);
        return days > 0 ? days + " days, " + hms : hms;
    }

    /**
     * ctime-like rendering with the zone, as crash's ctime_tz: like crash, users see the local time
     * zone of the machine kdive runs on (TZ), not the crashed machine's, which the dump does not record.
     */
    public static String ctime(long epochSeconds) {
        return ctime(epochSeconds, ZoneId.systemDefault());
    }

    public static String ctime(long epochSeconds, ZoneId zone) {
        return org.kdive.api.util.CtimeFormat.ctime(Instant.ofEpochSecond(epochSeconds), zone);
    }
}
