package org.kdive.cmd.process.mm;

import java.util.List;
import java.util.OptionalLong;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.cmd.process.access.Layout;

/**
 * A task's mm_struct, page directory, resident pages and total_vm as crash's get_task_mem_usage
 * reads them: the file, anon and shmem counters of mm_struct.rss_stat (atomics before 6.2, per-CPU
 * counters summed over the CPUs from 6.2), plus the per-thread deltas of SPLIT_RSS_COUNTING
 * kernels (task_struct.rss_stat).
 */
public record MmUsage(long mm, long pgd, long rssPages, long totalVmPages) {
    public static final MmUsage NONE = new MmUsage(0, 0, 0, 0);
    private static final long EXIT_ZOMBIE = 0x20;

    public static MmUsage of(Layout k, TaskInfo t, List<TaskInfo> all) {
        if (t.mm() == 0 || (t.state() & EXIT_ZOMBIE) != 0) return NONE;
        long mm = t.mm();
        long pgd = k.pointer(mm, "mm_struct", "pgd");
        long total = k.u64(mm + k.requireOffset("mm_struct", "total_vm"));
        long[] counters = residentCounters(k);
        long rss = 0;
        OptionalLong stat = k.offset("mm_struct", "rss_stat");
        OptionalLong count = k.offset("mm_rss_stat", "count");
        if (stat.isPresent() && count.isPresent()) {
            for (long c : counters) {
                if (c < 0) continue;
                long v = k.u64(mm + stat.getAsLong() + count.getAsLong() + 8L * c);
                if (v > 0) rss += v;
            }
        } else if (stat.isPresent()) {
            long size = k.size("percpu_counter");
            for (long c : counters) {
                if (c < 0) continue;
                long v = percpuSum(k, mm + stat.getAsLong() + size * c);
                if (v > 0) rss += v;
            }
        }
        OptionalLong tstat = k.offset("task_struct", "rss_stat");
        OptionalLong tcount = k.offset("task_rss_stat", "count");
        if (tstat.isPresent() && tcount.isPresent()) {
            for (TaskInfo th : all) {
                if (th.tgid() != t.tgid()) continue;
                // crash adds each thread's file (slot 0), anon (slot 1) and shmem deltas
                for (long c : new long[] {0, 1, counters[2]}) {
                    if (c < 0) continue;
                    long v = k.s32(th.task() + tstat.getAsLong() + tcount.getAsLong() + 4L * c);
                    if (v > 0) rss += v;
                }
            }
        }
        return new MmUsage(mm, pgd, rss, total);
    }

    /** MM_FILEPAGES, MM_ANONPAGES, MM_SHMEMPAGES (-1 when the kernel has none) from the enum, crash's defaults otherwise. */
    private static long[] residentCounters(Layout k) {
        OptionalLong file = k.enumerator("MM_FILEPAGES");
        OptionalLong anon = k.enumerator("MM_ANONPAGES");
        OptionalLong shmem = k.enumerator("MM_SHMEMPAGES");
        if (file.isEmpty() || anon.isEmpty()) return new long[] {0, 1, shmem.orElse(-1)};
        return new long[] {file.getAsLong(), anon.getAsLong(), shmem.orElse(-1)};
    }

    /** percpu_counter_sum: the central count plus each CPU's s32 delta. */
    private static long percpuSum(Layout k, long fbc) {
        long sum = k.u64(fbc + k.requireOffset("percpu_counter", "count"));
        long counters = k.u64(fbc + k.requireOffset("percpu_counter", "counters"));
        if (counters != 0) {
            for (long off : k.perCpuOffsets()) {
                try {
                    sum += k.s32(counters + off);
                } catch (RuntimeException e) {
                    // a CPU's area not in the dump adds nothing
                }
            }
        }
        return sum;
    }
}
