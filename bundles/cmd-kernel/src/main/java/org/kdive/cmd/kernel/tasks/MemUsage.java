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
                // 6.2+: struct percpu_counter rss_stat[NR_MM_COUNTERS]: the central count plus every possible
                // CPU's s32 delta, as crash adds them. Not only the online CPUs' (the kernel's and drgn's
                // percpu_counter_sum()): a panic takes the other CPUs offline without folding their deltas
                // (only CPU hotplug folds and zeroes them), so on a dump they still hold real pages: on
                // 6.12's QEMU sysrq dump, sleep's 14 anon pages all sit in the stopped CPU 2's delta, and
                // the summed counters match the present PTEs of its page tables.
                long pcSize = k.size("percpu_counter").orElse(40);
                long cnt = k.offset("percpu_counter", "count").orElse(8);
                OptionalLong counters = k.offset("percpu_counter", "counters");
                int[] cpus = possibleCpus(k);
                for (int c : RESIDENT_COUNTERS) {
                    long fbc = t.mm() + stat.getAsLong() + pcSize * c;
                    long v = k.u64(fbc + cnt);
                    if (counters.isPresent()) {
                        long percpu = k.u64(fbc + counters.getAsLong());
                        for (int cpu : cpus) v += k.s32(percpu + k.perCpuOffset(cpu));
                    }
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

    /** The CPUs set in cpu_possible_mask (cached per session); CPU 0 when the mask cannot be read. */
    static int[] possibleCpus(Kernel k) {
        return k.session().cached("cmd-kernel.possible-cpus", () -> {
            try {
                long mask = k.requireSymbol("__cpu_possible_mask");
                long words = Math.max(1, Math.min(k.size("cpumask").orElse(8), 1024) / 8);
                java.util.List<Integer> out = new java.util.ArrayList<>();
                for (int w = 0; w < words; w++) {
                    long bits = k.u64(mask + 8L * w);
                    for (int b = 0; b < 64; b++) if ((bits & (1L << b)) != 0) out.add(w * 64 + b);
                }
                return out.stream().mapToInt(Integer::intValue).toArray();
            } catch (RuntimeException e) {
                return new int[] {0};
            }
        });
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
