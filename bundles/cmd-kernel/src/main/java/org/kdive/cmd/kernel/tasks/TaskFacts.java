package org.kdive.cmd.kernel.tasks;

import java.util.OptionalLong;
import org.kdive.cmd.kernel.access.Kernel;

/**
 * Per-task scheduler and accounting facts crash's `ps` options show: start time, user and system
 * time, when the task last ran, its scheduling policy and its resource limits.
 */
public final class TaskFacts {
    /** crash's names of the rlimit slots, in the kernel's RLIMIT_* order. */
    public static final String[] RLIMIT_NAMES = {"CPU", "FSIZE", "DATA", "STACK", "CORE", "RSS", "NPROC", "NOFILE",
        "MEMLOCK", "AS", "LOCKS", "SIGPENDING", "MSGQUEUE", "NICE", "RTPRIO", "RTTIME"};
    /** The kernel's SCHED_* numbers, named as crash names them for `ps -y`. */
    public static final String[] POLICIES = {"NORMAL", "FIFO", "RR", "BATCH", "ISO", "IDLE", "DEADLINE"};

    private final Kernel k;

    public TaskFacts(Kernel k) {
        this.k = k;
    }

    /** task_struct.start_time: nanoseconds since boot (monotonic) on every kernel kdive reads. */
    public long startTime(long task) {
        return k.u64(task + k.requireOffset("task_struct", "start_time"));
    }

    public long utime(long task) {
        return k.u64(task + k.requireOffset("task_struct", "utime"));
    }

    public long stime(long task) {
        return k.u64(task + k.requireOffset("task_struct", "stime"));
    }

    /** Whether the kernel keeps a last-run timestamp crash can show (sched_info.last_arrival). */
    public boolean hasLastRun() {
        return k.hasMember("task_struct", "sched_info.last_arrival");
    }

    /** sched_info.last_arrival: the rq clock (ns) when the task last got the CPU. */
    public long lastRun(long task) {
        OptionalLong off = k.offset("task_struct", "sched_info.last_arrival");
        return off.isPresent() ? k.u64(task + off.getAsLong()) : 0;
    }

    /** task_struct.policy (SCHED_NORMAL = 0, ...). */
    public int policy(long task) {
        return (int) k.readMember(task, "task_struct", "policy");
    }

    /** rq.clock of a CPU's run queue (ns). */
    public long rqClock(int cpu) {
        return k.u64(k.perCpu("runqueues", cpu) + k.requireOffset("rq", "clock"));
    }

    /** signal_struct.rlim[]: {current, maximum} pairs. */
    public long[][] rlimits(long task) {
        long signal = k.u64(task + k.requireOffset("task_struct", "signal"));
        long base = signal + k.requireOffset("signal_struct", "rlim");
        long count = k.memberSize("signal_struct", "rlim") / 16;
        long[][] out = new long[(int) count][2];
        for (int i = 0; i < count; i++) {
            out[i][0] = k.u64(base + 16L * i);
            out[i][1] = k.u64(base + 16L * i + 8);
        }
        return out;
    }

    /** crash's translate_nanoseconds: "D HH:MM:SS.mmm". */
    public static String daysClock(long ns) {
        long v = Long.divideUnsigned(ns, 1_000_000L);
        long ms = v % 1000;
        v /= 1000;
        long secs = v % 60;
        v /= 60;
        long mins = v % 60;
        v /= 60;
        long hours = v % 24;
        long days = v / 24;
        return String.format("%d %02d:%02d:%02d.%03d", days, hours, mins, secs, ms);
    }
}
