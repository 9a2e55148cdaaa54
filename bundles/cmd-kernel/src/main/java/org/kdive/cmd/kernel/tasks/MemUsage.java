package org.kdive.cmd.kernel.tasks;

import java.util.OptionalLong;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.cmd.kernel.access.Kernel;

/** A task's memory use for `ps`: VSZ and RSS in KiB and %MEM, computed as crash does. */
public record MemUsage(long vszKb, long rssKb, double pctMem) {
    static final MemUsage NONE = new MemUsage(0, 0, 0);

    /** MM_FILEPAGES, MM_ANONPAGES, MM_SHMEMPAGES (MM_SWAPENTS is not resident). */
    private static final int[] RESIDENT_COUNTERS = {0, 1, 3};

    public static MemUsage of(Kernel k, TaskTable table, TaskInfo t) {
        if (t.mm() == 0 || (t.state() & TaskStates.EXIT_ZOMBIE) != 0) return NONE;
        try {
            long page = k.session().dump().info().pageSize() > 0 ? k.session().dump().info().pageSize() : 4096;
            long rss = 0;
            OptionalLong stat = k.offset("mm_struct", "rss_stat");
            OptionalLong count = k.offset("mm_rss_stat", "count");
            if (stat.isPresent() && count.isPresent()) {
                for (int c : RESIDENT_COUNTERS) {
                    long v = k.u64(t.mm() + stat.getAsLong() + count.getAsLong() + 8L * c);
                    if (v > 0) rss += v;
                }
            } else if (stat.isPresent()) {
                // 6.2+: struct percpu_counter rss_stat[NR_MM_COUNTERS]; the central count
                long pcSize = k.size("percpu_counter").orElse(40);
                long cnt = k.offset("percpu_counter", "count").orElse(8);
                for (int c : RESIDENT_COUNTERS) {
                    long v = k.u64(t.mm() + stat.getAsLong() + pcSize * c + cnt);
                    if (v > 0) rss += v;
                }
            }
            // SPLIT_RSS_COUNTING: per-thread deltas not yet folded into the mm
            OptionalLong tstat = k.offset("task_struct", "rss_stat");
            OptionalLong tcount = k.offset("task_rss_stat", "count");
            if (tstat.isPresent() && tcount.isPresent()) {
                for (TaskInfo th : table.tasks()) {
                    if (th.tgid() != t.tgid() || th.mm() != t.mm()) continue;
                    for (int c : RESIDENT_COUNTERS) {
                        long v = k.s32(th.task() + tstat.getAsLong() + tcount.getAsLong() + 4L * c);
                        if (v > 0) rss += v;
                    }
                }
            }
            long totalVm = k.u64(t.mm() + k.requireOffset("mm_struct", "total_vm"));
            long totalPages = totalPages(k);
            double pct = totalPages > 0 ? rss * 100.0 / totalPages : 0;
            return new MemUsage(totalVm * page / 1024, rss * page / 1024, pct);
        } catch (RuntimeException e) {
            return NONE;
        }
    }

    /** Pages of RAM up to high_memory, crash's denominator for %MEM. */
    static long totalPages(Kernel k) {
        try {
            long high = k.u64(k.requireSymbol("high_memory"));
            long phys = k.memory().toPhysical(high - 1) + 1;
            return phys / 4096;
        } catch (RuntimeException e) {
            OptionalLong tr = k.symbol("_totalram_pages");
            return tr.isPresent() ? k.u64(tr.getAsLong()) : 0;
        }
    }
}
