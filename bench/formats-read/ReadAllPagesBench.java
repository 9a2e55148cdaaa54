import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.DumpFormat;
import org.kdive.api.dump.PhysicalMemory;

/**
 * Reads every present page of each dump given (format picked by probe, like the session) and prints
 * MB/s: the cold first round, then (after -Dwarmup ms of untimed reads) the best of -Drounds, by wall
 * time and by the reading thread's CPU time ("one core", steadier on a loaded machine).
 */
public final class ReadAllPagesBench {
    public static void main(String[] args) throws Exception {
        List<DumpFormat> formats = List.of(new org.kdive.format.diskdump.DiskdumpFormat(),
                new org.kdive.format.flattened.FlattenedFormat(), new org.kdive.format.elf.ElfFormat(),
                new org.kdive.format.lkcd.LkcdFormat());
        int rounds = Integer.getInteger("rounds", 3);
        int warmupMs = Integer.getInteger("warmup", 1000);
        for (String a : args) {
            Path file = Paths.get(a);
            byte[] head = new byte[DumpFormat.PROBE_SIZE];
            try (var in = Files.newInputStream(file)) {
                in.readNBytes(head, 0, head.length);
            }
            DumpFormat best = null;
            int score = 0;
            for (DumpFormat f : formats) {
                int s = f.probe(file, ByteBuffer.wrap(head));
                if (s > score) {
                    score = s;
                    best = f;
                }
            }
            if (best == null) {
                System.out.println(file.getFileName() + ": no format");
                continue;
            }
            long t0 = System.nanoTime();
            try (Dump d = best.open(List.of(file))) {
                double openMs = (System.nanoTime() - t0) / 1e6;
                PhysicalMemory m = d.memory();
                byte[] page = new byte[m.pageSize()];
                var cpu = java.lang.management.ManagementFactory.getThreadMXBean();
                double bestCpuMbs = 0;
                double bestMbs = 0;
                double firstMbs = 0;
                long pages = 0;
                for (int r = 0; r < rounds; r++) {
                    if (r == 1) {
                        // untimed reads after the cold first round: JIT, and libzstd loading in the background
                        for (long end = System.nanoTime() + warmupMs * 1_000_000L; System.nanoTime() < end; ) {
                            for (long p = m.nextPresent(0); p >= 0; p = m.nextPresent(p + page.length)) m.read(p, page, 0, page.length);
                        }
                    }
                    long t = System.nanoTime();
                    long c = cpu.getCurrentThreadCpuTime();
                    pages = 0;
                    for (long p = m.nextPresent(0); p >= 0; p = m.nextPresent(p + page.length)) {
                        m.read(p, page, 0, page.length);
                        pages++;
                    }
                    double s = (System.nanoTime() - t) / 1e9;
                    double cs = (cpu.getCurrentThreadCpuTime() - c) / 1e9;
                    bestCpuMbs = Math.max(bestCpuMbs, pages * page.length / 1e6 / cs);
                    double mbs = pages * page.length / 1e6 / s;
                    if (r == 0) firstMbs = mbs;
                    bestMbs = Math.max(bestMbs, mbs);
                }
                // the decoder as a reopen reports it: a zstd dump's first open may still be loading libzstd
                String decoder;
                try (Dump again = best.open(List.of(file))) {
                    decoder = again.info().details().getOrDefault("compression.decoder", "");
                }
                System.out.printf("%-22s %-16s %-6s open %6.1f ms %6d pages  first %5.0f  best %5.0f  cpu %5.0f MB/s  %s%n",
                        file.getFileName(), d.info().format(), d.info().compression(), openMs, pages, firstMbs, bestMbs,
                        bestCpuMbs, decoder);
            }
        }
    }
}
